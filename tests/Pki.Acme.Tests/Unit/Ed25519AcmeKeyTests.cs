using System.Buffers.Text;
using System.Text.Json;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Pki.Acme.Internal;
using BcEd25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace Pki.Acme.Tests.Unit;

/// <summary>EdDSA account keys without BouncyCastle in Pki.Acme: PKCS#8 as RFC 8410 writes it, checked against BouncyCastle here.</summary>
public sealed class Ed25519AcmeKeyTests
{
    // RFC 8410 section 10.3 (private key) and section 10.1 (its public key).
    private const string Rfc8410Pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n";
    private const string Rfc8410PublicKeyHex = "19BF44096984CDFE8541BAC167DC3B96C85086AA30B6B6CB0C5C38AD703166E1";

    [Fact]
    public void The_rfc_8410_example_key_imports_with_its_public_key_in_the_jwk()
    {
        using var key = AcmeKey.ImportPem(Rfc8410Pem);
        using var jwk = JsonDocument.Parse(key.JwkJson);

        Assert.Equal("EdDSA", key.Algorithm);
        Assert.Equal(Rfc8410PublicKeyHex, Convert.ToHexString(Base64Url.DecodeFromChars(jwk.RootElement.GetProperty("x").GetString())));
        Assert.Equal("""{"crv":"Ed25519","kty":"OKP","x":"Gb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE"}""", System.Text.Encoding.UTF8.GetString(key.JwkJson.Span));
    }

    [Fact]
    public void Keys_written_by_BouncyCastle_import_and_sign_what_BouncyCastle_verifies_and_exports_read_back_in_BouncyCastle()
    {
        var reference = new Ed25519PrivateKeyParameters(new SecureRandom());
        var der = PrivateKeyInfoFactory.CreatePrivateKeyInfo(reference).GetDerEncoded();
        using var key = AcmeKey.ImportPkcs8(der);

        var jws = JwsWriter.Sign(key, kid: null, "nonce", new Uri("https://acme.test/new-account"), "{}"u8);
        using var document = JsonDocument.Parse(jws);
        var root = document.RootElement;
        var signingInput = System.Text.Encoding.ASCII.GetBytes(root.GetProperty("protected").GetString() + "." + root.GetProperty("payload").GetString());
        var signature = Base64Url.DecodeFromChars(root.GetProperty("signature").GetString());
        Assert.True(reference.GeneratePublicKey().Verify(BcEd25519.Algorithm.Ed25519, null, signingInput, 0, signingInput.Length, signature, 0));

        var exported = key.ExportPkcs8();
        Assert.Equal(der, exported);
        var back = (Ed25519PrivateKeyParameters)PrivateKeyFactory.CreateKey(exported);
        Assert.Equal(reference.GetEncoded(), back.GetEncoded());
    }

    [Fact]
    public void A_key_whose_public_key_field_belongs_to_another_key_is_refused()
    {
        var one = PrivateKeyInfoFactory.CreatePrivateKeyInfo(new Ed25519PrivateKeyParameters(new SecureRandom())).GetDerEncoded();
        var other = PrivateKeyInfoFactory.CreatePrivateKeyInfo(new Ed25519PrivateKeyParameters(new SecureRandom())).GetDerEncoded();
        var mixed = one[..^32].Concat(other[^32..]).ToArray(); // the trailing [1] publicKey bits are the other key's

        var ex = Assert.Throws<AcmeConfigurationException>(() => AcmeKey.ImportPkcs8(mixed));

        Assert.Contains("its publicKey field is not the public key of its private key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_Ed25519_keys_are_configuration_errors_naming_the_problem_not_the_key()
    {
        // The RFC 8410 key with NULL parameters in its AlgorithmIdentifier (RFC 8410 section 3: MUST be absent).
        var seedHex = "D4EE72DBF913584AD5B6D8F1F769F8AD3AFE7C28CBF1D4FBE097A88F44755842";
        var withParameters = Convert.FromHexString("3030020100300706032B6570050004220420" + seedHex);

        var ex = Assert.Throws<AcmeConfigurationException>(() => AcmeKey.ImportPkcs8(withParameters));

        Assert.StartsWith("The Ed25519 private key could not be imported: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("parameters", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(seedHex, ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.IsType<Pki.Shared.PrivateKeyFormatException>(ex.InnerException);
    }

    [Fact]
    public void A_disposed_key_no_longer_signs()
    {
        var key = AcmeKey.Create(AcmeKeyAlgorithm.EdDSA);
        key.Dispose();

        Assert.Throws<ObjectDisposedException>(() => JwsWriter.Sign(key, kid: null, "nonce", new Uri("https://acme.test/x"), "{}"u8));
    }
}
