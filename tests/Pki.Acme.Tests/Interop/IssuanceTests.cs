using System.Net;
using System.Security.Cryptography.X509Certificates;
using Pki.TestSupport;
using Xunit.Abstractions;

namespace Pki.Acme.Tests.Interop;

[Collection(PebbleCollection.Name)]
public sealed class IssuanceTests(PebbleFixture fixture, ITestOutputHelper output)
{
    private AcmeClient NewClient() => fixture.CreateClient(output);

    private static string[] SubjectAltNames(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().ToArray();

    [Fact]
    public async Task Http01_issues_a_certificate_that_chains_to_the_pebble_root()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client);
        var name = PebbleFixture.UniqueName("http");
        var events = new List<AcmeIssuanceProgress>();

        var issued = await new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns(name)], Progress = new SyncProgress(events) },
            [new Http01ChallengeSolver(fixture.TokenStore)]);

        PebbleFixture.AssertChainsTo(issued.Chain, fixture.Root);
        using var leaf = issued.LoadCertificateWithKey();
        Assert.True(leaf.HasPrivateKey);
        Assert.Equal([name], SubjectAltNames(leaf));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", issued.PrivateKeyPem, StringComparison.Ordinal);
        Assert.Equal(0, fixture.TokenStore.Count);
        Assert.Contains(events, e => e.Stage == AcmeIssuanceStage.ChallengeCleanedUp);
        Assert.Equal(AcmeIssuanceStage.CertificateDownloaded, events[^1].Stage);
    }

    [Fact]
    public async Task Issuance_is_traced_and_counted_under_Pki_Acme()
    {
        var name = PebbleFixture.UniqueName("otel");
        var activities = new List<System.Diagnostics.Activity>();
        using var activityListener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == "Pki.Acme",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) { activities.Add(a); } },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(activityListener);
        var issuedCount = 0L;
        using var meterListener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == "Pki.Acme") { l.EnableMeasurementEvents(instrument); } },
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "pki.acme.issuances" && tags.ToArray().Any(t => t.Key == "acme.outcome" && (string?)t.Value == "issued"))
            {
                Interlocked.Add(ref issuedCount, value);
            }
        });
        meterListener.Start();
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client);

        await new AcmeCertificateIssuer(client).IssueAsync(account, new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns(name)] }, [new Http01ChallengeSolver(fixture.TokenStore)]);

        lock (activities)
        {
            var activity = Assert.Single(activities, a => ((string?)a.GetTagItem("acme.identifiers"))?.Contains(name, StringComparison.Ordinal) == true);
            Assert.Equal("issued", activity.GetTagItem("acme.outcome"));
        }

        Assert.True(Interlocked.Read(ref issuedCount) >= 1);
    }

    [Fact]
    public async Task OrderCreated_is_awaited_before_any_challenge_and_a_throwing_callback_stops_issuance()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client);
        var log = new List<string>();
        var recording = new RecordingSolver(new Http01ChallengeSolver(fixture.TokenStore), onPresented: () => { lock (log) { log.Add("presented"); } });
        Uri? recorded = null;

        var issued = await new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest
            {
                Identifiers = [AcmeIdentifier.Dns(PebbleFixture.UniqueName("ordercb"))],
                OrderCreated = async (order, ct) =>
                {
                    await Task.Delay(100, ct);
                    recorded = order.Location;
                    lock (log) { log.Add("order"); }
                },
            },
            [recording]);

        Assert.Equal(issued.OrderUri, recorded);
        Assert.Equal(["order", "presented"], log);

        var failing = new RecordingSolver(new Http01ChallengeSolver(fixture.TokenStore));
        var ex = await Assert.ThrowsAsync<IOException>(() => new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns(PebbleFixture.UniqueName("ordercb2"))], OrderCreated = (_, _) => throw new IOException("store is full") },
            [failing]));
        Assert.Equal("store is full", ex.Message);
        Assert.Equal(0, failing.Presented);
    }

    [Fact]
    public async Task Dns01_with_an_rsa_account_and_rsa_certificate_key()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client, AcmeKeyAlgorithm.RS256);
        var name = PebbleFixture.UniqueName("dns");

        var issued = await new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns(name)], KeyType = AcmeCertificateKeyType.Rsa2048 },
            [new Dns01ChallengeSolver(fixture.DnsProvider)]);

        PebbleFixture.AssertChainsTo(issued.Chain, fixture.Root);
        using var leaf = issued.Chain.LoadLeaf();
        Assert.NotNull(leaf.GetRSAPublicKey());
        Assert.Equal([name], SubjectAltNames(leaf));
        Assert.Equal(0, fixture.DnsProvider.Published);
    }

    [Fact]
    public async Task TlsAlpn01_with_an_es512_account()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client, AcmeKeyAlgorithm.ES512);
        var name = PebbleFixture.UniqueName("alpn");

        var issued = await new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns(name)], KeyType = AcmeCertificateKeyType.EcP384 },
            [new TlsAlpn01ChallengeSolver(fixture.TlsStore)]);

        PebbleFixture.AssertChainsTo(issued.Chain, fixture.Root);
        using var leaf = issued.Chain.LoadLeaf();
        Assert.Equal([name], SubjectAltNames(leaf));
    }

    [Fact]
    public async Task An_ip_identifier_over_http01()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client, AcmeKeyAlgorithm.ES384);

        var issued = await new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Ip(IPAddress.Loopback)] },
            [new Http01ChallengeSolver(fixture.TokenStore)]);

        PebbleFixture.AssertChainsTo(issued.Chain, fixture.Root);
        using var leaf = issued.Chain.LoadLeaf();
        var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal([IPAddress.Loopback], san.EnumerateIPAddresses().ToArray());
    }

    [Fact]
    public async Task An_ip_identifier_over_tls_alpn01()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client);

        var issued = await new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Ip(IPAddress.Parse("127.0.0.1"))] },
            [new TlsAlpn01ChallengeSolver(fixture.TlsStore)]);

        PebbleFixture.AssertChainsTo(issued.Chain, fixture.Root);
    }

    [Fact]
    public async Task A_wildcard_and_its_base_name_via_dns01()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client);
        var name = PebbleFixture.UniqueName("wild");

        // Both authorizations use the same TXT name with different values, concurrently.
        var issued = await new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("*." + name), AcmeIdentifier.Dns(name)] },
            [new Dns01ChallengeSolver(fixture.DnsProvider)]);

        PebbleFixture.AssertChainsTo(issued.Chain, fixture.Root);
        using var leaf = issued.Chain.LoadLeaf();
        Assert.Equal(new[] { "*." + name, name }.Order(), SubjectAltNames(leaf).Order());
        Assert.Equal(0, fixture.DnsProvider.Published);
    }

    [Fact]
    public async Task A_wildcard_without_a_dns01_solver_is_refused_naming_the_offered_challenges()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client);

        var ex = await Assert.ThrowsAsync<AcmeOrderException>(() => new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("*." + PebbleFixture.UniqueName("nowild"))] },
            [new Http01ChallengeSolver(fixture.TokenStore)]));

        Assert.Contains("the server offers [dns-01]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("the solvers answer [http-01]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alternate_chains_are_downloaded_and_chosen_by_root_name()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client);
        var alternateRootName = fixture.AlternateRoot.GetNameInfo(X509NameType.SimpleName, forIssuer: false);

        var issued = await new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns(PebbleFixture.UniqueName("alt"))], PreferredChain = alternateRootName },
            [new Http01ChallengeSolver(fixture.TokenStore)]);

        Assert.Equal(2, issued.AllChains.Count);
        PebbleFixture.AssertChainsTo(issued.AllChains[0], fixture.Root);
        PebbleFixture.AssertChainsTo(issued.Chain, fixture.AlternateRoot);
        Assert.Equal(alternateRootName, issued.Chain.TopIssuerName);
        Assert.NotSame(issued.AllChains[0], issued.Chain);

        // An unknown preferred name falls back to the default chain.
        Assert.Same(issued.AllChains[0], AcmeCertificateIssuer.ChooseChain(issued.AllChains, "No Such Root"));
    }

    [Fact]
    public async Task A_failed_challenge_reports_the_servers_problem_and_still_cleans_up()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client);
        var unserved = new InMemoryHttp01TokenStore(); // nobody serves this store: validation must fail
        var recording = new RecordingSolver(new Http01ChallengeSolver(unserved));

        var ex = await Assert.ThrowsAsync<AcmeOrderException>(() => new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns(PebbleFixture.UniqueName("fail"))] },
            [recording]));

        Assert.NotNull(ex.Problem);
        Assert.StartsWith("urn:ietf:params:acme:error:", ex.Problem!.Type, StringComparison.Ordinal);
        Assert.Contains("http-01 challenge for dns:fail-", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, recording.Presented);
        Assert.Equal(1, recording.CleanedUp);
        Assert.Equal(0, unserved.Count);
    }

    [Fact]
    public async Task Cancellation_midway_still_cleans_up_every_presented_challenge()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client);
        using var cts = new CancellationTokenSource();
        var recording = new RecordingSolver(new Http01ChallengeSolver(fixture.TokenStore), onPresented: cts.Cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns(PebbleFixture.UniqueName("cancel1")), AcmeIdentifier.Dns(PebbleFixture.UniqueName("cancel2"))] },
            [recording],
            cts.Token));

        Assert.True(recording.Presented >= 1);
        Assert.Equal(recording.Presented, recording.CleanedUp);
        Assert.Equal(0, fixture.TokenStore.Count);
    }

    [Fact]
    public async Task A_caller_supplied_csr_is_honoured_and_no_key_is_returned()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client);
        var name = PebbleFixture.UniqueName("csr");
        using var key = System.Security.Cryptography.ECDsa.Create();
        var csr = CsrBuilder.Build(key, [AcmeIdentifier.Dns(name)]);

        var issued = await new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns(name)], Csr = csr },
            [new Http01ChallengeSolver(fixture.TokenStore)]);

        Assert.Null(issued.PrivateKeyPem);
        PebbleFixture.AssertChainsTo(issued.Chain, fixture.Root);
        using var leaf = issued.Chain.LoadLeaf();
        using var leafKey = leaf.GetECDsaPublicKey()!;
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), leafKey.ExportSubjectPublicKeyInfo());
        Assert.Throws<InvalidOperationException>(() => issued.LoadCertificateWithKey());
    }

    [Fact]
    public async Task The_plumbing_api_walks_an_order_step_by_step()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client);
        var name = PebbleFixture.UniqueName("steps");

        var order = await client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns(name)] });
        Assert.Equal(AcmeStatus.Pending, order.Resource.Status);
        var authorization = await client.GetAuthorizationAsync(account, order.Resource.Authorizations.Single());
        Assert.Equal(name, authorization.Resource.Identifier.Value);
        var challenge = authorization.Resource.Challenges.Single(c => c.Type == AcmeChallengeResource.Http01);
        fixture.TokenStore.Add(challenge.Token!, AcmeKeyAuthorization.Compute(account.Key, challenge.Token!));
        try
        {
            await client.RespondToChallengeAsync(account, challenge);
            var done = await client.WaitForAuthorizationAsync(account, authorization.Location);
            Assert.Equal(AcmeStatus.Valid, done.Resource.Status);
        }
        finally
        {
            fixture.TokenStore.Remove(challenge.Token!);
        }

        order = await client.WaitForOrderAsync(account, order.Location);
        Assert.Equal(AcmeStatus.Ready, order.Resource.Status);

        // Pebble refuses a CSR that does not parse with malformed, and one for names the order lacks with unauthorized.
        var garbage = await Assert.ThrowsAsync<AcmeProblemException>(() => client.FinalizeOrderAsync(account, order, new byte[] { 0x30, 0x03, 0x02, 0x01, 0x00 }));
        Assert.Equal(AcmeProblemTypes.Malformed, garbage.Type);
        using var key = System.Security.Cryptography.ECDsa.Create();
        var otherName = await Assert.ThrowsAsync<AcmeProblemException>(() =>
            client.FinalizeOrderAsync(account, order, CsrBuilder.Build(key, [AcmeIdentifier.Dns("other-" + name)])));
        Assert.Equal(AcmeProblemTypes.Unauthorized, otherName.Type);

        // The right CSR still finalizes the order afterwards.
        var finalized = await client.FinalizeOrderAsync(account, order, CsrBuilder.Build(key, [AcmeIdentifier.Dns(name)]));
        finalized = await client.WaitForOrderAsync(account, finalized.Location);
        Assert.Equal(AcmeStatus.Valid, finalized.Resource.Status);
        var chains = await client.DownloadCertificateAsync(account, finalized.Resource.Certificate!, includeAlternates: false);
        Assert.Single(chains);
        PebbleFixture.AssertChainsTo(chains[0], fixture.Root);
    }

    private sealed class SyncProgress(List<AcmeIssuanceProgress> events) : IProgress<AcmeIssuanceProgress>
    {
        public void Report(AcmeIssuanceProgress value)
        {
            lock (events)
            {
                events.Add(value);
            }
        }
    }

    private sealed class RecordingSolver(IChallengeSolver inner, Action? onPresented = null) : IChallengeSolver
    {
        private int _presented;
        private int _cleanedUp;

        public int Presented => _presented;

        public int CleanedUp => _cleanedUp;

        public string ChallengeType => inner.ChallengeType;

        public async Task PresentAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
        {
            await inner.PresentAsync(context, cancellationToken);
            Interlocked.Increment(ref _presented);
            onPresented?.Invoke();
        }

        public async Task CleanupAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
        {
            await inner.CleanupAsync(context, cancellationToken);
            Interlocked.Increment(ref _cleanedUp);
        }
    }
}
