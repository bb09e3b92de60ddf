using Microsoft.Extensions.Time.Testing;
using Pki.Caa;
using Pki.TestSupport;

namespace Pki.Acme.Management.Tests;

[Collection(TwoPebblesCollection.Name)]
public sealed class IssuerPoolTests(TwoPebblesFixture fixture)
{
    private static PoolIssuanceRequest Request(string name, System.Security.Cryptography.AsymmetricAlgorithm key) =>
        new() { Identifiers = [AcmeIdentifier.Dns(name)], CertificateKey = key };

    [Fact]
    public async Task A_stopped_CA_fails_over_to_the_next_and_then_backs_off()
    {
        // A third Pebble, started and stopped: a real CA that is down.
        var stopped = await PebbleServer.StartAsync();
        var down = fixture.CreateIssuer(stopped, "down");
        await stopped.DisposeAsync();
        using var store = TwoPebblesFixture.NewStoreDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var pool = new AcmeIssuerPool([down, fixture.CreateIssuer(fixture.B, "b")], new FileSystemCertificateStore(store.Path), new AcmeIssuerPoolOptions { InitialBackoff = TimeSpan.FromMinutes(1) }, timeProvider: time);
        using var key = AcmeCertificateIssuer.CreateCertificateKey(AcmeCertificateKeyType.EcP256);

        var first = await pool.IssueAsync(Request(TwoPebblesFixture.UniqueName("failover"), key), [fixture.Solver]);

        Assert.Equal("b", first.Issuer.Name);
        Assert.Collection(
            first.Attempts,
            a => Assert.Equal(("down", AcmeIssuerAttemptOutcome.FailedTryNext), (a.Issuer, a.Outcome)),
            a => Assert.Equal(("b", AcmeIssuerAttemptOutcome.Issued), (a.Issuer, a.Outcome)));
        var status = pool.GetStatus().Single(s => s.Name == "down");
        Assert.Equal(1, status.ConsecutiveFailures);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(1), status.BackoffUntil);

        // Within the backoff the stopped CA is not asked at all.
        var second = await pool.IssueAsync(Request(TwoPebblesFixture.UniqueName("failover"), key), [fixture.Solver]);
        Assert.Equal(AcmeIssuerAttemptOutcome.SkippedBackoff, second.Attempts[0].Outcome);
        Assert.Equal("b", second.Issuer.Name);

