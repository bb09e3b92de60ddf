using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pki.Acme;
using Pki.Ari;
using Pki.Readme.Tests.Snippets.Acme;
using Pki.Readme.Tests.Snippets.Ari;
using Pki.Readme.Tests.Snippets.Root;
using Pki.TestSupport;
using Xunit.Abstractions;

namespace Pki.Readme.Tests.Runs;

/// <summary>The ACME README examples, run against Pebble on loopback in place of Let's Encrypt.</summary>
public sealed class PebbleSnippetTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Root_getting_a_certificate_example_issues_for_www_example_com_over_port_80()
    {
        using var environment = await SnippetEnvironment.EnterAsync(privilegedPorts: true);
        await using var pebble = await SnippetEnvironment.StartPebbleOnPrivilegedPortsAsync();
        pebble.Process.Output = output;
        using var http = pebble.CreateHttpClient();

        var issued = await GettingACertificate.RunAsync(http, pebble.DirectoryUri);

        Assert.NotNull(issued.PrivateKeyPem);
        using var leaf = issued.Chain.LoadLeaf();
        Assert.Equal("www.example.com", leaf.GetNameInfo(X509NameType.DnsName, forIssuer: false));
    }

    [Fact]
    public async Task Acme_http01_example_writes_privkey_and_fullchain_that_belong_together()
    {
        using var environment = await SnippetEnvironment.EnterAsync(privilegedPorts: true);
        await using var pebble = await SnippetEnvironment.StartPebbleOnPrivilegedPortsAsync();
        pebble.Process.Output = output;
        using var http = pebble.CreateHttpClient();

        await HttpChallengeExample.RunAsync(http, pebble.DirectoryUri);

        using var certificate = X509Certificate2.CreateFromPemFile(Path.Combine(environment.Directory, "fullchain.pem"), Path.Combine(environment.Directory, "privkey.pem"));
        Assert.True(certificate.HasPrivateKey);
        Assert.Equal("www.example.com", certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false));
    }

    [Fact]
    public async Task Acme_tls_alpn01_example_issues_over_port_443()
    {
        using var environment = await SnippetEnvironment.EnterAsync(privilegedPorts: true);
        await using var pebble = await SnippetEnvironment.StartPebbleOnPrivilegedPortsAsync();
        pebble.Process.Output = output;
        using var http = pebble.CreateHttpClient();
        var client = new AcmeClient(http, new AcmeClientOptions { DirectoryUri = pebble.DirectoryUri });
        using var accountKey = AcmeKey.Create();
        var account = await client.CreateAccountAsync(accountKey, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });

        var issued = await TlsAlpnChallenge.RunAsync(new AcmeCertificateIssuer(client), account);

        using var leaf = issued.Chain.LoadLeaf();
        Assert.Equal("alpn.example.com", leaf.GetNameInfo(X509NameType.DnsName, forIssuer: false));
    }

    [Fact]
    public async Task Acme_eab_key_rollover_and_revocation_examples_run_against_a_ca_that_requires_eab()
    {
        var macKey = Base64Url(RandomNumberGenerator.GetBytes(32));
        await using var pebble = await PebbleServer.StartAsync(new PebbleOptions
        {
            ExternalAccountBindingRequired = true,
            ExternalAccountMacKeys = new Dictionary<string, string> { ["kid-readme"] = macKey },
        });
        pebble.Process.Output = output;
        using var http = pebble.CreateHttpClient();
        var client = new AcmeClient(http, new AcmeClientOptions { DirectoryUri = pebble.DirectoryUri });

        var account = await ExternalAccountBinding.RunAsync(client, "kid-readme", macKey);

        var tokens = new InMemoryHttp01TokenStore();
        await using var responder = Http01Responder.Start(tokens, pebble.HttpPort);
        var issuer = new AcmeCertificateIssuer(client);
        var issued = await issuer.IssueAsync(account, new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("issued.example.com")] }, [new Http01ChallengeSolver(tokens)]);
        var leaked = await issuer.IssueAsync(account, new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("leaked.example.com")] }, [new Http01ChallengeSolver(tokens)]);

        var rolled = await KeysAndRevocation.RunAsync(client, account, issued, leaked);

        Assert.Equal("ES384", rolled.Key.Algorithm);
        Assert.Equal("Revoked", await pebble.GetCertificateStatusAsync(SerialHex(issued)));
        Assert.Equal("Revoked", await pebble.GetCertificateStatusAsync(SerialHex(leaked)));
    }

    [Fact]
    public async Task Ari_example_plans_the_renewal_and_renews_once_the_plan_is_due()
    {
        using var environment = await SnippetEnvironment.EnterAsync();
        await using var pebble = await PebbleServer.StartAsync(new PebbleOptions { CertificateValidityPeriodSeconds = 12 });
        pebble.Process.Output = output;
        using var http = pebble.CreateHttpClient();
        var client = new AcmeClient(http, new AcmeClientOptions { DirectoryUri = pebble.DirectoryUri });
        using var accountKey = AcmeKey.Create();
        var account = await client.CreateAccountAsync(accountKey, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        var tokens = new InMemoryHttp01TokenStore();
        await using var responder = Http01Responder.Start(tokens, pebble.HttpPort);
        IChallengeSolver[] solvers = [new Http01ChallengeSolver(tokens)];
        var first = await new AcmeCertificateIssuer(client).IssueAsync(account, new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("ari.example.com")] }, solvers);
        File.WriteAllText("fullchain.pem", first.ChainPem);

        var renewals = 0;
        var request = new AcmeIssuanceRequest
        {
            Identifiers = [AcmeIdentifier.Dns("ari.example.com")],
            OrderCreated = (_, _) => { Interlocked.Increment(ref renewals); return Task.CompletedTask; },
        };

        // Pebble has no renewalInfo: the plan is the fallback, when a third of the 12 s lifetime remains.
        var plan = await RenewalExample.RunAsync(http, pebble.DirectoryUri, account, request, solvers);
        Assert.Equal(RenewalReason.Fallback, plan.Reason);
        Assert.Equal(0, renewals);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (renewals == 0 && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            plan = await RenewalExample.RunAsync(http, pebble.DirectoryUri, account, request, solvers);
        }

        Assert.Equal(1, renewals);
        Assert.True(plan.IsDue(DateTimeOffset.UtcNow));
    }

    private static string SerialHex(AcmeIssuedCertificate issued)
    {
        using var leaf = issued.Chain.LoadLeaf();
        return leaf.SerialNumber.TrimStart('0').ToLowerInvariant();
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
