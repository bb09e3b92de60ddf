using System.Security.Cryptography;

namespace Pki.Acme.Management.Tests;

/// <summary>The store's PEM goes through the shared RFC 7468 codec: 64-column lines out, strict parsing in.</summary>
public sealed class PemReaderTests
{
    [Fact]
    public void Keys_are_written_with_64_column_lines_and_read_back()
    {
        using var rsa = RSA.Create(2048);
        var pem = PemReader.ExportPrivateKeyPem(rsa);

        var lines = pem.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("-----BEGIN PRIVATE KEY-----", lines[0]);
        Assert.Equal("-----END PRIVATE KEY-----", lines[^1]);
        Assert.All(lines[1..^2], line => Assert.Equal(64, line.Length)); // RFC 7468 section 2 (was 76)
        Assert.InRange(lines[^2].Length, 1, 64);
        Assert.DoesNotContain('\r', pem);
        using var back = Assert.IsAssignableFrom<RSA>(PemReader.ImportPrivateKey(pem, "www"));
        Assert.Equal(rsa.ExportSubjectPublicKeyInfo(), back.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void A_block_without_its_END_line_is_an_error_not_the_end_of_the_chain()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=a", ec, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var good = certificate.ExportCertificatePem() + "\n";
        var truncated = good + good[..^30];

        Assert.Single(PemReader.ReadCertificates(good));
        var ex = Assert.Throws<CertificateStoreException>(() => PemReader.ReadCertificates(truncated));
        Assert.Equal($"A stored PEM block 'CERTIFICATE' at offset {good.Length} has no END line.", ex.Message);
    }

    [Fact]
    public void A_block_that_is_not_base64_names_its_label_and_offset_but_not_its_content()
    {
        var ex = Assert.Throws<CertificateStoreException>(() => PemReader.ImportPrivateKey("-----BEGIN PRIVATE KEY-----\nsecret!material\n-----END PRIVATE KEY-----\n", "www"));
        Assert.Equal("A stored PEM block 'PRIVATE KEY' at offset 0 is not valid base64.", ex.Message);
        Assert.DoesNotContain("secret", ex.Message, StringComparison.Ordinal);
    }
}
