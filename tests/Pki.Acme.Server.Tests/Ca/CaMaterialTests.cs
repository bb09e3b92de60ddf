using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Pki.Acme.Server;
using Pki.TestSupport;

namespace Pki.Acme.Server.Tests.Ca;

/// <summary>Where the root and intermediate come from: generated and persisted, PEM files, PFX; and every way they can be unusable.</summary>
public sealed class CaMaterialTests : IDisposable
{
    private readonly TempDirectory directory = new();
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Generated_material_is_persisted_with_private_keys_0600_and_reloaded_not_regenerated()
    {
        var state = Path.Combine(directory.Path, "state");
        string rootThumbprint, intermediateThumbprint;
        using (var first = Create(new AcmeServerCaOptions { StateDirectory = state }))
        {
            rootThumbprint = first.RootCertificate.Thumbprint;
            intermediateThumbprint = first.IntermediateCertificate.Thumbprint;
        }

        Assert.Equal(
            new[] { "intermediate.key.pem", "intermediate.pem", "root.key.pem", "root.pem" },
            Directory.GetFiles(state).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(state, "root.key.pem")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(state, "intermediate.key.pem")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(state));
        }

        Assert.Contains("-----BEGIN PRIVATE KEY-----", File.ReadAllText(Path.Combine(state, "root.key.pem")), StringComparison.Ordinal);
        using var second = Create(new AcmeServerCaOptions { StateDirectory = state });
        Assert.Equal(rootThumbprint, second.RootCertificate.Thumbprint);
        Assert.Equal(intermediateThumbprint, second.IntermediateCertificate.Thumbprint);
    }

    [Fact]
    public void A_lost_intermediate_is_regenerated_under_the_same_root()
    {
        var state = Path.Combine(directory.Path, "state");
        string rootThumbprint, intermediateThumbprint;
        using (var first = Create(new AcmeServerCaOptions { StateDirectory = state }))
        {
            (rootThumbprint, intermediateThumbprint) = (first.RootCertificate.Thumbprint, first.IntermediateCertificate.Thumbprint);
        }

        File.Delete(Path.Combine(state, "intermediate.pem"));
        using var second = Create(new AcmeServerCaOptions { StateDirectory = state });
        Assert.Equal(rootThumbprint, second.RootCertificate.Thumbprint);
        Assert.NotEqual(intermediateThumbprint, second.IntermediateCertificate.Thumbprint);
    }

    [Fact]
    public async Task Pem_files_are_loaded_in_pkcs8_and_traditional_forms()
    {
        var (rootPem, rootKey, intermediatePem, intermediateKey) = Generate();
        var options = new AcmeServerCaOptions
        {
            RootCertificatePemPath = Write("root.pem", rootPem),
            RootKeyPemPath = Write("root.key", rootKey.ExportPkcs8PrivateKeyPem()),
            IntermediateCertificatePemPath = Write("intermediate.pem", intermediatePem),
            IntermediateKeyPemPath = Write("intermediate.key", ((ECDsa)intermediateKey).ExportECPrivateKeyPem()),
        };
        using var ca = Create(options);
        Assert.Equal(X509Certificate2.CreateFromPem(rootPem).Thumbprint, ca.RootCertificate.Thumbprint);
        Assert.True(ca.CanSignRootCrl);
        var crl = await ca.GetCrlAsync(CancellationToken.None);
        Assert.NotEmpty(crl);
    }

    [Fact]
    public async Task Pem_files_without_the_root_key_work_and_publish_no_root_crl()
    {
        var (rootPem, _, intermediatePem, intermediateKey) = Generate();
        using var ca = Create(new AcmeServerCaOptions
        {
            RootCertificatePemPath = Write("root.pem", rootPem),
            IntermediateCertificatePemPath = Write("intermediate.pem", intermediatePem),
            IntermediateKeyPemPath = Write("intermediate.key", intermediateKey.ExportPkcs8PrivateKeyPem()),
        });
        Assert.False(ca.CanSignRootCrl);
        Assert.Null(await ca.GetRootCrlAsync(CancellationToken.None));
    }

    [Fact]
    public void Pfx_with_intermediate_key_and_root_is_loaded()
    {
        var (rootPem, _, intermediatePem, intermediateKey) = Generate();
        var path = WritePfx(rootPem, intermediatePem, intermediateKey, "s3cret-pass");
        using var ca = Create(new AcmeServerCaOptions { PfxPath = path, PfxPassword = "s3cret-pass" });
        Assert.Equal(X509Certificate2.CreateFromPem(intermediatePem).Thumbprint, ca.IntermediateCertificate.Thumbprint);
        Assert.Equal(X509Certificate2.CreateFromPem(rootPem).Thumbprint, ca.RootCertificate.Thumbprint);
    }

    [Fact]
    public void Pfx_with_a_wrong_password_names_the_file_but_never_the_password()
    {
        var (rootPem, _, intermediatePem, intermediateKey) = Generate();
        var path = WritePfx(rootPem, intermediatePem, intermediateKey, "s3cret-pass");
        var error = Assert.Throws<AcmeCaConfigurationException>(() => Create(new AcmeServerCaOptions { PfxPath = path, PfxPassword = "wrong-pass" }));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("PfxPassword is wrong", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-pass", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pfx_without_an_intermediate_is_refused()
    {
        var (rootPem, rootKey, _, _) = Generate();
        using var root = X509Certificate2.CreateFromPem(rootPem).CopyWithPrivateKey((ECDsa)rootKey);
        var path = Path.Combine(directory.Path, "root-only.pfx");
        File.WriteAllBytes(path, new X509Certificate2Collection(root).Export(X509ContentType.Pkcs12, "p")!);
        var error = Assert.Throws<AcmeCaConfigurationException>(() => Create(new AcmeServerCaOptions { PfxPath = path, PfxPassword = "p" }));
        Assert.Contains("must hold a self-signed root CA certificate and an intermediate CA certificate with its private key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mismatched_key_and_certificate_is_refused_without_showing_the_key()
    {
        var (rootPem, rootKey, intermediatePem, _) = Generate();
        var keyPem = rootKey.ExportPkcs8PrivateKeyPem();
        var error = Assert.Throws<AcmeCaConfigurationException>(() => Create(new AcmeServerCaOptions
        {
            RootCertificatePemPath = Write("root.pem", rootPem),
            IntermediateCertificatePemPath = Write("intermediate.pem", intermediatePem),
            IntermediateKeyPemPath = Write("wrong.key", keyPem),
        }));
        Assert.Contains("does not belong to the certificate", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(keyPem.Split('\n')[1], error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_leaf_given_as_intermediate_is_not_a_ca()
    {
        var (rootPem, rootKey, _, _) = Generate();
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=leaf.example.com", leafKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        using var root = X509Certificate2.CreateFromPem(rootPem);
        using var leaf = request.Create(root.SubjectName, X509SignatureGenerator.CreateForECDsa((ECDsa)rootKey), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), [1, 2, 3]);
        var error = Assert.Throws<AcmeCaConfigurationException>(() => Create(new AcmeServerCaOptions
        {
            RootCertificatePemPath = Write("root.pem", rootPem),
            IntermediateCertificatePemPath = Write("leaf.pem", leaf.ExportCertificatePem()),
            IntermediateKeyPemPath = Write("leaf.key", leafKey.ExportPkcs8PrivateKeyPem()),
        }));
        Assert.Contains("The intermediate certificate 'CN=leaf.example.com' is not a CA certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Expired_material_is_refused()
    {
        var state = Path.Combine(directory.Path, "state");
        Create(new AcmeServerCaOptions { StateDirectory = state }).Dispose();
        time.Advance(TimeSpan.FromDays(9 * 365));
        var error = Assert.Throws<AcmeCaConfigurationException>(() => Create(new AcmeServerCaOptions { StateDirectory = state }));
        Assert.Contains("The intermediate certificate", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not valid now", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_intermediate_from_another_root_is_refused()
    {
        var (rootPem, _, _, _) = Generate();
        var (_, _, otherIntermediatePem, otherKey) = Generate();
        var error = Assert.Throws<AcmeCaConfigurationException>(() => Create(new AcmeServerCaOptions
        {
            RootCertificatePemPath = Write("root.pem", rootPem),
            IntermediateCertificatePemPath = Write("intermediate.pem", otherIntermediatePem),
            IntermediateKeyPemPath = Write("intermediate.key", otherKey.ExportPkcs8PrivateKeyPem()),
        }));
        Assert.Contains("is not issued by the root", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unreadable_and_garbage_files_are_named()
    {
        var (rootPem, _, intermediatePem, _) = Generate();
        var missing = Path.Combine(directory.Path, "missing.pem");
        var error = Assert.Throws<AcmeCaConfigurationException>(() => Create(new AcmeServerCaOptions
        {
            RootCertificatePemPath = missing,
            IntermediateCertificatePemPath = Write("intermediate.pem", intermediatePem),
            IntermediateKeyPemPath = Write("intermediate.key", "x"),
        }));
        Assert.StartsWith($"RootCertificatePemPath: '{missing}' cannot be read", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<AcmeCaConfigurationException>(() => Create(new AcmeServerCaOptions
        {
            RootCertificatePemPath = Write("garbage.pem", "not a certificate"),
            IntermediateCertificatePemPath = Write("intermediate.pem", intermediatePem),
            IntermediateKeyPemPath = Write("intermediate.key", "x"),
        }));
        Assert.Contains("holds no readable PEM CERTIFICATE", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<AcmeCaConfigurationException>(() => Create(new AcmeServerCaOptions
        {
            RootCertificatePemPath = Write("root.pem", rootPem),
            IntermediateCertificatePemPath = Write("intermediate.pem", intermediatePem),
            IntermediateKeyPemPath = Write("intermediate.key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"),
        }));
        Assert.Contains("holds no unencrypted EC private key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_state_directory_that_cannot_be_created_is_named()
    {
        var file = Write("a-file", "x");
        var error = Assert.Throws<AcmeCaConfigurationException>(() => Create(new AcmeServerCaOptions { StateDirectory = Path.Combine(file, "sub") }));
        Assert.Contains("StateDirectory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generation_and_loading_are_logged_without_key_material_or_passwords()
    {
        var logger = new ListLogger();
        var state = Path.Combine(directory.Path, "state");
        EmbeddedCa.Create(new AcmeServerCaOptions { StateDirectory = state }, CaFixture.BaseUrl, new ListRevocationSource(), time, logger).Dispose();
        EmbeddedCa.Create(new AcmeServerCaOptions { StateDirectory = state }, CaFixture.BaseUrl, new ListRevocationSource(), time, logger).Dispose();
        Assert.Equal(2, logger.Messages.Count(m => m.Contains("generated", StringComparison.Ordinal)));
        Assert.Equal(2, logger.Messages.Count(m => m.Contains("loaded", StringComparison.Ordinal)));
        var keyLine = File.ReadAllText(Path.Combine(state, "intermediate.key.pem")).Split('\n')[1];
        Assert.All(logger.Messages, m => Assert.DoesNotContain("PRIVATE KEY", m, StringComparison.Ordinal));
        Assert.All(logger.Messages, m => Assert.DoesNotContain(keyLine[..20], m, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_issuance_signs_every_certificate_correctly()
    {
        using var fixture = new CaFixture();
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => fixture.IssueAsync(names: [$"c{i}.example.com"]))));
        foreach (var (leaf, _) in results)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(fixture.Ca.RootCertificate);
            chain.ChainPolicy.ExtraStore.Add(fixture.Ca.IntermediateCertificate);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            Assert.True(chain.Build(leaf));
        }

        Assert.Equal(16, results.Select(r => r.Issued.SerialNumber).Distinct().Count());
    }

    private EmbeddedCa Create(AcmeServerCaOptions options) => EmbeddedCa.Create(options, CaFixture.BaseUrl, new ListRevocationSource(), time);

    /// <summary>A fresh hierarchy through the CA's own generation, exported as files would hold it.</summary>
    private (string RootPem, AsymmetricAlgorithm RootKey, string IntermediatePem, AsymmetricAlgorithm IntermediateKey) Generate()
    {
        var state = Path.Combine(directory.Path, "gen-" + Guid.NewGuid().ToString("N"));
        Create(new AcmeServerCaOptions { StateDirectory = state }).Dispose();
        var rootKey = ECDsa.Create();
        rootKey.ImportFromPem(File.ReadAllText(Path.Combine(state, "root.key.pem")));
        var intermediateKey = ECDsa.Create();
        intermediateKey.ImportFromPem(File.ReadAllText(Path.Combine(state, "intermediate.key.pem")));
        return (File.ReadAllText(Path.Combine(state, "root.pem")), rootKey, File.ReadAllText(Path.Combine(state, "intermediate.pem")), intermediateKey);
    }

    private string Write(string name, string text)
    {
        Directory.CreateDirectory(directory.Path);
        var path = Path.Combine(directory.Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string WritePfx(string rootPem, string intermediatePem, AsymmetricAlgorithm intermediateKey, string password)
    {
        using var root = X509Certificate2.CreateFromPem(rootPem);
        using var intermediate = X509Certificate2.CreateFromPem(intermediatePem).CopyWithPrivateKey((ECDsa)intermediateKey);
        var path = Path.Combine(directory.Path, "ca.pfx");
        File.WriteAllBytes(path, new X509Certificate2Collection { intermediate, root }.Export(X509ContentType.Pkcs12, password)!);
        return path;
    }
}

internal sealed class ListLogger : ILogger
{
    public List<string> Messages { get; } = [];

    public List<string> Warnings { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Messages)
        {
            Messages.Add(formatter(state, exception));
            if (logLevel == LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
        }
    }
}
