using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Pki.Acme;
using Pki.Caa;
using Pki.Readme.Tests.Snippets.Acme;
using Pki.Readme.Tests.Snippets.Caa;
using Pki.Readme.Tests.Snippets.Smime;
using Pki.Smime;

namespace Pki.Readme.Tests.Runs;

/// <summary>The README examples that need no network, run as written.</summary>
public sealed class OfflineSnippetTests
{
    [Fact]
    public async Task Caa_offline_zone_example_gives_the_verdicts_its_comments_state()
    {
        var (zoneText, www, shop, mail) = await OfflineZone.RunAsync();

        Assert.Equal(CaaVerdict.Permitted, www.Verdict);
        Assert.Equal("example.com", www.RelevantRRset.OwnerName);
        Assert.Equal(CaaVerdict.Denied, shop.Verdict);
        Assert.Equal(CaaVerdict.Permitted, mail.Verdict);
        Assert.Equal("example.com", CaaZone.Parse(zoneText).Origin);
    }

    [Fact]
    public void Caa_policy_builder_example_writes_the_lines_its_comments_show()
    {
        Assert.Equal(
            [
                "example.com. 3600 IN CAA 0 issue \"ca.example; accounturi=https://ca.example/acct/123; validationmethods=dns-01\"",
                "example.com. 3600 IN CAA 0 issuewild \";\"",
                "example.com. 3600 IN CAA 0 issuemail \";\"",
                "example.com. 3600 IN CAA 0 iodef \"mailto:security@example.com\"",
            ],
            PolicyBuilder.Run());
    }

    [Fact]
    public async Task Smime_example_issues_a_compliant_strict_mailbox_certificate_into_alice_pem()
    {
        using var environment = await SnippetEnvironment.EnterAsync();

        var (request, report) = MailboxCertificate.Run();

        Assert.True(report.IsCompliant, string.Join("; ", report.Errors));
        Assert.Equal(request.Profile, report.Profile);
        using var written = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(environment.Directory, "alice.pem")));
        Assert.Equal("alice@example.com", written.GetNameInfo(X509NameType.EmailName, forIssuer: false));
    }

    [Fact]
    public async Task Smime_issuing_ca_example_reads_the_ca_from_smime_ca_pem_and_issues_with_its_urls()
    {
        using var environment = await SnippetEnvironment.EnterAsync();
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using (var caCertificate = CreateCaCertificate(caKey))
        {
            File.WriteAllText("smime-ca.pem", caCertificate.ExportCertificatePem());
        }

        var ca = IssuingCa.Run(caKey);

        Assert.Equal(new Uri("http://ca.example.com/smime.cer"), ca.CaIssuers);
        Assert.Equal(["ca.example.com"], ca.IssuerDomainNames);
        using var subscriberKey = SmimeKeyPair.Generate(SmimeKeyAlgorithm.EcP256);
        var certificate = new SmimeCertificateBuilder().Build(AliceRequest(subscriberKey), ca);
        var report = SmimeLinter.Lint(certificate.ToPem(), options: new SmimeLintOptions { IssuerCertificate = ca.Certificate });
        Assert.True(report.IsCompliant, string.Join("; ", report.Errors));
        var der = System.Text.Encoding.ASCII.GetString(certificate.RawData.Span);
        Assert.Contains("http://crl.example.com/smime.crl", der, StringComparison.Ordinal);
        Assert.Contains("http://ca.example.com/smime.cer", der, StringComparison.Ordinal);
    }

    [Fact]
    public void Acme_dependency_injection_example_registers_a_client_for_the_directory_it_names()
    {
        using var provider = DependencyInjection.Run().BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var client = provider.GetRequiredService<AcmeClient>();

        Assert.Equal(AcmeClientOptions.LetsEncryptProduction, client.DirectoryUri);
    }

    internal static SmimeCertificateRequest AliceRequest(SmimeKeyPair key) => new()
    {
        Profile = new SmimeProfile(SmimeValidationType.Mailbox, SmimeGeneration.Strict),
        Mailboxes = ["alice@example.com"],
        Subject = new SmimeSubject { CommonName = "alice@example.com" },
        PublicKey = key.PublicKey,
    };

    /// <summary>A self-signed S/MIME CA certificate (basicConstraints cA, keyCertSign, a subjectKeyIdentifier) for <paramref name="key"/>.</summary>
    internal static X509Certificate2 CreateCaCertificate(ECDsa key)
    {
        var request = new CertificateRequest("CN=Readme S/MIME CA, O=Example, C=US", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(2));
    }
}