        // After it, it is asked again, fails again, and backs off twice as long.
        time.Advance(TimeSpan.FromMinutes(2));
        var third = await pool.IssueAsync(Request(TwoPebblesFixture.UniqueName("failover"), key), [fixture.Solver]);
        Assert.Equal(AcmeIssuerAttemptOutcome.FailedTryNext, third.Attempts[0].Outcome);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(2), pool.GetStatus().Single(s => s.Name == "down").BackoffUntil);
    }

    [Fact]
    public async Task Terms_of_service_not_agreed_stop_the_pool_and_back_no_CA_off()
    {
        // Pebble's directory has meta.termsOfService: not agreeing is our configuration, not the CA's fault.
        using var store = TwoPebblesFixture.NewStoreDirectory();
        var pool = new AcmeIssuerPool([fixture.CreateIssuer(fixture.A, "a", configure: o => o.TermsOfServiceAgreed = false), fixture.CreateIssuer(fixture.B, "b")], new FileSystemCertificateStore(store.Path));
        using var key = AcmeCertificateIssuer.CreateCertificateKey(AcmeCertificateKeyType.EcP256);

        var failure = await Assert.ThrowsAsync<AcmeIssuerPoolException>(() => pool.IssueAsync(Request(TwoPebblesFixture.UniqueName("tos"), key), [fixture.Solver]));

        var attempt = Assert.Single(failure.Attempts);
        Assert.Equal(("a", AcmeIssuerAttemptOutcome.FailedStop), (attempt.Issuer, attempt.Outcome));
        var configuration = Assert.IsType<AcmeManagementConfigurationException>(failure.InnerException);
        var terms = (await fixture.CreateIssuer(fixture.A, "terms").Client.GetDirectoryAsync()).Meta!.TermsOfService!;
        Assert.Equal(
            $"Issuer 'a': the CA's terms of service at {terms} must be read and agreed to by setting AcmeIssuerOptions.TermsOfServiceAgreed = true.",
            configuration.Message);
        Assert.All(pool.GetStatus(), s => Assert.Null(s.BackoffUntil));
    }

    [Fact]
    public async Task Every_CA_backing_off_fails_with_the_earliest_retry_time()
    {
        var stopped = await PebbleServer.StartAsync();
        var down = fixture.CreateIssuer(stopped, "down");
        await stopped.DisposeAsync();
        using var store = TwoPebblesFixture.NewStoreDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var pool = new AcmeIssuerPool([down], new FileSystemCertificateStore(store.Path), timeProvider: time);
        using var key = AcmeCertificateIssuer.CreateCertificateKey(AcmeCertificateKeyType.EcP256);

        var failed = await Assert.ThrowsAsync<AcmeIssuerPoolException>(() => pool.IssueAsync(Request("x.example.test", key), [fixture.Solver]));
        Assert.Equal(AcmeIssuerAttemptOutcome.FailedTryNext, Assert.Single(failed.Attempts).Outcome);
        Assert.Null(failed.RetryAt);

        var skipped = await Assert.ThrowsAsync<AcmeIssuerPoolException>(() => pool.IssueAsync(Request("x.example.test", key), [fixture.Solver]));
        Assert.Equal(AcmeIssuerAttemptOutcome.SkippedBackoff, Assert.Single(skipped.Attempts).Outcome);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(1), skipped.RetryAt);
        Assert.StartsWith("No CA issued a certificate for x.example.test: down: SkippedBackoff", skipped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_validation_failure_that_may_be_ours_tries_one_more_CA_then_stops()
    {
        using var store = TwoPebblesFixture.NewStoreDirectory();
        var c = fixture.CreateIssuer(fixture.A, "c");
        var pool = new AcmeIssuerPool([fixture.CreateIssuer(fixture.A, "a"), fixture.CreateIssuer(fixture.B, "b"), c], new FileSystemCertificateStore(store.Path));
        using var key = AcmeCertificateIssuer.CreateCertificateKey(AcmeCertificateKeyType.EcP256);

        // A token store nobody serves: each validator gets 404 (unauthorized). The CA or our side may be
        // at fault, so a second CA is tried; when it fails the same way, the third is not.
        var unserved = new Http01ChallengeSolver(new InMemoryHttp01TokenStore());
        var failure = await Assert.ThrowsAsync<AcmeIssuerPoolException>(() => pool.IssueAsync(Request(TwoPebblesFixture.UniqueName("stop"), key), [unserved]));

        Assert.Equal([("a", AcmeIssuerAttemptOutcome.FailedTryNext), ("b", AcmeIssuerAttemptOutcome.FailedTryNext)], failure.Attempts.Select(a => (a.Issuer, a.Outcome)));
        Assert.IsType<AcmeOrderException>(failure.InnerException);
        Assert.StartsWith("Issuance failed at two CAs in a way that may be on our side (problem:unauthorized", failure.Message, StringComparison.Ordinal);
        Assert.Null(pool.GetStatus().Single(s => s.Name == "c").BackoffUntil);
    }

    [Fact]
    public async Task A_failure_no_CA_will_fix_stops_at_the_first_CA_without_backoff()
    {
        using var store = TwoPebblesFixture.NewStoreDirectory();
        var pool = new AcmeIssuerPool([fixture.CreateIssuer(fixture.A, "a"), fixture.CreateIssuer(fixture.B, "b")], new FileSystemCertificateStore(store.Path));
        using var key = AcmeCertificateIssuer.CreateCertificateKey(AcmeCertificateKeyType.EcP256);

        // Our own store fails while recording the order: another CA changes nothing, and no CA is to blame.
        var request = Request(TwoPebblesFixture.UniqueName("stop"), key) with { OrderCreated = (_, _, _) => throw new CertificateStoreException("Writing 'pending.json' failed: disk full") };
        var failure = await Assert.ThrowsAsync<AcmeIssuerPoolException>(() => pool.IssueAsync(request, [fixture.Solver]));

        var attempt = Assert.Single(failure.Attempts);
        Assert.Equal(("a", AcmeIssuerAttemptOutcome.FailedStop), (attempt.Issuer, attempt.Outcome));
        Assert.IsType<CertificateStoreException>(failure.InnerException);
        Assert.Equal("Issuance at 'a' failed in a way no CA will fix (store), so no other CA was tried: Writing 'pending.json' failed: disk full", failure.Message);
        Assert.All(pool.GetStatus(), s => Assert.Null(s.BackoffUntil));
    }

    [Fact]
    public async Task CAA_that_forbids_one_CA_makes_the_pool_pick_the_other()
    {
        await using var knot = await KnotServer.StartAsync(
        [
            new KnotZone("test", "$ORIGIN test.\n$TTL 60\n@ SOA ns1.test. h.test. 1 3600 600 86400 60\n@ NS ns1.test.\nns1 A 127.0.0.1\n"),
            new KnotZone("example.test", "$ORIGIN example.test.\n$TTL 60\n@ SOA ns1.test. h.test. 1 3600 600 86400 60\n@ NS ns1.test.\ncaa-only-b CAA 0 issue \"ca-b.test\"\n"),
        ]);
        var resolverOptions = new DnsCaaResolverOptions();
        resolverOptions.NameServers.Add($"127.0.0.1:{knot.Port}");
        var caa = new CaaEvaluator(new DnsCaaResolver(resolverOptions));
        using var store = TwoPebblesFixture.NewStoreDirectory();
        var pool = new AcmeIssuerPool(
            [fixture.CreateIssuer(fixture.A, "a", caaIdentity: "ca-a.test"), fixture.CreateIssuer(fixture.B, "b", caaIdentity: "ca-b.test")],
            new FileSystemCertificateStore(store.Path),
            caaEvaluator: caa);
        using var key = AcmeCertificateIssuer.CreateCertificateKey(AcmeCertificateKeyType.EcP256);

        var result = await pool.IssueAsync(Request("caa-only-b.example.test", key), [fixture.Solver]);

        Assert.Equal("b", result.Issuer.Name);
        Assert.Equal(AcmeIssuerAttemptOutcome.SkippedCaa, result.Attempts[0].Outcome);
        Assert.Contains("CAA for caa-only-b.example.test does not permit ca-a.test", result.Attempts[0].Detail, StringComparison.Ordinal);
        Assert.All(pool.GetStatus(), s => Assert.Null(s.BackoffUntil)); // a CAA skip is not a CA failure
    }

    [Fact]
    public async Task Accounts_are_created_once_and_their_keys_kept_owner_only()
    {
        using var store = TwoPebblesFixture.NewStoreDirectory();
        var issuer = fixture.CreateIssuer(fixture.A, "a");
        var first = await new AcmeIssuerPool([issuer], new FileSystemCertificateStore(store.Path)).GetAccountAsync(issuer);
        var again = await new AcmeIssuerPool([fixture.CreateIssuer(fixture.A, "a")], new FileSystemCertificateStore(store.Path)).GetAccountAsync(issuer);

        Assert.Equal(first.Location, again.Location);
        var file = Path.Combine(store.Path, "data", "accounts", "a.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task An_issuer_with_External_Account_Binding_registers_and_issues()
    {
        const string mac = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";
        await using var pebble = await PebbleServer.StartAsync(new PebbleOptions { ExternalAccountBindingRequired = true, ExternalAccountMacKeys = new Dictionary<string, string> { ["kid-1"] = mac } });
        await using var responder = TwoPebblesFixture.StartResponder(fixture.Tokens, pebble.HttpPort);
        using var store = TwoPebblesFixture.NewStoreDirectory();
        var withoutEab = new AcmeIssuerPool([fixture.CreateIssuer(pebble, "plain")], new FileSystemCertificateStore(store.Path));
        var pool = new AcmeIssuerPool([fixture.CreateIssuer(pebble, "eab", configure: o => { o.EabKeyId = "kid-1"; o.EabMacKey = mac; })], new FileSystemCertificateStore(store.Path));
        using var key = AcmeCertificateIssuer.CreateCertificateKey(AcmeCertificateKeyType.EcP256);

        var refused = await Assert.ThrowsAsync<AcmeIssuerPoolException>(() => withoutEab.IssueAsync(Request(TwoPebblesFixture.UniqueName("eab"), key), [fixture.Solver]));
        Assert.Equal(AcmeIssuerAttemptOutcome.FailedTryNext, Assert.Single(refused.Attempts).Outcome); // externalAccountRequired: another CA may not need it
        var result = await pool.IssueAsync(Request(TwoPebblesFixture.UniqueName("eab"), key), [fixture.Solver]);

        Assert.Equal("eab", result.Issuer.Name);
        Assert.DoesNotContain(mac, await File.ReadAllTextAsync(Path.Combine(store.Path, "data", "accounts", "eab.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void Selection_policies_order_the_CAs()
    {
        using var store = TwoPebblesFixture.NewStoreDirectory();
        AcmeIssuer[] issuers = [fixture.CreateIssuer(fixture.A, "a"), fixture.CreateIssuer(fixture.B, "b"), fixture.CreateIssuer(fixture.A, "c")];
        string Names(IReadOnlyList<AcmeIssuer> order) => string.Join(",", order.Select(i => i.Name));

        var ordered = new AcmeIssuerPool(issuers, new FileSystemCertificateStore(store.Path));
        Assert.Equal("a,b,c", Names(ordered.OrderIssuers()));
        Assert.Equal("a,b,c", Names(ordered.OrderIssuers("a")));

        var roundRobin = new AcmeIssuerPool(issuers, new FileSystemCertificateStore(store.Path), new AcmeIssuerPoolOptions { Policy = IssuerSelectionPolicy.RoundRobin });
        Assert.Equal("a,b,c", Names(roundRobin.OrderIssuers()));
        Assert.Equal("b,c,a", Names(roundRobin.OrderIssuers()));
        Assert.Equal("c,a,b", Names(roundRobin.OrderIssuers("b")));
        Assert.Equal("a,b,c", Names(roundRobin.OrderIssuers("c")));

        var samples = new Queue<double>([0.0, 0.0]);
        var random = new AcmeIssuerPool(issuers, new FileSystemCertificateStore(store.Path), new AcmeIssuerPoolOptions { Policy = IssuerSelectionPolicy.Random }, random: samples.Dequeue);
        Assert.Equal("b,c,a", Names(random.OrderIssuers()));
    }
}
