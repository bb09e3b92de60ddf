using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pki.TestSupport;

namespace Pki.TestSupport.Tests;

public sealed class TestCertificateAuthorityFilesTests
{
    [Fact]
    public async Task Writes_the_public_certificates_as_one_pem_bundle_without_keys()
    {
        using var directory = new TempDirectory();
        using var first = CreateRoot("CN=first");
        using var second = CreateRoot("CN=second");

        var path = await TestCertificateAuthorityFiles.WritePemBundleAsync(Path.Combine(directory.Path, "sub", "ca.pem"), [first, second]);

        var read = new X509Certificate2Collection();
        read.ImportFromPemFile(path);
        Assert.Equal([first.Thumbprint, second.Thumbprint], read.Select(c => c.Thumbprint));
        Assert.DoesNotContain("PRIVATE KEY", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public async Task An_empty_bundle_is_refused()
    {
        using var directory = new TempDirectory();
        await Assert.ThrowsAsync<ArgumentException>(() => TestCertificateAuthorityFiles.WritePemBundleAsync(Path.Combine(directory.Path, "ca.pem"), Array.Empty<X509Certificate2>()));
    }

    private static X509Certificate2 CreateRoot(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }
}
