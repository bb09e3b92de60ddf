using Pki.Caa;
using Pki.KeyTransparency.Discovery;
using Pki.Readme.Tests.Snippets.Caa;
using Pki.Readme.Tests.Snippets.KeyTransparency;
using Pki.Readme.Tests.Snippets.Smime;
using Pki.Smime;
using Pki.Smime.Testing;
using Pki.TestSupport;

namespace Pki.Readme.Tests.Runs;

/// <summary>knotd on loopback, authoritative for the example.com the README examples ask about.</summary>
public sealed class ExampleComKnotFixture : IAsyncLifetime
{
    public const string Zone =
        "$ORIGIN example.com.\n$TTL 60\n" +
        "@ SOA ns1.example.com. hostmaster.example.com. 1 3600 600 86400 60\n" +
        "@ NS ns1.example.com.\n" +
        "ns1 A 127.0.0.1\n" +
        "@ CAA 0 issue \"letsencrypt.org; accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/123; validationmethods=dns-01\"\n" +
        "@ CAA 0 issuemail \"ca.example.com\"\n" +
        "_sm._keytransparency._https SRV 10 0 443 kt.example.com.\n";

    public KnotServer Knot { get; private set; } = null!;

    public string NameServer => $"127.0.0.1:{Knot.Port}";

    public async Task InitializeAsync() => Knot = await KnotServer.StartAsync([new KnotZone("example.com", Zone)]);

    public async Task DisposeAsync() => await Knot.DisposeAsync();
}

/// <summary>The README examples that ask DNS, run against knotd.</summary>
public sealed class KnotSnippetTests(ExampleComKnotFixture knot) : IClassFixture<ExampleComKnotFixture>
{
    [Fact]
    public async Task Caa_dns_example_permits_the_account_and_method_the_records_name()
    {
        var decision = await DnsEvaluation.RunAsync(knot.NameServer);

        Assert.Equal(CaaVerdict.Permitted, decision.Verdict);
        Assert.Equal(CaaReason.Authorized, decision.Reason);
        Assert.Equal("example.com", decision.RelevantRRset.OwnerName);
    }

    [Fact]
    public async Task Key_transparency_example_proves_signs_maps_and_discovers_the_srv_record()
    {
        var result = await Primitives.RunAsync(knot.Knot.EndPoint);

        Assert.True(result.Included && result.Consistent && result.HeadValid && result.Vrf.IsValid);
        Assert.Equal(64, result.Vrf.Output.Length);
        Assert.Equal(KeyTransparencyDiscoveryStatus.Found, result.Found.Status);
        var endpoint = Assert.Single(result.Found.Endpoints);
        Assert.Equal(443, endpoint.Port);
    }

    [Fact]
    public async Task Smime_pipeline_example_issues_for_the_ca_issuemail_names_and_refuses_another()
    {
        using var environment = await SnippetEnvironment.EnterAsync();
        using var caKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using (var caCertificate = OfflineSnippetTests.CreateCaCertificate(caKey))
        {
            File.WriteAllText("smime-ca.pem", caCertificate.ExportCertificatePem());
        }

        var ca = IssuingCa.Run(caKey);
        using var subscriberKey = SmimeKeyPair.Generate(SmimeKeyAlgorithm.EcP256);
        var request = OfflineSnippetTests.AliceRequest(subscriberKey);

        var certificate = await IssuancePipeline.RunAsync(request, ca, knot.NameServer, CancellationToken.None);
        Assert.True(certificate.Lint.IsCompliant);

        // example.com's issuemail names ca.example.com only: the test hierarchy's CA is refused.
        using var hierarchy = SmimeTestHierarchy.Create();
        await Assert.ThrowsAsync<SmimeIssuanceDeniedException>(() => IssuancePipeline.RunAsync(request, hierarchy.IssuingCa, knot.NameServer, CancellationToken.None));
    }
}
