using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Pki.Ari;
using Pki.TestSupport;

namespace Pki.Acme.Management.Tests;

/// <summary>Faults injected for real: lease takeover mid-issuance, store errors, hanging CAs, clocks that loop renewals.</summary>
[Collection(TwoPebblesCollection.Name)]
public sealed class FaultToleranceTests(TwoPebblesFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Losing_the_lease_mid_issuance_cancels_it_and_stores_nothing()
    {
        using var dir = TwoPebblesFixture.NewStoreDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var solver = new GatedSolver(fixture.Solver);
        var manager = CreateManager(dir.Path, "lost", TwoPebblesFixture.UniqueName("lost"), solver, time, o => o.LeaseDuration = TimeSpan.FromMinutes(1));

        var issuing = manager.GetCertificateAsync("lost");
        await solver.Presented.Task.WaitAsync(Patience);

        // Another instance whose clock says the lease expired takes it over (its token is greater).
        var other = new FileSystemCertificateStore(dir.Path, new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1)));
        var takeover = await other.TryAcquireLeaseAsync("certificate-lost", "other-instance", TimeSpan.FromMinutes(5), default);
        Assert.NotNull(takeover);

        // The keeper's next renewal is refused: the issuance is cancelled, although the CA would still finish it.
        var failure = await AdvanceUntilDoneAsync(time, TimeSpan.FromSeconds(20), issuing);
        var lost = Assert.IsType<CertificateLeaseLostException>(failure);
        Assert.Equal("lost", lost.Certificate);
        Assert.StartsWith("Certificate 'lost': the lease (token 1) was lost while issuing", lost.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir.Path, "data", "certificates", "lost", "current.json")));
        Assert.Null(manager.GetCurrent("lost"));
        Assert.True(await takeover!.RenewAsync(TimeSpan.FromMinutes(5), default)); // the new holder's lease was not touched
    }

    [Fact]
    public async Task A_store_error_while_keeping_the_lease_neither_stops_the_keeper_nor_replaces_a_stored_issuance()
    {
        using var dir = TwoPebblesFixture.NewStoreDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new FlakyLeaseStore(new FileSystemCertificateStore(dir.Path, time)) { RenewFailures = 1, ReleaseFailures = 1 };
        var solver = new GatedSolver(fixture.Solver);
        var pool = new AcmeIssuerPool([fixture.CreateIssuer(fixture.A, "a")], store);
        var options = new CertificateManagerOptions { LeaseDuration = TimeSpan.FromMinutes(1) };
        options.Certificates.Add(new ManagedCertificateOptions { Name = "flaky", Identifiers = { TwoPebblesFixture.UniqueName("flaky") } });
        var manager = new CertificateManager(pool, store, [solver], options, time);

        var issuing = manager.GetCertificateAsync("flaky");
        await solver.Presented.Task.WaitAsync(Patience);
        await AdvanceUntilAsync(time, TimeSpan.FromSeconds(20), () => store.RenewCalls >= 2); // one renewal fails, the next succeeds
        solver.Release.TrySetResult();

        var certificate = await issuing.WaitAsync(Patience);
        Assert.Equal(CertificateSource.Issued, certificate.Source);
        Assert.True(File.Exists(Path.Combine(dir.Path, "data", "certificates", "flaky", "current.json")));
        Assert.Equal(1, store.ReleaseCalls); // the failed release was logged, not thrown
        Assert.Null(Assert.Single(manager.GetStatus()).LastError);
    }

    [Fact]
    public async Task One_hanging_certificate_does_not_hold_up_the_others()
    {
        using var dir = TwoPebblesFixture.NewStoreDirectory();
        var stuck = TwoPebblesFixture.UniqueName("stuck");
        var solver = new GatedSolver(fixture.Solver, onlyFor: stuck);
        var store = new FileSystemCertificateStore(dir.Path);
        var pool = new AcmeIssuerPool([fixture.CreateIssuer(fixture.A, "a")], store);
        var options = new CertificateManagerOptions { MaxConcurrentRenewals = 2 };
        options.Certificates.Add(new ManagedCertificateOptions { Name = "stuck", Identifiers = { stuck } });
        options.Certificates.Add(new ManagedCertificateOptions { Name = "one", Identifiers = { TwoPebblesFixture.UniqueName("one") } });
        options.Certificates.Add(new ManagedCertificateOptions { Name = "two", Identifiers = { TwoPebblesFixture.UniqueName("two") } });
        var manager = new CertificateManager(pool, store, [solver], options);
        var issued = new HashSet<string>();
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        manager.CertificateChanged += (_, e) =>
        {
            lock (issued)
            {
                issued.Add(e.Certificate.Name);
                if (issued.Contains("one") && issued.Contains("two"))
                {
                    both.TrySetResult();
                }
            }
        };

        using var stop = new CancellationTokenSource();
        var pass = manager.RenewDueAsync(stop.Token);
        await both.Task.WaitAsync(Patience); // "stuck" (first in the list) is still hanging at its CA
        Assert.False(pass.IsCompleted);
        Assert.Null(manager.GetCurrent("stuck"));

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pass.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_CA_that_hangs_past_the_attempt_deadline_is_backed_off_and_the_next_CA_issues()
    {
        using var dir = TwoPebblesFixture.NewStoreDirectory();
        var failovers = new List<(string Issuer, string Reason)>();
        using var listener = ListenToFailovers(failovers);

        // Validation at CA "a" never completes (its responder never answers, the order never ends).
        var solver = new GatedSolver(fixture.Solver, onlyAtAcmePort: fixture.A.AcmePort);
        var pool = new AcmeIssuerPool([fixture.CreateIssuer(fixture.A, "a"), fixture.CreateIssuer(fixture.B, "b")], new FileSystemCertificateStore(dir.Path), new AcmeIssuerPoolOptions { AttemptTimeout = TimeSpan.FromSeconds(3) });
        using var key = AcmeCertificateIssuer.CreateCertificateKey(AcmeCertificateKeyType.EcP256);

        var result = await pool.IssueAsync(new PoolIssuanceRequest { Identifiers = [AcmeIdentifier.Dns(TwoPebblesFixture.UniqueName("hang"))], CertificateKey = key }, [solver]).WaitAsync(Patience);

        Assert.Equal("b", result.Issuer.Name);
        var first = result.Attempts[0];
        Assert.Equal(("a", AcmeIssuerAttemptOutcome.FailedTryNext), (first.Issuer, first.Outcome));
        Assert.Equal("Issuer 'a' did not finish within AcmeIssuerPoolOptions.AttemptTimeout (00:00:03).", first.Detail);
        Assert.NotNull(pool.GetStatus().Single(s => s.Name == "a").BackoffUntil);
        lock (failovers)
        {
            Assert.Contains(("a", "timeout"), failovers);
        }
    }

    [Fact]
    public async Task An_issuance_past_its_deadline_is_cancelled_and_backed_off()
    {
        using var dir = TwoPebblesFixture.NewStoreDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var solver = new GatedSolver(fixture.Solver);
        var manager = CreateManager(dir.Path, "slow", TwoPebblesFixture.UniqueName("slow"), solver, time, o =>
        {
            o.IssuanceTimeout = TimeSpan.FromMinutes(3);
            o.LeaseDuration = TimeSpan.FromMinutes(10);
        });

        var issuing = manager.GetCertificateAsync("slow");
        await solver.Presented.Task.WaitAsync(Patience);
        var failure = await AdvanceUntilDoneAsync(time, TimeSpan.FromMinutes(1), issuing);

        var timeout = Assert.IsType<TimeoutException>(failure);
        Assert.Equal("Certificate 'slow': the issuance took longer than CertificateManagerOptions.IssuanceTimeout (00:03:00) and was cancelled.", timeout.Message);
        var status = Assert.Single(manager.GetStatus());
        Assert.Equal(1, status.ConsecutiveFailures);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(1), status.NextAttemptAt);
        await Assert.ThrowsAsync<CertificateBackoffException>(() => manager.GetCertificateAsync("slow"));
    }

    [Fact]
    public async Task A_clock_ahead_by_more_than_the_lifetime_does_not_make_renewal_loop()
    {
        // Pebble's certificates last an hour; this instance's clock is two days ahead, so each new one is expired at once.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(2));
        var orders = await RunPassesAsync(time, renewalWindow: null);
        AssertBackedOff(orders);
    }

    [Fact]
    public async Task A_renewal_window_in_the_past_does_not_make_renewal_loop()
    {
        // The CA's renewalInfo always answers a window that has ended: "renew now", even for a certificate just issued.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var orders = await RunPassesAsync(time, renewalWindow: (DateTimeOffset.UtcNow.AddDays(-3), DateTimeOffset.UtcNow.AddDays(-2)));
        AssertBackedOff(orders);
    }

    private static void AssertBackedOff(List<DateTimeOffset> orders)
    {
        // Attempts are spaced by at least a minute, doubling: 8 orders take at least 1+2+...+64 minutes.
        Assert.InRange(orders.Count, 2, 8);
        for (var i = 1; i < orders.Count; i++)
        {
            Assert.True(orders[i] - orders[i - 1] >= TimeSpan.FromMinutes(1 << (i - 1)), $"order {i} came {orders[i] - orders[i - 1]} after the one before: {string.Join(", ", orders.Select(o => o.ToString("u", CultureInfo.InvariantCulture)))}");
        }
    }

    /// <summary>Runs 40 passes of the manager, jumping the fake clock to each pass's answer; returns when each order was placed.</summary>
    private async Task<List<DateTimeOffset>> RunPassesAsync(FakeTimeProvider time, (DateTimeOffset Start, DateTimeOffset End)? renewalWindow)
    {
        using var dir = TwoPebblesFixture.NewStoreDirectory();
        var orders = new List<DateTimeOffset>();
        using var http = new HttpClient(new CountingHandler(fixture.A, time, orders, renewalWindow)) { Timeout = TimeSpan.FromSeconds(60) };
        var options = new AcmeIssuerOptions { Name = "a", DirectoryUri = fixture.A.DirectoryUri, TermsOfServiceAgreed = true };
        // The protocol client polls Pebble in real time; everything that schedules renewals runs on the fake clock.
        var client = new AcmeClient(http, new AcmeClientOptions { DirectoryUri = fixture.A.DirectoryUri });
        var planner = new RenewalPlanner(new RenewalInfoClient(http, null, null, time), null, time);
        var store = new FileSystemCertificateStore(dir.Path, time);
        var pool = new AcmeIssuerPool([new AcmeIssuer(options, client, planner)], store, new AcmeIssuerPoolOptions { InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(1) }, timeProvider: time);
        var managerOptions = new CertificateManagerOptions();
        managerOptions.Certificates.Add(new ManagedCertificateOptions { Name = "loop", Identifiers = { TwoPebblesFixture.UniqueName("loop") } });
        var manager = new CertificateManager(pool, store, [fixture.Solver], managerOptions, time);

        for (var pass = 0; pass < 40 && orders.Count < 8; pass++)
        {
            var next = await manager.RenewDueAsync().WaitAsync(Patience);
            if (next > time.GetUtcNow())
            {
                time.SetUtcNow(next);
            }
        }

        return orders;
    }

    private CertificateManager CreateManager(string path, string name, string identifier, IChallengeSolver solver, TimeProvider time, Action<CertificateManagerOptions> configure)
    {
        var store = new FileSystemCertificateStore(path, time);
        var pool = new AcmeIssuerPool([fixture.CreateIssuer(fixture.A, "a")], store);
        var options = new CertificateManagerOptions();
        options.Certificates.Add(new ManagedCertificateOptions { Name = name, Identifiers = { identifier } });
        configure(options);
        return new CertificateManager(pool, store, [solver], options, time);
    }

    /// <summary>Advances the fake clock step by step (giving the keeper and deadlines real time to react) until <paramref name="task"/> fails; returns its exception.</summary>
    private static async Task<Exception> AdvanceUntilDoneAsync<T>(FakeTimeProvider time, TimeSpan step, Task<T> task)
    {
        await AdvanceUntilAsync(time, step, () => task.IsCompleted);
        return await Assert.ThrowsAnyAsync<Exception>(() => task);
    }

    private static async Task AdvanceUntilAsync(FakeTimeProvider time, TimeSpan step, Func<bool> done)
    {
        for (var i = 0; i < 600 && !done(); i++)
        {
            time.Advance(step);
            for (var wait = 0; wait < 20 && !done(); wait++)
            {
                await Task.Delay(10);
            }
        }

        Assert.True(done(), "the fault was not acted on");
    }

    private static MeterListener ListenToFailovers(List<(string Issuer, string Reason)> failovers)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ManagementMetrics.MeterName && instrument.Name == "pki.acme.management.failovers")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? issuer = null, reason = null;
            foreach (var tag in tags)
            {
                issuer = tag.Key == "issuer" ? tag.Value as string : issuer;
                reason = tag.Key == "reason" ? tag.Value as string : reason;
            }

            lock (failovers)
            {
                failovers.Add((issuer!, reason!));
            }
        });
        listener.Start();
        return listener;
    }

    /// <summary>Presents through the inner solver, then hangs (for every name, one name, or one CA's authorizations) until released or cancelled.</summary>
    private sealed class GatedSolver(IChallengeSolver inner, string? onlyFor = null, int? onlyAtAcmePort = null) : IChallengeSolver
    {
        public TaskCompletionSource Presented { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string ChallengeType => inner.ChallengeType;

        public async Task PresentAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
        {
            await inner.PresentAsync(context, cancellationToken);
            var gated = (onlyFor is null || string.Equals(context.Identifier.Value, onlyFor, StringComparison.OrdinalIgnoreCase))
                && (onlyAtAcmePort is null || context.Authorization.Location.Port == onlyAtAcmePort);
            if (gated)
            {
                Presented.TrySetResult();
                await Release.Task.WaitAsync(cancellationToken);
            }
        }

        public Task CleanupAsync(AcmeChallengeContext context, CancellationToken cancellationToken) => inner.CleanupAsync(context, cancellationToken);
    }

    /// <summary>Counts Pebble's newOrder requests (at the fake clock's time) and, when asked, plays a CA whose renewalInfo window has passed.</summary>
    private sealed class CountingHandler(PebbleServer pebble, TimeProvider time, List<DateTimeOffset> orders, (DateTimeOffset Start, DateTimeOffset End)? window) : DelegatingHandler(pebble.CreatePinnedHandler())
    {
        private readonly Uri _renewalInfo = new($"https://127.0.0.1:{pebble.AcmePort}/renewal-info-of-this-test");

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (window is { } w && request.RequestUri!.AbsolutePath.StartsWith(_renewalInfo.AbsolutePath, StringComparison.Ordinal))
            {
                var start = w.Start.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                var end = w.End.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                var body = "{\"suggestedWindow\":{\"start\":\"" + start + "\",\"end\":\"" + end + "\"}}";
                var answer = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                answer.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromHours(6));
                return answer;
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.Contains("order-plz", StringComparison.Ordinal) && response.StatusCode == HttpStatusCode.Created)
            {
                // Created orders only: a newOrder Pebble refused with badNonce and the client resent is one order.
                lock (orders)
                {
                    orders.Add(time.GetUtcNow());
                }
            }

            if (window is not null && request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath == "/dir")
            {
                var directory = await response.Content.ReadAsStringAsync(cancellationToken);
                var patched = directory.TrimEnd().TrimEnd('}') + $",\"renewalInfo\":\"{_renewalInfo}\"}}";
                var replaced = new HttpResponseMessage(response.StatusCode) { Content = new StringContent(patched, Encoding.UTF8, "application/json") };
                foreach (var header in response.Headers)
                {
                    replaced.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }

                response.Dispose();
                return replaced;
            }

            return response;
        }
    }

    /// <summary>A store whose leases fail to renew or release a given number of times (a store hiccup), then work.</summary>
    private sealed class FlakyLeaseStore(ICertificateStore inner) : ICertificateStore
    {
        private int _renewCalls;
        private int _releaseCalls;

        public int RenewFailures { get; init; }

        public int ReleaseFailures { get; init; }

        public int RenewCalls => Volatile.Read(ref _renewCalls);

        public int ReleaseCalls => Volatile.Read(ref _releaseCalls);

        public Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken) => inner.ReadAsync(key, cancellationToken);

        public Task WriteAsync(string key, ReadOnlyMemory<byte> value, bool isSecret, CancellationToken cancellationToken) => inner.WriteAsync(key, value, isSecret, cancellationToken);

        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

        public async Task<ICertificateStoreLease?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken) =>
            await inner.TryAcquireLeaseAsync(name, owner, duration, cancellationToken) is { } lease
                ? (name.StartsWith("certificate-", StringComparison.Ordinal) ? new Lease(this, lease) : lease)
                : null;

        private sealed class Lease(FlakyLeaseStore store, ICertificateStoreLease inner) : ICertificateStoreLease
        {
            public string Name => inner.Name;

            public string Owner => inner.Owner;

            public long Token => inner.Token;

            public Task<bool> RenewAsync(TimeSpan duration, CancellationToken cancellationToken) =>
                Interlocked.Increment(ref store._renewCalls) <= store.RenewFailures
                    ? throw new CertificateStoreException("Extending the lease 'certificate-flaky' failed: connection reset")
                    : inner.RenewAsync(duration, cancellationToken);

            public Task ReleaseAsync(CancellationToken cancellationToken) =>
                Interlocked.Increment(ref store._releaseCalls) <= store.ReleaseFailures
                    ? throw new CertificateStoreException("Releasing the lease 'certificate-flaky' failed: connection reset")
                    : inner.ReleaseAsync(cancellationToken);

            public Task<bool> TryWriteAsync(string key, ReadOnlyMemory<byte> value, bool isSecret, CancellationToken cancellationToken) => inner.TryWriteAsync(key, value, isSecret, cancellationToken);

            public ValueTask DisposeAsync() => new(ReleaseAsync(CancellationToken.None));
        }
    }
}
