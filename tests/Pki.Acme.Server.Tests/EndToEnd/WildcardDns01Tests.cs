using System.Net;
using Pki.Acme;
using Pki.TestSupport;

namespace Pki.Acme.Server.Tests.EndToEnd;

/// <summary>
/// A wildcard over dns-01, end to end: Pki.Acme publishes the TXT record in a real DNS server (pebble-challtestsrv, whose
/// management API sets records), the server's dns-01 validator and its CAA check query that server.
/// </summary>
public sealed class WildcardDns01Tests
{
    [Fact]
    public async Task A_wildcard_is_issued_after_the_server_finds_the_txt_record()
    {
        await using var dns = await ChallTestServer.StartAsync();
        await using var server = await EmbeddedServer.StartAsync(http01Port: 1, nameServer: new IPEndPoint(IPAddress.Loopback, dns.DnsPort));
        var client = server.CreateClient();
        using var accountKey = AcmeKey.Create();
        var account = await client.CreateAccountAsync(accountKey, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        var provider = new ChallTestTxtProvider(dns);

        var issued = await new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("*.wild.acme.test")] },
            [new Dns01ChallengeSolver(provider)]);

        using var leaf = issued.Chain.LoadLeaf();
        Assert.Equal(new byte[] { 0x30, 0x00 }, leaf.SubjectName.RawData); // the built-in profile has no commonName
        Assert.Equal(["*.wild.acme.test"], leaf.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.Equal(1, provider.Published);
    }

    [Fact]
    public async Task A_wildcard_without_its_txt_record_is_refused_with_the_dns_problem()
    {
        await using var dns = await ChallTestServer.StartAsync();
        await using var server = await EmbeddedServer.StartAsync(
            http01Port: 1,
            nameServer: new IPEndPoint(IPAddress.Loopback, dns.DnsPort),
            configure: o => o.Validation.Attempts = 1);
        var client = server.CreateClient();
        using var accountKey = AcmeKey.Create();
        var account = await client.CreateAccountAsync(accountKey, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });

        // The provider "publishes" nowhere: the validator finds no TXT record.
        var failed = await Assert.ThrowsAsync<AcmeOrderException>(() => new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("*.nowhere.acme.test")] },
            [new Dns01ChallengeSolver(new DroppingProvider())]));

        Assert.NotNull(failed.Problem);
        Assert.Equal(AcmeProblemTypes.Unauthorized, failed.Problem.Type);
        Assert.Contains("_acme-challenge.nowhere.acme.test", failed.Problem.Detail, StringComparison.Ordinal);
    }

    private sealed class ChallTestTxtProvider(ChallTestServer dns) : IDnsProvider
    {
        private int _published;

        public int Published => _published;

        public async Task PublishTxtAsync(string recordName, string value, CancellationToken cancellationToken)
        {
            await dns.SetTxtAsync(recordName, value, cancellationToken);
            Interlocked.Increment(ref _published);
        }

        public Task RemoveTxtAsync(string recordName, string value, CancellationToken cancellationToken) => dns.ClearTxtAsync(recordName, cancellationToken);
    }

    private sealed class DroppingProvider : IDnsProvider
    {
        public Task PublishTxtAsync(string recordName, string value, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task RemoveTxtAsync(string recordName, string value, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
