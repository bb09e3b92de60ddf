using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Acme.Management;
using Pki.TestSupport;

namespace Pki.Acme.AspNetCore.Tests;

/// <summary>
/// The one-call setup (<c>services.AddAcmeCertificates(o =&gt; o.UseLetsEncrypt(...).AddDomain(...))</c>
/// or the <c>Acme</c> configuration section alone): apps that call nothing else get a certificate
/// from a real Pebble and serve it on the HTTPS endpoints of their URLs.
/// </summary>
public sealed class OneCallSetupTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Fact]
    public async Task An_app_with_only_the_one_call_gets_a_certificate_over_http01_and_serves_it_on_its_https_url_from_the_default_store()
    {
        await using var pebble = await PebbleServer.StartAsync();
        using var root = await pebble.GetRootAsync();
        var identifier = KestrelHost.UniqueName("one");
        var httpsPort = FreePorts.Tcp();
        var applicationName = "pki-onecall-" + Guid.NewGuid().ToString("N")[..12];
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ApplicationName = applicationName });
        builder.WebHost.UseUrls($"http://127.0.0.1:{pebble.HttpPort}", $"https://127.0.0.1:{httpsPort}");
        builder.Services.AddAcmeCertificates(o => o.UseDirectory(pebble.DirectoryUri, "admin@example.com", agreeToTermsOfService: true).AddDomain(identifier));
        TrustPebble(builder.Services, pebble);
        await using var app = builder.Build();
        app.MapGet("/", () => "hello over https");

        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        var expectedStore = Path.Combine(data, applicationName, "acme");
        await app.StartAsync();
        try
        {
            // No UseAcmeHttp01Challenges(): Pebble validated http-01 through the middleware the one call put in the pipeline.
            var issued = await KestrelHost.WaitForCertificateAsync(app.Services.GetRequiredService<CertificateManager>(), _ => true);
            var (leaf, body) = await KestrelHost.GetOverHttpsAsync(identifier, httpsPort, root);
            Assert.Equal("hello over https", body);
            Assert.Equal(issued.Certificate.Thumbprint, leaf.Thumbprint);
            Assert.Equal([identifier], SubjectAlternativeDnsNames(leaf));

            // The default store: {LocalApplicationData}/{ApplicationName}/acme, owner-only.
            var store = Assert.IsType<FileSystemCertificateStore>(app.Services.GetRequiredService<ICertificateStore>());
            Assert.Equal(expectedStore, store.RootPath);
            Assert.Equal(expectedStore, app.Services.GetRequiredService<IOptions<AcmeCertificatesOptions>>().Value.StorePath);
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(data, applicationName)));
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(expectedStore));
            Assert.NotEmpty(Directory.GetFiles(expectedStore, "*", SearchOption.AllDirectories));

            // The middleware answers a token on the plain HTTP URL and passes everything else on.
            app.Services.GetRequiredService<IHttp01TokenStore>().Add("tok-1", "tok-1.thumbprint");
            Assert.Equal("200 application/octet-stream tok-1.thumbprint", await KestrelHost.GetStringAsync(pebble.HttpPort, "/.well-known/acme-challenge/tok-1"));
            Assert.Equal("404", await KestrelHost.GetStringAsync(pebble.HttpPort, "/.well-known/acme-challenge/unknown"));
            Assert.Equal("200 text/plain; charset=utf-8 hello over https", await KestrelHost.GetStringAsync(pebble.HttpPort, "/"));
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(Path.Combine(data, applicationName), recursive: true);
        }
    }

    [Fact]
    public async Task The_acme_configuration_section_alone_is_enough_and_tls_alpn_01_is_answered_on_the_https_url()
    {
        await using var pebble = await PebbleServer.StartAsync();
        using var root = await pebble.GetRootAsync();
        using var store = new TempDirectory();
        var identifier = KestrelHost.UniqueName("json");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = $"https://127.0.0.1:{pebble.TlsPort}", // HTTPS only, on the port Pebble's tls-alpn-01 validator connects to
            ["Acme:Contact"] = "admin@example.com",
            ["Acme:AgreeToTermsOfService"] = "true",
            ["Acme:Domains:0"] = identifier,
            ["Acme:Directory"] = pebble.DirectoryUri.ToString(),
            ["Acme:StorePath"] = store.Path,
        });
        builder.Services.AddAcmeCertificates();
        TrustPebble(builder.Services, pebble);
        builder.Services.RemoveAll<IChallengeSolver>().AddSingleton<IChallengeSolver>(sp => sp.GetRequiredService<TlsAlpn01ChallengeSolver>());
        await using var app = builder.Build();
        app.MapGet("/", () => "hello over https");
        await app.StartAsync();
        try
        {
            var issued = await KestrelHost.WaitForCertificateAsync(app.Services.GetRequiredService<CertificateManager>(), _ => true);
            var (leaf, body) = await KestrelHost.GetOverHttpsAsync(identifier, pebble.TlsPort, root);
            Assert.Equal("hello over https", body);
            Assert.Equal(issued.Certificate.Thumbprint, leaf.Thumbprint);
            Assert.Equal([identifier], SubjectAlternativeDnsNames(leaf));
            Assert.Equal(Path.GetFullPath(store.Path), Assert.IsType<FileSystemCertificateStore>(app.Services.GetRequiredService<ICertificateStore>()).RootPath);
            Assert.Equal(0, app.Services.GetRequiredService<StoreTlsAlpn01ChallengeStore>().Count); // the challenge was withdrawn
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task On_an_https_url_a_published_tls_alpn_01_challenge_goes_to_acme_tls_1_clients_only_and_other_handshakes_wait_for_the_first_certificate()
    {
        using var store = new TempDirectory();
        var httpsPort = FreePorts.Tcp();
        const string name = "alpn-default.example.test";
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls($"https://127.0.0.1:{httpsPort}");
        builder.Services.AddAcmeCertificates(o =>
        {
            o.UseDirectory(new Uri("https://acme.example/directory"), "admin@example.com", agreeToTermsOfService: true).AddDomain(name);
            o.StorePath = store.Path;
        });
        builder.Services.RemoveAll<IHostedService>(); // no issuance: the HTTPS defaults are tested on their own
        await using var app = builder.Build();
        await app.StartAsync();
        try
        {
            var otherInstance = new StoreTlsAlpn01ChallengeStore(new FileSystemCertificateStore(store.Path));
            await otherInstance.AddAsync(AcmeIdentifier.Dns(name), "tok-4.thumbprint", default);

            using var challenge = await KestrelTests.HandshakeAsync(httpsPort, name, "acme-tls/1");
            Assert.NotNull(challenge.Extensions[TlsAlpn01Certificate.AcmeIdentifierOid]);
            Assert.Equal(name, challenge.GetNameInfo(X509NameType.DnsName, forIssuer: false));
            await KestrelTests.AssertHandshakeFailsAsync(httpsPort, name, "h2", "http/1.1");

            await otherInstance.RemoveAsync(AcmeIdentifier.Dns(name), default);
            await KestrelTests.AssertHandshakeFailsAsync(httpsPort, name, "acme-tls/1");
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public void Code_adds_to_the_configuration_section_and_its_store_path_overrides_the_default()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Acme:Contact"] = "mailto:admin@example.com",
            ["Acme:AgreeToTermsOfService"] = "True",
            ["Acme:Domains"] = "example.com",
            ["Acme:StorePath"] = "/var/lib/from-configuration",
        });
        builder.Services.AddAcmeCertificates(o =>
        {
            o.UseLetsEncryptStaging("backup@example.com", agreeToTermsOfService: true).AddDomain("www.example.com", "example.com");
            o.StorePath = "/var/lib/from-code";
        });
        using var services = builder.Services.BuildServiceProvider();
        var options = services.GetRequiredService<IOptions<AcmeCertificatesOptions>>().Value;

        Assert.Equal("/var/lib/from-code", options.StorePath);
        Assert.Equal(
            ["letsencrypt https://acme-v02.api.letsencrypt.org/directory mailto:admin@example.com agreed", "letsencrypt-staging https://acme-staging-v02.api.letsencrypt.org/directory mailto:backup@example.com agreed"],
            options.Issuers.Select(i => $"{i.Name} {i.DirectoryUri} {string.Join(",", i.Contacts)} {(i.TermsOfServiceAgreed ? "agreed" : "not agreed")}"));
        var certificate = Assert.Single(options.Manager.Certificates);
        Assert.Equal(AcmeCertificatesOptionsExtensions.DefaultCertificateName, certificate.Name);
        Assert.Equal(["example.com", "www.example.com"], certificate.Identifiers);
    }

    public static TheoryData<string, Action<AcmeCertificatesOptions>, string[], string> StartUpErrors() => new()
    {
        {
            "no domain", o => o.UseLetsEncrypt("admin@example.com", agreeToTermsOfService: true), [],
            "No domain to get a certificate for: call o.AddDomain(\"example.com\") in AddAcmeCertificates, or list the names in Acme:Domains in configuration."
        },
        {
            "no CA", o => o.AddDomain("example.com"), [],
            "No ACME CA is configured: call o.UseLetsEncrypt(\"admin@example.com\", agreeToTermsOfService: true) (or UseDirectory) in AddAcmeCertificates, or set Acme:Contact and Acme:AgreeToTermsOfService (and Acme:Directory for a CA other than Let's Encrypt) in configuration."
        },
        {
            "no contact in code", o => o.UseLetsEncrypt(" ", agreeToTermsOfService: true).AddDomain("example.com"), [],
            "Issuer 'letsencrypt': no contact. Give the account's e-mail address, e.g. UseLetsEncrypt(\"admin@example.com\", agreeToTermsOfService: true), or set Acme:Contact in configuration."
        },
        {
            "no contact in configuration", _ => { }, ["Acme:AgreeToTermsOfService=true", "Acme:Domains:0=example.com"],
            "Issuer 'letsencrypt': no contact. Give the account's e-mail address, e.g. UseLetsEncrypt(\"admin@example.com\", agreeToTermsOfService: true), or set Acme:Contact in configuration."
        },
        {
            "contact not an address", o => o.UseLetsEncrypt("admin", agreeToTermsOfService: true).AddDomain("example.com"), [],
            "Issuer 'letsencrypt': the contact 'admin' is not one e-mail address (e.g. admin@example.com)."
        },
        {
            "terms not agreed in code", o => o.UseLetsEncrypt("admin@example.com", agreeToTermsOfService: false).AddDomain("example.com"), [],
            "Issuer 'letsencrypt': the CA's terms of service were not agreed to. Read them (the directory https://acme-v02.api.letsencrypt.org/directory links them as meta.termsOfService) and pass agreeToTermsOfService: true, or set Acme:AgreeToTermsOfService to true in configuration."
        },
        {
            "terms not agreed in configuration", _ => { }, ["Acme:Contact=admin@example.com", "Acme:Domains:0=example.com", "Acme:Directory=https://acme.example/directory"],
            "Issuer 'acme.example': the CA's terms of service were not agreed to. Read them (the directory https://acme.example/directory links them as meta.termsOfService) and pass agreeToTermsOfService: true, or set Acme:AgreeToTermsOfService to true in configuration."
        },
        {
            "terms not a boolean", _ => { }, ["Acme:Contact=admin@example.com", "Acme:AgreeToTermsOfService=yes", "Acme:Domains:0=example.com"],
            "Acme:AgreeToTermsOfService must be true or false; it is 'yes'."
        },
        {
            "invalid domain", o => o.UseLetsEncrypt("admin@example.com", agreeToTermsOfService: true).AddDomain("exa mple.com"), [],
            "The domain 'exa mple.com' cannot be in a certificate: 'exa mple.com' is not a fully qualified DNS name (use AcmeIdentifier.Ip for addresses). (Parameter 'name')"
        },
        {
            "empty domain in configuration", _ => { }, ["Acme:Contact=admin@example.com", "Acme:AgreeToTermsOfService=true", "Acme:Domains:0="],
            "A domain name is empty: give fully qualified names such as example.com."
        },
        {
            "directory not a URL", _ => { }, ["Acme:Contact=admin@example.com", "Acme:AgreeToTermsOfService=true", "Acme:Directory=acme.example"],
            "Acme:Directory 'acme.example' is not an absolute URL (e.g. https://acme-staging-v02.api.letsencrypt.org/directory)."
        },
    };

    [Theory]
    [MemberData(nameof(StartUpErrors))]
    public async Task A_setting_that_cannot_work_stops_the_start_up_with_a_message_that_says_what_to_do(string mistake, Action<AcmeCertificatesOptions> configure, string[] settings, string message)
    {
        Assert.NotEmpty(mistake);
        using var store = new TempDirectory();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls($"http://127.0.0.1:{FreePorts.Tcp()}");
        builder.Configuration.AddInMemoryCollection(settings.Select(s => s.Split('=', 2)).ToDictionary(p => p[0], p => (string?)p[1]));
        builder.Services.AddAcmeCertificates(o =>
        {
            o.StorePath = store.Path;
            configure(o);
        });
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<AcmeManagementConfigurationException>(() => app.StartAsync());
        Assert.Equal(message, error.Message);
    }

    private static void TrustPebble(IServiceCollection services, PebbleServer pebble) =>
        services.AddHttpClient(AcmeCertificatesOptions.HttpClientName(pebble.DirectoryUri.Host)).ConfigurePrimaryHttpMessageHandler(pebble.CreatePinnedHandler);

    [Fact]
    public void The_acme_http_traffic_logs_from_warning_up_unless_the_logging_configuration_names_its_category()
    {
        const string category = "System.Net.Http.HttpClient.Pki.Acme.Management:letsencrypt.LogicalHandler";
        static WebApplication Build(Dictionary<string, string?> settings)
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Services.AddAcmeCertificates(o => o.UseLetsEncrypt("admin@example.com", agreeToTermsOfService: true).AddDomain("example.com"));
            return builder.Build();
        }

        using (var quiet = Build(new() { ["Logging:LogLevel:Default"] = "Information" }))
        {
            var logger = quiet.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category);
            Assert.False(logger.IsEnabled(LogLevel.Information));
            Assert.True(logger.IsEnabled(LogLevel.Warning));
            Assert.True(quiet.Services.GetRequiredService<ILoggerFactory>().CreateLogger("System.Net.Http.HttpClient.Other.LogicalHandler").IsEnabled(LogLevel.Information));
        }

        using var chatty = Build(new() { ["Logging:LogLevel:Default"] = "Warning", [$"Logging:LogLevel:{AcmeCertificatesServiceCollectionExtensions.AcmeHttpLogCategory}"] = "Information" });
        Assert.True(chatty.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category).IsEnabled(LogLevel.Information));
    }

    private static string[] SubjectAlternativeDnsNames(X509Certificate2 certificate) =>
        [.. certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames()];
}
