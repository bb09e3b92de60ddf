using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pki.Acme;
using Pki.Acme.Server;

namespace Pki.Acme.Server.Tests.Ca;

/// <summary>Every CSR the CA refuses, with the problem type it returns.</summary>
public sealed class CsrPolicyTests : IDisposable
{
    private static readonly AcmeIdentifier[] Example = [AcmeIdentifier.Dns("example.com")];
    private readonly CaFixture fixture = new();

    public void Dispose() => fixture.Dispose();

    [Fact]
    public async Task Wrong_signature_is_badCSR()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = Csr.Create(key, ["example.com"]);
        csr[^5] ^= 0x55; // inside the signature value
        var error = await Refused(csr, Example);
        Assert.Equal(AcmeProblemTypes.BadCsr, error.ProblemType);
        Assert.Contains("signature", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Not_der_is_badCSR()
    {
        var error = await Refused([0x30, 0x03, 0x02, 0x01], Example);
        Assert.Equal(AcmeProblemTypes.BadCsr, error.ProblemType);
        Assert.Contains("not a DER PKCS#10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rsa_1024_is_badPublicKey()
    {
        using var rsa = RSA.Create(1024);
        var error = await Refused(Csr.Create(rsa, ["example.com"]), Example);
        Assert.Equal(AcmeProblemTypes.BadPublicKey, error.ProblemType);
        Assert.Contains("1024 bits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rsa_exponent_3_is_badPublicKey()
    {
        var modulus = RandomNumberGenerator.GetBytes(256);
        modulus[0] |= 0x80;
        modulus[^1] |= 1;
        var spki = Csr.Spki("1.2.840.113549.1.1.1", Csr.RsaPublicKey(modulus, 3), parameters: [0x05, 0x00]);
        var error = await Refused(Csr.WithRawKey(spki, "1.2.840.113549.1.1.11"), Example);
        Assert.Equal(AcmeProblemTypes.BadPublicKey, error.ProblemType);
        Assert.Contains("65537", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rsa_above_8192_bits_is_badPublicKey()
    {
        var modulus = RandomNumberGenerator.GetBytes(1032);
        modulus[0] |= 0x80;
        var spki = Csr.Spki("1.2.840.113549.1.1.1", Csr.RsaPublicKey(modulus, 65537), parameters: [0x05, 0x00]);
        var error = await Refused(Csr.WithRawKey(spki, "1.2.840.113549.1.1.11"), Example);
        Assert.Equal(AcmeProblemTypes.BadPublicKey, error.ProblemType);
        Assert.Contains("8256 bits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task P521_is_badPublicKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        var error = await Refused(Csr.Create(key, ["example.com"]), Example);
        Assert.Equal(AcmeProblemTypes.BadPublicKey, error.ProblemType);
        Assert.Contains("P-521", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ed25519_is_badPublicKey()
    {
        var spki = Csr.Spki("1.3.101.112", RandomNumberGenerator.GetBytes(32));
        var error = await Refused(Csr.WithRawKey(spki, "1.3.101.112"), Example);
        Assert.Equal(AcmeProblemTypes.BadPublicKey, error.ProblemType);
        Assert.Contains("Ed25519", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Account_key_reused_is_badCSR()
    {
        var csr = Csr.Create(fixture.AccountKey, ["example.com"]);
        var error = await Refused(csr, Example);
        Assert.Equal(AcmeProblemTypes.BadCsr, error.ProblemType);
        Assert.Contains("account key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compressed_point_is_badPublicKey()
    {
        // The account's own P-256 key with a compressed point (02/03 || X): other bytes than the stored account key,
        // refused for its encoding before any comparison.
        var parameters = fixture.AccountKey.ExportParameters(false);
        var compressedPoint = new byte[33];
        compressedPoint[0] = (byte)(0x02 | (parameters.Q.Y![^1] & 1));
        parameters.Q.X!.CopyTo(compressedPoint, 1);
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.2.840.10045.2.1");
                writer.WriteObjectIdentifier("1.2.840.10045.3.1.7");
            }

            writer.WriteBitString(compressedPoint);
        }

        var compressed = PublicKey.CreateFromSubjectPublicKeyInfo(writer.Encode(), out _);
        var request = new CertificateRequest(new X500DistinguishedName("CN=example.com"), compressed, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("example.com");
        request.CertificateExtensions.Add(san.Build());
        var csr = request.CreateSigningRequest(X509SignatureGenerator.CreateForECDsa(fixture.AccountKey));
        Assert.False(csr.AsSpan().IndexOf(fixture.AccountSpki.AsSpan(fixture.AccountSpki.Length - 64)) >= 0, "the CSR must not carry the uncompressed point");

        var error = await Refused(csr, Example);
        Assert.Equal(AcmeProblemTypes.BadPublicKey, error.ProblemType);
        Assert.Contains("compressed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sha1_signature_is_badCSR()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=example.com", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var error = await Refused(request.CreateSigningRequest(new Sha1RsaGenerator(rsa)), Example);
        Assert.Equal(AcmeProblemTypes.BadCsr, error.ProblemType);
        Assert.Contains("1.2.840.113549.1.1.5", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "example.com", "extra.example.com" }, null, "not in the order: extra.example.com")]
    [InlineData(new[] { "www.example.com" }, "www.example.com", "missing from the CSR: example.com")]
    [InlineData(new[] { "example.com" }, "other.example.com", "not in the order: other.example.com")]
    public async Task Names_that_differ_from_the_order_are_badCSR(string[] san, string? commonName, string expected)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var error = await Refused(Csr.Create(key, san, commonName), Example);
        Assert.Equal(AcmeProblemTypes.BadCsr, error.ProblemType);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Email_subject_alternative_name_is_badCSR()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = Csr.Create(key, ["example.com"], adjust: request =>
        {
            request.CertificateExtensions.Clear();
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("example.com");
            san.AddEmailAddress("a@example.com");
            request.CertificateExtensions.Add(san.Build());
        });
        var error = await Refused(csr, Example);
        Assert.Equal(AcmeProblemTypes.BadCsr, error.ProblemType);
        Assert.Contains("only dNSName and iPAddress", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Names_compare_case_insensitively_and_ip_addresses_by_value()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = Csr.Create(key, ["EXAMPLE.com", "2001:db8::1"], commonName: string.Empty);
        var issued = await fixture.Ca.IssueAsync(csr, [AcmeIdentifier.Dns("example.com"), AcmeIdentifier.Parse("2001:0db8:0:0::1")], string.Empty, fixture.AccountSpki, CancellationToken.None);
        Assert.NotEmpty(issued.ChainsPem);
    }

    [Fact]
    public async Task No_names_at_all_is_badCSR()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = Csr.Create(key, ["example.com"], commonName: string.Empty, adjust: r => r.CertificateExtensions.Clear());
        var error = await Refused(csr, Example);
        Assert.Equal(AcmeProblemTypes.BadCsr, error.ProblemType);
        Assert.Contains("names no identifier", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_identifier_type_is_rejectedIdentifier()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var error = await Refused(Csr.Create(key, ["example.com"]), [new AcmeIdentifier { Type = "email", Value = "a@example.com" }]);
        Assert.Equal(AcmeProblemTypes.RejectedIdentifier, error.ProblemType);
    }

    [Fact]
    public async Task Rsa_2048_and_p384_are_accepted()
    {
        using var rsa = RSA.Create(2048);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Equal("1.2.840.113549.1.1.1", (await fixture.IssueAsync(key: rsa, names: ["example.com"])).Leaf.PublicKey.Oid.Value);
        Assert.Equal("1.2.840.10045.2.1", (await fixture.IssueAsync(key: p384, names: ["example.com"])).Leaf.PublicKey.Oid.Value);
    }

    private async Task<AcmeIssuanceRejectedException> Refused(byte[] csr, AcmeIdentifier[] identifiers)
        => await Assert.ThrowsAsync<AcmeIssuanceRejectedException>(() => fixture.Ca.IssueAsync(csr, identifiers, string.Empty, fixture.AccountSpki, CancellationToken.None));

    /// <summary>sha1WithRSAEncryption, which .NET no longer writes itself.</summary>
    private sealed class Sha1RsaGenerator(RSA rsa) : X509SignatureGenerator
    {
        public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm)
        {
            var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.2.840.113549.1.1.5");
                writer.WriteNull();
            }

            return writer.Encode();
        }

        public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) => rsa.SignData(data, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);

        protected override PublicKey BuildPublicKey() => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1).PublicKey;
    }
}
