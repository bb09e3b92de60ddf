using Microsoft.Extensions.Time.Testing;
using Pki.Acme.Server;

namespace Pki.Acme.Server.Tests.Ca;

/// <summary>Every option the CA refuses, with the message that names it.</summary>
public sealed class CaOptionsTests
{
    public static TheoryData<string, string> BadOptions => new()
    {
        { "no-state", "AcmeServerCaOptions.StateDirectory is required" },
        { "pem-and-pfx", "set either the PEM paths or PfxPath, not both" },
        { "pem-without-key", "AcmeServerCaOptions.IntermediateKeyPemPath is required" },
        { "pem-without-root", "AcmeServerCaOptions.RootCertificatePemPath is required" },
        { "bad-algorithm", "AcmeServerCaOptions.KeyAlgorithm 42 is not one of" },
        { "bad-country", "AcmeServerCaOptions.Country must be two upper-case letters" },
        { "long-organization", "AcmeServerCaOptions.Organization must be 1 to 64 characters" },
        { "empty-common-name", "AcmeServerCaOptions.CommonName must be 1 to 51 characters" },
        { "duplicate-profile", "AcmeServerCaOptions.Profiles names 'a' twice" },
        { "bad-profile-name", "Profile name 'a b' must be 1 to 64 letters" },
        { "long-validity", "Profile 'a': Validity 201.00:00:00 must be between 1 hour and 200 days" },
        { "short-validity", "Profile 'a': Validity 00:10:00 must be between 1 hour and 200 days" },
        { "no-crl-dp-long", "Profile 'a': only short-lived certificates (Validity at most 7 days" },
        { "publication-https", "AcmeServerCaOptions.PublicationBaseUrl must be an absolute http:// URL without query or fragment (the TLS BR 7.1.2.7.7 and 7.1.2.11.2 allow only http for AIA and CRL URLs), not 'https://pki.example.com/acme'" },
        { "publication-ftp", "AcmeServerCaOptions.PublicationBaseUrl must be an absolute http:// URL without query or fragment (the TLS BR 7.1.2.7.7 and 7.1.2.11.2 allow only http for AIA and CRL URLs), not 'ftp://pki.example.com/acme'" },
        { "publication-relative", "AcmeServerCaOptions.PublicationBaseUrl must be an absolute http:// URL without query or fragment (the TLS BR 7.1.2.7.7 and 7.1.2.11.2 allow only http for AIA and CRL URLs), not '/acme'" },
        { "publication-query", "AcmeServerCaOptions.PublicationBaseUrl must be an absolute http:// URL without query or fragment (the TLS BR 7.1.2.7.7 and 7.1.2.11.2 allow only http for AIA and CRL URLs), not 'http://pki.example.com/acme?x=1'" },
        { "publication-fragment", "AcmeServerCaOptions.PublicationBaseUrl must be an absolute http:// URL without query or fragment (the TLS BR 7.1.2.7.7 and 7.1.2.11.2 allow only http for AIA and CRL URLs), not 'http://pki.example.com/acme#top'" },
        { "publication-userinfo", "AcmeServerCaOptions.PublicationBaseUrl must not carry user information" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Bad_options_are_refused_with_a_message_naming_the_setting(string @case, string expected)
    {
        var options = new AcmeServerCaOptions { StateDirectory = "/tmp/x" };
        switch (@case)
        {
            case "no-state": options.StateDirectory = null; break;
            case "pem-and-pfx": options.PfxPath = "a.pfx"; options.RootCertificatePemPath = "r.pem"; break;
            case "pem-without-key": options.RootCertificatePemPath = "r.pem"; options.IntermediateCertificatePemPath = "i.pem"; break;
            case "pem-without-root": options.IntermediateCertificatePemPath = "i.pem"; options.IntermediateKeyPemPath = "i.key"; break;
            case "bad-algorithm": options.KeyAlgorithm = (AcmeServerCaKeyAlgorithm)42; break;
            case "bad-country": options.Country = "Germany"; break;
            case "long-organization": options.Organization = new string('o', 65); break;
            case "empty-common-name": options.CommonName = string.Empty; break;
            case "duplicate-profile": options.Profiles.Add(new() { Name = "a" }); options.Profiles.Add(new() { Name = "a" }); break;
            case "bad-profile-name": options.Profiles.Add(new() { Name = "a b" }); break;
            case "long-validity": options.Profiles.Add(new() { Name = "a", Validity = TimeSpan.FromDays(201) }); break;
            case "short-validity": options.Profiles.Add(new() { Name = "a", Validity = TimeSpan.FromMinutes(10) }); break;
            case "no-crl-dp-long": options.Profiles.Add(new() { Name = "a", IncludeCrlDistributionPoint = false }); break;
            case "publication-https": options.PublicationBaseUrl = new Uri("https://pki.example.com/acme"); break;
            case "publication-ftp": options.PublicationBaseUrl = new Uri("ftp://pki.example.com/acme"); break;
            case "publication-relative": options.PublicationBaseUrl = new Uri("/acme", UriKind.Relative); break;
            case "publication-query": options.PublicationBaseUrl = new Uri("http://pki.example.com/acme?x=1"); break;
            case "publication-fragment": options.PublicationBaseUrl = new Uri("http://pki.example.com/acme#top"); break;
            case "publication-userinfo": options.PublicationBaseUrl = new Uri("http://user:s3cret-pw@pki.example.com/acme"); break;
        }

        var error = Assert.Throws<AcmeCaConfigurationException>(options.Validate);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", error.Message, StringComparison.Ordinal);
        var fromCreate = Assert.Throws<AcmeCaConfigurationException>(() => EmbeddedCa.Create(options, CaFixture.BaseUrl, new ListRevocationSource(), new FakeTimeProvider()));
        Assert.Equal(error.Message, fromCreate.Message);
    }

    [Theory]
    [InlineData("ftp://host/acme")]
    [InlineData("https://host/acme?x=1")]
    public void Base_url_must_be_http_or_https_without_query(string url)
    {
        var error = Assert.Throws<AcmeCaConfigurationException>(() => EmbeddedCa.Create(new AcmeServerCaOptions { StateDirectory = "/tmp/x" }, new Uri(url), new ListRevocationSource(), TimeProvider.System));
        Assert.Contains("must be an absolute http or https URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_a_90_day_tls_server_profile_and_a_7_day_shortlived_one()
    {
        var defaults = AcmeServerProfileOptions.CreateDefaults();
        Assert.Equal(("tls-server", TimeSpan.FromDays(90), true), (defaults[0].Name, defaults[0].Validity, defaults[0].IncludeCrlDistributionPoint));
        Assert.Equal(("shortlived", TimeSpan.FromDays(7), false), (defaults[1].Name, defaults[1].Validity, defaults[1].IncludeCrlDistributionPoint));
        Assert.Equal(AcmeServerCaKeyAlgorithm.EcdsaP256, new AcmeServerCaOptions().KeyAlgorithm);
        new AcmeServerCaOptions { StateDirectory = "/tmp/x" }.Validate();
        Assert.Null(new AcmeServerCaOptions().PublicationBaseUrl);
        new AcmeServerCaOptions { StateDirectory = "/tmp/x", PublicationBaseUrl = new Uri("http://pki.example.com:8080/acme/") }.Validate();
    }
}
