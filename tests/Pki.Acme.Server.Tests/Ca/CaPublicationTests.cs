using System.Security.Cryptography.X509Certificates;
using Pki.Acme.Server;

namespace Pki.Acme.Server.Tests.Ca;

/// <summary>Where certificates point relying parties for the CA's files (AIA caIssuers, CRL distribution points), and the start-up warnings about BR-relevant settings.</summary>
public sealed class CaPublicationTests
{
    private static readonly Uri Publication = new("http://pki.example.com/acme");

    [Fact]
    public async Task Publication_base_url_is_used_for_aia_and_crl_urls_of_leaves_and_the_generated_intermediate()
    {
        using var fixture = new CaFixture(o => o.PublicationBaseUrl = Publication);
        var (leaf, _) = await fixture.IssueAsync(names: ["www.example.com"]);
        var aia = Assert.IsType<X509AuthorityInformationAccessExtension>(Asn.Extension(leaf, "1.3.6.1.5.5.7.1.1"));
        Assert.Equal(["http://pki.example.com/acme/ca/intermediate.cer"], aia.EnumerateCAIssuersUris());
        Assert.Equal(["http://pki.example.com/acme/ca/intermediate.crl"], Asn.CrlDistributionPoints(Asn.Extension(leaf, "2.5.29.31")!));

        var intermediate = fixture.Ca.IntermediateCertificate;
        var intermediateAia = Assert.IsType<X509AuthorityInformationAccessExtension>(Asn.Extension(intermediate, "1.3.6.1.5.5.7.1.1"));
        Assert.Equal(["http://pki.example.com/acme/ca/root.cer"], intermediateAia.EnumerateCAIssuersUris());
        Assert.Equal(["http://pki.example.com/acme/ca/root.crl"], Asn.CrlDistributionPoints(Asn.Extension(intermediate, "2.5.29.31")!));
    }

    [Fact]
    public async Task A_trailing_slash_on_the_publication_base_url_gives_no_double_slash()
    {
        using var fixture = new CaFixture(o => o.PublicationBaseUrl = new Uri("http://pki.example.com:8080/"));
        var (leaf, _) = await fixture.IssueAsync(names: ["www.example.com"]);
        var aia = Assert.IsType<X509AuthorityInformationAccessExtension>(Asn.Extension(leaf, "1.3.6.1.5.5.7.1.1"));
        Assert.Equal(["http://pki.example.com:8080/ca/intermediate.cer"], aia.EnumerateCAIssuersUris());
    }

    [Fact]
    public void Without_publication_base_url_an_https_server_url_is_used_and_warned_about_once()
    {
        var logger = new ListLogger();
        using var fixture = new CaFixture(logger: logger);
        Assert.Equal(["https://acme.test/acme/ca/root.cer"], Assert.IsType<X509AuthorityInformationAccessExtension>(Asn.Extension(fixture.Ca.IntermediateCertificate, "1.3.6.1.5.5.7.1.1")).EnumerateCAIssuersUris());
        var warning = Assert.Single(logger.Warnings, w => w.Contains("PublicationBaseUrl", StringComparison.Ordinal));
        Assert.Contains("require plain http", warning, StringComparison.Ordinal);
        Assert.Contains("https://acme.test/acme/ca/intermediate.cer", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void An_http_publication_or_an_http_server_url_is_not_warned_about()
    {
        var logger = new ListLogger();
        using (new CaFixture(o => o.PublicationBaseUrl = Publication, logger))
        {
        }

        using (new CaFixture(logger: logger, baseUrl: new Uri("http://acme.test/acme")))
        {
        }

        Assert.DoesNotContain(logger.Warnings, w => w.Contains("PublicationBaseUrl", StringComparison.Ordinal));
    }

    [Fact]
    public void Generating_without_a_country_warns_once_and_loading_does_not()
    {
        var logger = new ListLogger();
        using var directory = new Pki.TestSupport.TempDirectory();
        var options = new AcmeServerCaOptions { StateDirectory = directory.Path, PublicationBaseUrl = Publication };
        EmbeddedCa.Create(options, CaFixture.BaseUrl, new ListRevocationSource(), TimeProvider.System, logger).Dispose();
        var warning = Assert.Single(logger.Warnings, w => w.Contains("countryName", StringComparison.Ordinal));
        Assert.Contains("AcmeServerOptions.Ca.Country", warning, StringComparison.Ordinal);
        Assert.Contains("TLS BR 7.1.2.10.2", warning, StringComparison.Ordinal);
        Assert.Contains("CN=Pki ACME Server Root, O=Pki ACME Server", warning, StringComparison.Ordinal);
        Assert.Contains("CN=Pki ACME Server Intermediate, O=Pki ACME Server", warning, StringComparison.Ordinal);

        logger.Warnings.Clear();
        EmbeddedCa.Create(options, CaFixture.BaseUrl, new ListRevocationSource(), TimeProvider.System, logger).Dispose();
        Assert.DoesNotContain(logger.Warnings, w => w.Contains("countryName", StringComparison.Ordinal));
    }

    [Fact]
    public void Generating_with_a_country_does_not_warn_and_puts_it_first_in_both_subjects()
    {
        var logger = new ListLogger();
        using var fixture = new CaFixture(o => (o.Country, o.PublicationBaseUrl) = ("US", Publication), logger);
        Assert.DoesNotContain(logger.Warnings, w => w.Contains("countryName", StringComparison.Ordinal));
        Assert.All(logger.Warnings, w => Assert.Contains("generated '", w, StringComparison.Ordinal)); // only the distribute-the-root notes
        foreach (var certificate in new[] { fixture.Ca.RootCertificate, fixture.Ca.IntermediateCertificate })
        {
            Assert.Equal("2.5.4.6", certificate.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false).First().GetSingleElementType().Value);
            Assert.Contains("C=US", certificate.Subject, StringComparison.Ordinal);
        }
    }
}
