using Pki.Acme;
using Pki.TestSupport;
using Xunit.Abstractions;

namespace Pki.Ari.Tests;

public sealed class PebbleIntegrationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Pebble_certificates_have_certids_and_without_renewal_info_the_fallback_applies_and_no_replaces_is_sent()
    {
        await using var pebble = await PebbleServer.StartAsync();
        pebble.Process.Output = output;
        var recorder = new RecordingHandler(pebble.CreatePinnedHandler());
        using var http = new HttpClient(recorder);
        var client = new AcmeClient(http, new AcmeClientOptions { DirectoryUri = pebble.DirectoryUri });
        var store = new InMemoryHttp01TokenStore();
        await using var responder = Http01Responder.Start(store, pebble.HttpPort);
        var account = await client.CreateAccountAsync(AcmeKey.Create(), new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        var request = new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns($"ari-{Guid.NewGuid():N}"[..12] + ".example.test")] };
        var solvers = new IChallengeSolver[] { new Http01ChallengeSolver(store) };

        var first = await new AcmeCertificateIssuer(client).IssueAsync(account, request, solvers);
        using var leaf = first.Chain.LoadLeaf();

        // The CertID is the AKI (the Pebble intermediate's SKI) and the DER serial.
        var id = AriCertId.FromCertificate(leaf);
        var all = first.Chain.LoadAll();
        var intermediate = all[1];
        var ski = intermediate.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray();
        Assert.Equal(ski, id.KeyIdentifier.ToArray());
        Assert.Equal(leaf.SerialNumberBytes.ToArray(), id.SerialNumber.ToArray());

        // Pebble 2.4's directory has no renewalInfo: the planner falls back.
        var directory = await client.GetDirectoryAsync();
        Assert.Null(directory.RenewalInfo);
        var planner = new RenewalPlanner(new RenewalInfoClient(http));
        var plan = await planner.PlanAsync(new TrackedCertificate(leaf, directory.RenewalInfo));
        Assert.Equal(RenewalReason.Fallback, plan.Reason);
        var lifetime = leaf.NotAfter.ToUniversalTime() - leaf.NotBefore.ToUniversalTime();
        Assert.Equal(new DateTimeOffset(leaf.NotAfter.ToUniversalTime()) - (lifetime / 3), plan.RenewAt!.Value, TimeSpan.FromSeconds(1));

        // A renewal from the same CA carries no replaces, because the CA has no ARI.
        var renewed = await AriRenewal.IssueRenewalAsync(new AcmeCertificateIssuer(client), account, request, solvers, leaf, pebble.DirectoryUri);
        Assert.NotEqual(first.Chain.Certificates[0], renewed.Chain.Certificates[0]);
        var orders = recorder.PayloadsTo("/order-plz").ToList();
        Assert.True(orders.Count >= 2, "two orders (more when Pebble's badNonce injection made the client resend one)");
        Assert.All(orders, o => Assert.False(o.TryGetProperty("replaces", out _)));
    }
}
