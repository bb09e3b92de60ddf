using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Pki.Acme;
using Pki.Acme.Server;
using Pki.Readme.Tests.Snippets.AcmeServer;
using Pki.TestSupport;

namespace Pki.Readme.Tests.Runs;

/// <summary>Pki.Acme.Server's README example, on loopback: Pki.Acme gets a certificate from it over http-01.</summary>
public sealed class ServerSnippetTests
{
    [Fact]
    public async Task The_embedded_ca_example_issues_a_certificate_to_pki_acme()
    {
        using var state = new TempDirectory();
        Directory.CreateDirectory(state.Path);
        var port = FreePorts.Tcp();
        var tokens = new InMemoryHttp01TokenStore();
        await using var responder = Http01Responder.Start(tokens, new IPEndPoint(IPAddress.Loopback, 0));
        await using var app = EmbeddedCa.Build([], builder =>
        {
            // The README's production URL and paths, moved to loopback and a temp folder; CAA off (no public DNS here).
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Services.PostConfigure<AcmeServerOptions>(acme =>
            {
                acme.BaseUrl = new Uri($"http://127.0.0.1:{port}");
                acme.DatabasePath = Path.Combine(state.Path, "acme.db");
                acme.Validation.Http01Port = responder.LocalEndPoint!.Port;
                acme.Validation.Hosts["*.internal.example"] = "127.0.0.1";
                acme.Validation.EnforceCaa = false;
            });
        });
        await app.StartAsync();
        try
        {
            using var http = new HttpClient();
            var client = new AcmeClient(http, new AcmeClientOptions { DirectoryUri = new Uri($"http://127.0.0.1:{port}/acme/directory"), AllowInsecureHttp = true });
            using var key = AcmeKey.Create();
            var account = await client.CreateAccountAsync(key, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
            var issued = await new AcmeCertificateIssuer(client).IssueAsync(
                account,
                new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("app.internal.example")] },
                [new Http01ChallengeSolver(tokens)]);

            using var leaf = issued.Chain.LoadLeaf();
            // Built-in profiles leave the subject empty (the name is in the critical subjectAltName) and link to the http publication URL.
            Assert.Equal(string.Empty, leaf.Subject);
            var san = Assert.Single(leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>());
            Assert.True(san.Critical);
            Assert.Equal(["app.internal.example"], san.EnumerateDnsNames());
            var aia = Assert.Single(leaf.Extensions.OfType<X509AuthorityInformationAccessExtension>());
            Assert.Equal(["http://pki.internal.example/acme/ca/intermediate.cer"], aia.EnumerateCAIssuersUris());
            Assert.Contains("acme.internal.example", (await client.GetDirectoryAsync()).Meta!.CaaIdentities!);
            Assert.StartsWith("-----BEGIN CERTIFICATE-----", await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/acme/ca/root.pem")), StringComparison.Ordinal);
        }
        finally
        {
            await app.StopAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }
}
