using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Pki.Acme.Server.Protocol;
using Pki.Shared.Edwards25519;

namespace Pki.Acme.Server.Tests.Protocol;

public sealed class JwsTests
{
    private static readonly byte[] Message = Encoding.ASCII.GetBytes("protected.payload");

    [Theory]
    [InlineData(AcmeKeyAlgorithm.ES256)]
    [InlineData(AcmeKeyAlgorithm.ES384)]
    [InlineData(AcmeKeyAlgorithm.RS256)]
    public void Thumbprint_matches_the_client(AcmeKeyAlgorithm algorithm)
    {
        using var key = AcmeKey.Create(algorithm);
        var jwk = Jwk.Parse(JsonDocument.Parse(key.JwkJson).RootElement);
        Assert.Equal(key.Thumbprint, jwk.Thumbprint);
        Assert.Equal(jwk.Thumbprint, Jwk.FromCanonical(jwk.Canonical).Thumbprint);
    }

    [Fact]
    public void Rs256_and_es384_verify()
    {
        using var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(false);
        var jwk = Jwk.Parse(JsonDocument.Parse($"{{\"kty\":\"RSA\",\"n\":\"{WebEncoders.Base64UrlEncode(p.Modulus!)}\",\"e\":\"{WebEncoders.Base64UrlEncode(p.Exponent!)}\"}}").RootElement);
        var signature = rsa.SignData(Message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.True(jwk.Fits("RS256"));
        Assert.False(jwk.Fits("ES256"));
        Assert.True(jwk.Verify("RS256", Message, signature));
        signature[0] ^= 1;
        Assert.False(jwk.Verify("RS256", Message, signature));
        Assert.Equal(rsa.ExportSubjectPublicKeyInfo(), jwk.Spki);

        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var q = ec.ExportParameters(false).Q;
        var ecJwk = Jwk.Parse(JsonDocument.Parse($"{{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"{WebEncoders.Base64UrlEncode(q.X!)}\",\"y\":\"{WebEncoders.Base64UrlEncode(q.Y!)}\"}}").RootElement);
        Assert.True(ecJwk.Fits("ES384"));
        Assert.False(ecJwk.Fits("ES256"));
        Assert.True(ecJwk.Verify("ES384", Message, ec.SignData(Message, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)));
        Assert.False(ecJwk.Verify("ES384", Message, ec.SignData(Message, HashAlgorithmName.SHA384, DSASignatureFormat.Rfc3279DerSequence)));
    }

    [Fact]
    public void EdDsa_verifies_with_the_shared_ed25519()
    {
        using var key = Ed25519PrivateKey.Generate();
        var jwk = Jwk.Parse(JsonDocument.Parse($"{{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"{WebEncoders.Base64UrlEncode(key.PublicKey.ToArray())}\"}}").RootElement);
        var signature = new byte[Ed25519.SignatureSize];
        key.Sign(Message, signature);
        Assert.True(jwk.Fits("EdDSA"));
        Assert.True(jwk.Verify("EdDSA", Message, signature));
        signature[10] ^= 1;
        Assert.False(jwk.Verify("EdDSA", Message, signature));
        Assert.Equal(44, jwk.Spki.Length);
    }

    [Theory]
    [InlineData("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}", AcmeProblemTypes.Malformed)]
    [InlineData("{\"kty\":\"EC\",\"crv\":\"P-521\",\"x\":\"AA\",\"y\":\"AA\"}", AcmeProblemTypes.BadPublicKey)]
    [InlineData("{\"kty\":\"oct\",\"k\":\"AA\"}", AcmeProblemTypes.BadPublicKey)]
    [InlineData("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\",\"d\":\"AA\"}", AcmeProblemTypes.Malformed)]
    [InlineData("{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}", AcmeProblemTypes.BadPublicKey)]
    [InlineData("{\"crv\":\"Ed25519\"}", AcmeProblemTypes.Malformed)]
    [InlineData("[]", AcmeProblemTypes.Malformed)]
    public void Bad_keys_are_refused_with_their_type(string json, string type)
    {
        var ex = Assert.Throws<AcmeServerProblemException>(() => Jwk.Parse(JsonDocument.Parse(json).RootElement));
        Assert.Equal(type, ex.Problem.Type);
    }

    [Theory]
    [InlineData("{\"protected\":\"e30\",\"payload\":\"\",\"signature\":\"AA\"}", AcmeProblemTypes.Malformed)]
    [InlineData("{\"protected\":\"eyJhbGciOiJub25lIn0\",\"payload\":\"\",\"signature\":\"AA\"}", AcmeProblemTypes.BadSignatureAlgorithm)]
    [InlineData("{\"protected\":\"eyJhbGciOiJIUzI1NiJ9\",\"payload\":\"\",\"signature\":\"AA\"}", AcmeProblemTypes.BadSignatureAlgorithm)]
    [InlineData("{\"protected\":\"eyJhbGciOiJFUzI1NiJ9\",\"payload\":\"\",\"signature\":\"AA\"}", AcmeProblemTypes.Malformed)]
    [InlineData("{\"signatures\":[]}", AcmeProblemTypes.Malformed)]
    public void Bad_jws_are_refused_with_their_type(string body, string type)
    {
        var ex = Assert.Throws<AcmeServerProblemException>(() => JwsMessage.Parse(Encoding.UTF8.GetBytes(body)));
        Assert.Equal(type, ex.Problem.Type);
    }
}
