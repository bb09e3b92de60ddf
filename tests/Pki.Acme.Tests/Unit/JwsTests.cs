using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Org.BouncyCastle.Crypto.Parameters;
using Pki.Acme.Internal;

namespace Pki.Acme.Tests.Unit;

public sealed class JwsTests
{
    // RFC 7638 section 3.1: the example RSA key and its thumbprint.
    private const string Rfc7638N = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    private const string Rfc7638Thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
    private static readonly Uri Url = new("https://acme.test/order/1");

    [Fact]
    public void Rfc7638_example_thumbprint_and_canonical_jwk()
    {
        using var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Modulus = Base64Url.DecodeFromChars(Rfc7638N), Exponent = Base64Url.DecodeFromChars("AQAB") });
        using var key = AcmeKey.FromRsa(rsa);

        Assert.Equal(Rfc7638Thumbprint, key.Thumbprint);
        Assert.Equal($$"""{"e":"AQAB","kty":"RSA","n":"{{Rfc7638N}}"}""", Encoding.UTF8.GetString(key.JwkJson.Span));
        Assert.Equal("token." + Rfc7638Thumbprint, AcmeKeyAuthorization.Compute(key, "token"));
    }

    [Theory]
    [InlineData(AcmeKeyAlgorithm.ES256, "P-256")]
    [InlineData(AcmeKeyAlgorithm.ES384, "P-384")]
    [InlineData(AcmeKeyAlgorithm.ES512, "P-521")]
    public void Ecdsa_jws_has_the_kid_header_and_a_p1363_signature_that_verifies(AcmeKeyAlgorithm algorithm, string curve)
    {
        using var key = AcmeKey.Create(algorithm);
        var jws = Parse(JwsWriter.Sign(key, "https://acme.test/acct/1", "n0nce", Url, """{"a":1}"""u8));

        Assert.Equal(algorithm.ToString(), jws.Header.GetProperty("alg").GetString());
        Assert.Equal("https://acme.test/acct/1", jws.Header.GetProperty("kid").GetString());
        Assert.Equal("n0nce", jws.Header.GetProperty("nonce").GetString());
        Assert.Equal(Url.AbsoluteUri, jws.Header.GetProperty("url").GetString());
        Assert.False(jws.Header.TryGetProperty("jwk", out _));
        Assert.Equal("""{"a":1}""", Encoding.UTF8.GetString(jws.Payload));

        using var jwk = JsonDocument.Parse(key.JwkJson);
        Assert.Equal(curve, jwk.RootElement.GetProperty("crv").GetString());
        using var verifier = ECDsa.Create(new ECParameters
        {
            Curve = curve switch { "P-256" => ECCurve.NamedCurves.nistP256, "P-384" => ECCurve.NamedCurves.nistP384, _ => ECCurve.NamedCurves.nistP521 },
            Q = new ECPoint { X = Base64Url.DecodeFromChars(jwk.RootElement.GetProperty("x").GetString()), Y = Base64Url.DecodeFromChars(jwk.RootElement.GetProperty("y").GetString()) },
        });
        var hash = algorithm switch { AcmeKeyAlgorithm.ES256 => HashAlgorithmName.SHA256, AcmeKeyAlgorithm.ES384 => HashAlgorithmName.SHA384, _ => HashAlgorithmName.SHA512 };
        Assert.True(verifier.VerifyData(jws.SigningInput, jws.Signature, hash));
    }

    [Fact]
    public void Rs256_jws_with_an_embedded_jwk_verifies()
    {
        using var key = AcmeKey.Create(AcmeKeyAlgorithm.RS256);
        var jws = Parse(JwsWriter.Sign(key, kid: null, "n", Url, "{}"u8));

        var jwk = jws.Header.GetProperty("jwk");
        Assert.Equal("RSA", jwk.GetProperty("kty").GetString());
        Assert.False(jws.Header.TryGetProperty("kid", out _));
        using var verifier = RSA.Create();
        verifier.ImportParameters(new RSAParameters { Modulus = Base64Url.DecodeFromChars(jwk.GetProperty("n").GetString()), Exponent = Base64Url.DecodeFromChars(jwk.GetProperty("e").GetString()) });
        Assert.True(verifier.VerifyData(jws.SigningInput, jws.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void EdDSA_jws_verifies_with_the_okp_jwk()
    {
        using var key = AcmeKey.Create(AcmeKeyAlgorithm.EdDSA);
        var jws = Parse(JwsWriter.Sign(key, kid: null, "n", Url, "{}"u8));

        Assert.Equal("EdDSA", jws.Header.GetProperty("alg").GetString());
        var jwk = jws.Header.GetProperty("jwk");
        Assert.Equal("OKP", jwk.GetProperty("kty").GetString());
        Assert.Equal("Ed25519", jwk.GetProperty("crv").GetString());
        var publicKey = new Ed25519PublicKeyParameters(Base64Url.DecodeFromChars(jwk.GetProperty("x").GetString()));
        Assert.True(publicKey.Verify(Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Algorithm.Ed25519, null, jws.SigningInput, 0, jws.SigningInput.Length, jws.Signature, 0));
    }

    [Fact]
    public void Post_as_get_sends_an_empty_payload_string()
    {
        using var key = AcmeKey.Create();
        var json = Encoding.UTF8.GetString(JwsWriter.Sign(key, "kid", "n", Url, "ignored"u8, postAsGet: true));
        using var document = JsonDocument.Parse(json);
        Assert.Equal(string.Empty, document.RootElement.GetProperty("payload").GetString());
        Assert.Equal(["protected", "payload", "signature"], document.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void External_account_binding_is_hs256_over_the_account_jwk()
    {
        using var key = AcmeKey.Create();
        var macKey = RandomNumberGenerator.GetBytes(32);
        var binding = new AcmeExternalAccountBinding("kid-7", Base64Url.EncodeToString(macKey));
        var jws = Parse(JwsWriter.SignExternalAccountBinding(binding.KeyId, binding.MacKey, new Uri("https://acme.test/acct"), key.JwkJson.Span));

        Assert.Equal("HS256", jws.Header.GetProperty("alg").GetString());
        Assert.Equal("kid-7", jws.Header.GetProperty("kid").GetString());
        Assert.Equal("https://acme.test/acct", jws.Header.GetProperty("url").GetString());
        Assert.False(jws.Header.TryGetProperty("nonce", out _));
        Assert.Equal(key.JwkJson.ToArray(), jws.Payload);
        Assert.Equal(HMACSHA256.HashData(macKey, jws.SigningInput), jws.Signature);
        Assert.DoesNotContain(Base64Url.EncodeToString(macKey), binding.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "The External Account Binding key id is empty.")]
    [InlineData("kid", "The External Account Binding MAC key for key id 'kid' is not base64url.")]
    public void External_account_binding_input_is_validated_without_echoing_the_key(string keyId, string message)
    {
        var ex = Assert.Throws<AcmeConfigurationException>(() => new AcmeExternalAccountBinding(keyId, "not*base64url!secret"));
        Assert.Equal(message, ex.Message);
        Assert.DoesNotContain("secret", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AcmeKeyAlgorithm.ES256)]
    [InlineData(AcmeKeyAlgorithm.ES384)]
    [InlineData(AcmeKeyAlgorithm.RS256)]
    [InlineData(AcmeKeyAlgorithm.EdDSA)]
    public void Keys_round_trip_through_pkcs8_pem(AcmeKeyAlgorithm algorithm)
    {
        using var key = AcmeKey.Create(algorithm);
        var pem = key.ExportPkcs8Pem();
        using var again = AcmeKey.ImportPem(pem);

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
        Assert.Equal(key.Thumbprint, again.Thumbprint);
        Assert.Equal(key.Algorithm, again.Algorithm);
        Assert.DoesNotContain(pem.Split('\n')[1], key.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Importing_a_non_pkcs8_pem_names_the_labels_found_and_how_to_convert()
    {
        using var ec = ECDsa.Create();
        var sec1 = ec.ExportECPrivateKeyPem();
        var ex = Assert.Throws<AcmeConfigurationException>(() => AcmeKey.ImportPem(sec1));
        Assert.Contains("labels present: EC PRIVATE KEY", ex.Message, StringComparison.Ordinal);
        Assert.Contains("openssl pkcs8 -topk8", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(sec1.Split('\n')[1], ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Importing_garbage_fails_with_a_typed_error()
    {
        var broken = "-----BEGIN PRIVATE KEY-----\nAAAA$$$\n-----END PRIVATE KEY-----\n";
        Assert.Throws<AcmeConfigurationException>(() => AcmeKey.ImportPem(broken));
        var notPkcs8 = Assert.Throws<AcmeConfigurationException>(() => AcmeKey.ImportPkcs8(new byte[] { 1, 2, 3 }));
        Assert.Equal("The data is not a DER PKCS#8 PrivateKeyInfo.", notPkcs8.Message);
    }

    [Fact]
    public void Short_rsa_keys_and_unknown_curves_are_refused()
    {
        using var small = RSA.Create(1024);
        Assert.Equal("RSA keys must have at least 2048 bits; this one has 1024.", Assert.Throws<AcmeConfigurationException>(() => AcmeKey.FromRsa(small)).Message);
        Assert.Throws<AcmeConfigurationException>(() => AcmeKey.Create(AcmeKeyAlgorithm.RS256, 1024));
        using var brainpool = ECDsa.Create(ECCurve.NamedCurves.brainpoolP224r1);
        Assert.Contains("P-256, P-384 or P-521", Assert.Throws<AcmeConfigurationException>(() => AcmeKey.FromECDsa(brainpool)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dns01_txt_value_is_base64url_sha256_of_the_key_authorization()
    {
        Assert.Equal(Base64Url.EncodeToString(SHA256.HashData("tok.thumb"u8)), AcmeKeyAuthorization.ComputeDns01TxtValue("tok.thumb"));
        Assert.Equal("_acme-challenge.example.com", Dns01ChallengeSolver.GetRecordName(AcmeIdentifier.Dns("*.Example.com")));
    }

    private sealed record ParsedJws(JsonElement Header, byte[] Payload, byte[] SigningInput, byte[] Signature);

    private static ParsedJws Parse(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var protectedB64 = root.GetProperty("protected").GetString()!;
        var payloadB64 = root.GetProperty("payload").GetString()!;
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(protectedB64));
        return new ParsedJws(
            header.RootElement.Clone(),
            Base64Url.DecodeFromChars(payloadB64),
            Encoding.ASCII.GetBytes(protectedB64 + "." + payloadB64),
            Base64Url.DecodeFromChars(root.GetProperty("signature").GetString()));
    }
}
