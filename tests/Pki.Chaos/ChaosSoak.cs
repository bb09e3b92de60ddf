using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Pki.Acme;
using Pki.Acme.Management;
using Pki.Acme.Redis;
using Pki.TestSupport;
using StackExchange.Redis;

namespace Pki.Chaos;

/// <summary>Settings of a <see cref="ChaosSoak"/> run.</summary>
public sealed record ChaosOptions
{
    /// <summary>The whole run, split evenly between the file-store phase and the Redis phase (default 10 min).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Managed certificates per phase (default 50).</summary>
    public int Certificates { get; init; } = 50;

    /// <summary>Lifetime of the certificates the Pebbles issue (default 60 s): renewal starts at half of it.</summary>
    public TimeSpan CertificateLifetime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The seed of the faulty CA's fault choices.</summary>
    public int Seed { get; init; } = 11;

    /// <summary>
    /// True (default): both instances open the same store. False is the negative control: each
    /// instance gets a store of its own, as a farm without a shared store would, and the counts must
    /// show the duplicate orders and lost certificates that follow (a soak that cannot fail proves nothing).
    /// </summary>
    public bool ShareStore { get; init; } = true;

    /// <summary>How long the instances may take, once the faults stop, to serve a valid certificate for every name (default 60 s).</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Where progress lines go.</summary>
    public Action<string> Log { get; init; } = _ => { };
}

/// <summary>What a run counted; <see cref="Passed"/> when nothing was lost, duplicated, expired or failed in the store.</summary>
/// <param name="Certificates">Managed certificates, over both phases.</param>
/// <param name="Renewals">Issuances after each certificate's first one.</param>
/// <param name="Lost">Certificates without a valid stored certificate served by both instances at the end, plus stored certificates that went back to an older one.</param>
/// <param name="DuplicateOrders">Orders placed by an instance that did not hold the certificate's lease at that moment.</param>
/// <param name="Expired">Times an instance held an expired certificate as its current one (per instance and certificate).</param>
/// <param name="StoreErrors">Store operations that failed.</param>
public sealed record ChaosResult(int Certificates, int Renewals, int Lost, int DuplicateOrders, int Expired, int StoreErrors)
{
    /// <summary>True when lost, duplicate orders, expired and store errors are all 0.</summary>
    public bool Passed => Lost == 0 && DuplicateOrders == 0 && Expired == 0 && StoreErrors == 0;

    /// <summary>The one-line summary.</summary>
    public override string ToString() =>
        $"chaos: {Certificates} certificates, {Renewals} renewals, {Lost} lost, {DuplicateOrders} duplicate orders, {Expired} expired, {StoreErrors} store errors";

    /// <summary>The counts of two phases together.</summary>
    public static ChaosResult operator +(ChaosResult a, ChaosResult b) => Add(a, b);

    /// <summary>The counts of two phases together.</summary>
    public static ChaosResult Add(ChaosResult a, ChaosResult b) =>
        a is null || b is null ? throw new ArgumentNullException(a is null ? nameof(a) : nameof(b)) : new(a.Certificates + b.Certificates, a.Renewals + b.Renewals, a.Lost + b.Lost, a.DuplicateOrders + b.DuplicateOrders, a.Expired + b.Expired, a.StoreErrors + b.StoreErrors);
}

/// <summary>
/// Two certificate managers (a web farm of two) sharing one store, first a
/// <see cref="FileSystemCertificateStore"/> and then a <see cref="RedisCertificateStore"/> on a real
/// redis-server, manage <see cref="ChaosOptions.Certificates"/> certificates from three real Pebbles,
/// each behind a <see cref="FaultProxy"/>: one stalls and resets connections at random, one is killed
/// midway and restarted (empty: its accounts and orders are gone), one is healthy. http-01 tokens are
/// shared through the store, and each Pebble's validator reaches only one of the two instances.
/// </summary>
public static class ChaosSoak
{
    /// <summary>Runs both phases and returns the counts.</summary>
    public static async Task<ChaosResult> RunAsync(ChaosOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Certificates < 1 || options.Duration <= TimeSpan.Zero || options.CertificateLifetime < TimeSpan.FromSeconds(20))
        {
            throw new ArgumentException("ChaosOptions: Certificates must be positive, Duration positive and CertificateLifetime at least 20 s.", nameof(options));
        }

        var phase = TimeSpan.FromTicks(options.Duration.Ticks / 2);
        var file = await RunPhaseAsync("file", phase, options, cancellationToken).ConfigureAwait(false);
        options.Log(file.ToString().Replace("chaos:", "chaos (file store):", StringComparison.Ordinal));
        var redis = await RunPhaseAsync("redis", phase, options, cancellationToken).ConfigureAwait(false);
        options.Log(redis.ToString().Replace("chaos:", "chaos (Redis store):", StringComparison.Ordinal));
        return file + redis;
    }

    private static async Task<ChaosResult> RunPhaseAsync(string kind, TimeSpan duration, ChaosOptions options, CancellationToken cancellationToken)
    {
        var log = options.Log;
        var pebbleOptions = new PebbleOptions { CertificateValidityPeriodSeconds = (long)options.CertificateLifetime.TotalSeconds };
        var pins = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        await using var cleanup = new Cleanup();

        var faulty = cleanup.Add(await PebbleServer.StartAsync(pebbleOptions, cancellationToken).ConfigureAwait(false));
        var restarted = await PebbleServer.StartAsync(pebbleOptions, cancellationToken).ConfigureAwait(false);
        var healthy = cleanup.Add(await PebbleServer.StartAsync(pebbleOptions, cancellationToken).ConfigureAwait(false));
        foreach (var pebble in new[] { faulty, restarted, healthy })
        {
            pins[Convert.ToBase64String(pebble.ListenerCertificate.RawData)] = 0;
        }

        var faultyProxy = cleanup.Add(FaultProxy.For(faulty.DirectoryUri));
        var restartedProxy = cleanup.Add(FaultProxy.For(restarted.DirectoryUri));
        var healthyProxy = cleanup.Add(FaultProxy.For(healthy.DirectoryUri));
        var directories = new Dictionary<string, Uri>(StringComparer.Ordinal)
        {
            ["faulty"] = faultyProxy.Map(faulty.DirectoryUri),
            ["restarted"] = restartedProxy.Map(restarted.DirectoryUri),
            ["healthy"] = healthyProxy.Map(healthy.DirectoryUri),
        };

        // The shared store and what each instance opens on it.
        var run = Guid.NewGuid().ToString("N")[..8];
        var storePath = Path.Combine(Path.GetTempPath(), $"pki-chaos-{kind}-{run}");
        cleanup.Add(new DeleteDirectory(storePath));
        RedisServer? redis = null;
        if (kind == "redis")
        {
            redis = cleanup.Add(await RedisServer.StartAsync(cancellationToken).ConfigureAwait(false));
        }

        var tracker = new Tracker();
        var names = Enumerable.Range(0, options.Certificates).Select(i => $"c{i:00}").ToArray();
        var identifiers = names.ToDictionary(n => $"{n}-{kind}-{run}.example.test", n => n, StringComparer.OrdinalIgnoreCase);
        var instances = new List<Instance>();
        foreach (var id in new[] { "A", "B" })
        {
            ICertificateStore inner;
            if (redis is not null)
            {
                var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration).ConfigureAwait(false);
                cleanup.Add(connection);
                inner = new RedisCertificateStore(connection, new RedisCertificateStoreOptions { KeyPrefix = options.ShareStore ? $"chaos-{run}:" : $"chaos-{run}-{id}:" });
            }
            else
            {
                inner = new FileSystemCertificateStore(options.ShareStore ? storePath : storePath + "-" + id);
                cleanup.Add(new DeleteDirectory(storePath + "-" + id));
            }

            var store = new TrackingStore(inner, id, tracker);
            var tokens = new StoreHttp01TokenStore(store);

            // A's responder is where the faulty and the restarted CA validate, B's where the healthy one does:
            // every order needs the other instance's answer half of the time.
            foreach (var port in id == "A" ? new[] { faulty.HttpPort, restarted.HttpPort } : new[] { healthy.HttpPort })
            {
                cleanup.Add(Http01Responder.Start(tokens, port));
            }

            var issuers = directories.Select(d =>
            {
                var http = cleanup.Add(new HttpClient(new CountingHandler(id, d.Key, tracker, identifiers, pins)) { Timeout = Timeout.InfiniteTimeSpan });
                var client = new AcmeClient(http, new AcmeClientOptions { DirectoryUri = d.Value, RequestTimeout = TimeSpan.FromSeconds(5), PollTimeout = TimeSpan.FromSeconds(20) });
                return new AcmeIssuer(new AcmeIssuerOptions { Name = d.Key, DirectoryUri = d.Value, TermsOfServiceAgreed = true }, client);
            }).ToList();
            var pool = new AcmeIssuerPool(issuers, store, new AcmeIssuerPoolOptions
            {
                Policy = IssuerSelectionPolicy.RoundRobin,
                InitialBackoff = TimeSpan.FromSeconds(2),
                MaxBackoff = TimeSpan.FromSeconds(10),
                AttemptTimeout = TimeSpan.FromSeconds(30),
                CheckCaa = false,
            });
            var managerOptions = new CertificateManagerOptions
            {
                LeaseDuration = TimeSpan.FromSeconds(15),
                LeasePollInterval = TimeSpan.FromMilliseconds(250),
                MaxCheckInterval = TimeSpan.FromSeconds(2),
                StorePollInterval = TimeSpan.FromSeconds(2),
                MinAttemptInterval = TimeSpan.FromSeconds(2),
                MaxAttemptBackoff = TimeSpan.FromSeconds(10),
                IssuanceTimeout = TimeSpan.FromSeconds(90),
                MaxConcurrentRenewals = 4,
                FallbackRemainingLifetimeFraction = 0.5,
            };
            foreach (var (identifier, name) in identifiers)
            {
                managerOptions.Certificates.Add(new ManagedCertificateOptions { Name = name, Identifiers = { identifier } });
            }

            var manager = new CertificateManager(pool, store, [new Http01ChallengeSolver(tokens)], managerOptions);
            manager.CertificateChanged += (_, e) => tracker.Changed(id, e.Certificate);
            instances.Add(new Instance(id, manager, store));
        }

        log($"chaos ({kind} store): {names.Length} certificates, 2 instances, CAs faulty/restarted/healthy, {duration.TotalSeconds:0} s");
        using var failovers = ListenToFailovers(tracker);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = instances.Select(i => RunQuietlyAsync(i.Manager, stop.Token)).ToList();
        var monitor = MonitorAsync(instances, names, tracker, stop.Token);
        var flapping = FlapAsync(faultyProxy, options.Seed, tracker, stop.Token);

        // Midway, the second CA is killed; a few seconds later it starts again in its place, empty.
        await Task.Delay(TimeSpan.FromTicks(duration.Ticks * 2 / 5), cancellationToken).ConfigureAwait(false);
        log($"chaos ({kind} store): killing the 'restarted' CA");
        var acmePort = restarted.AcmePort;
        var httpPort = restarted.HttpPort;
        await restarted.DisposeAsync().ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
        restarted = cleanup.Add(await PebbleServer.StartAsync(pebbleOptions with { AcmePort = acmePort, HttpPort = httpPort }, cancellationToken).ConfigureAwait(false));
        pins[Convert.ToBase64String(restarted.ListenerCertificate.RawData)] = 0;
        log($"chaos ({kind} store): the 'restarted' CA is back, without its accounts and orders");

        await Task.Delay(TimeSpan.FromTicks(duration.Ticks * 3 / 5) - TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);

        // The faults end; both instances settle, then every certificate must be stored, valid and served by both.
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(running).ConfigureAwait(false);
        await monitor.ConfigureAwait(false);
        await flapping.ConfigureAwait(false);
        faultyProxy.Fault = Fault.Pass;
        var lost = await SettleAndCountLostAsync(instances, names, tracker, options.SettleTimeout, log, cancellationToken).ConfigureAwait(false);
        var faults = faultyProxy.AppliedFaults.GroupBy(f => f).Select(g => $"{g.Count()} {g.Key}");
        log($"chaos ({kind} store): orders by CA: {Join(tracker.OrdersByIssuer)}; failovers by reason: {Join(tracker.Failovers)}; faulty CA's switches: {Join(tracker.Flaps)}, {faultyProxy.ConnectionsAccepted} connections, {faultyProxy.ConnectionsReset} reset, first faults {string.Join(", ", faults)}");
        return new ChaosResult(names.Length, tracker.Renewals, lost + tracker.Regressions, tracker.DuplicateOrders, tracker.Expired, tracker.StoreErrors);
    }

    private static string Join(ConcurrentDictionary<string, int> counts) =>
        counts.IsEmpty ? "none" : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"));

    /// <summary>Counts the pool's failovers by reason (its <c>pki.acme.management.failovers</c> metric).</summary>
    private static MeterListener ListenToFailovers(Tracker tracker)
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
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "reason" && tag.Value is string reason)
                {
                    tracker.Failovers.AddOrUpdate(reason, (int)value, (_, n) => n + (int)value);
                }
            }
        });
        listener.Start();
        return listener;
    }

    /// <summary>
    /// The faulty CA flaps: every second or two its proxy switches (live keep-alive connections
    /// included) between passing, stalling mid-response and resetting.
    /// </summary>
    private static async Task FlapAsync(FaultProxy proxy, int seed, Tracker tracker, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // (Fault.Random is not used here: connections it draws for never follow later switches.)
                var fault = random.Next(10) switch
                {
                    < 5 => Fault.Pass,
                    < 8 => Fault.StallAfter(random.Next(0, 2000)),
                    _ => Fault.Reset,
                };
                proxy.Fault = fault;
                tracker.Flaps.AddOrUpdate(fault.Kind.ToString(), 1, (_, n) => n + 1);
                await Task.Delay(TimeSpan.FromMilliseconds(1000 + random.Next(1000)), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static async Task RunQuietlyAsync(CertificateManager manager, CancellationToken cancellationToken)
    {
        try
        {
            await manager.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Watches what each instance serves (never expired) and what the store holds (never older than before).</summary>
    private static async Task MonitorAsync(List<Instance> instances, string[] names, Tracker tracker, CancellationToken cancellationToken)
    {
        var reader = instances[0].Store.Inner;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var now = DateTimeOffset.UtcNow;
                foreach (var instance in instances)
                {
                    foreach (var name in names)
                    {
                        if (instance.Manager.GetCurrent(name) is { } current && current.NotAfter <= now)
                        {
                            tracker.SawExpired(instance.Id, name, current.NotAfter);
                        }
                    }
                }

                foreach (var name in names)
                {
                    if (await ReadStoredNotAfterAsync(reader, name, cancellationToken).ConfigureAwait(false) is { } stored)
                    {
                        tracker.SawStored(name, stored);
                    }
                }

                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static async Task<int> SettleAndCountLostAsync(List<Instance> instances, string[] names, Tracker tracker, TimeSpan timeout, Action<string> log, CancellationToken cancellationToken)
    {
        var missing = new HashSet<string>(names, StringComparer.Ordinal);
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (missing.Count > 0 && DateTimeOffset.UtcNow < deadline)
        {
            foreach (var instance in instances)
            {
                try
                {
                    await instance.Manager.RenewDueAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    log($"settle: {instance.Id}: {ex.Message}");
                }
            }

            missing.Clear();
            foreach (var name in names)
            {
                var stored = await ReadStoredAsync(instances[0].Store.Inner, name, cancellationToken).ConfigureAwait(false);
                var valid = stored is { } s && s.NotAfter > DateTimeOffset.UtcNow;
                var served = valid && instances.All(i => i.Manager.GetCurrent(name)?.Certificate.Thumbprint == stored!.Value.Thumbprint);
                if (!served)
                {
                    missing.Add(name);
                }
                else
                {
                    tracker.SawStored(name, stored!.Value.NotAfter);
                }
            }

            if (missing.Count > 0)
            {
                await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var name in missing)
        {
            log($"lost: {name} has no valid certificate served by both instances");
        }

        return missing.Count;
    }

    private static async Task<DateTimeOffset?> ReadStoredNotAfterAsync(ICertificateStore store, string name, CancellationToken cancellationToken) =>
        (await ReadStoredAsync(store, name, cancellationToken).ConfigureAwait(false))?.NotAfter;

    private static async Task<(DateTimeOffset NotAfter, string Thumbprint)?> ReadStoredAsync(ICertificateStore store, string name, CancellationToken cancellationToken)
    {
        byte[]? bytes;
        try
        {
            bytes = await store.ReadAsync($"certificates/{name}/current.json", cancellationToken).ConfigureAwait(false);
        }
        catch (CertificateStoreException)
        {
            return null;
        }

        if (bytes is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(bytes);
        var chain = document.RootElement.GetProperty("chainPem").GetString()!;
        using var leaf = X509Certificate2.CreateFromPem(chain);
        return (new DateTimeOffset(leaf.NotAfter.ToUniversalTime()), leaf.Thumbprint);
    }

    private sealed record Instance(string Id, CertificateManager Manager, TrackingStore Store);

    /// <summary>The counts, and who holds which certificate lease (by fencing token) at any moment.</summary>
    private sealed class Tracker
    {
        private readonly ConcurrentDictionary<string, (string Instance, long Token)> _holders = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, int> _issued = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, DateTimeOffset> _stored = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<(string, string), byte> _expired = new();
        private int _renewals;
        private int _duplicates;
        private int _regressions;
        private int _storeErrors;

        public int Renewals => Volatile.Read(ref _renewals);

        public int DuplicateOrders => Volatile.Read(ref _duplicates);

        public int Regressions => Volatile.Read(ref _regressions);

        public int Expired => _expired.Count;

        public int StoreErrors => Volatile.Read(ref _storeErrors);

        public void Granted(string lease, string instance, long token) =>
            _holders.AddOrUpdate(lease, (instance, token), (_, held) => token > held.Token ? (instance, token) : held);

        public void Released(string lease, string instance, long token) =>
            _holders.TryRemove(new KeyValuePair<string, (string, long)>(lease, (instance, token)));

        /// <summary>An order for <paramref name="name"/> by <paramref name="instance"/>: a duplicate unless it holds the lease now.</summary>
        public ConcurrentDictionary<string, int> OrdersByIssuer { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, int> Failovers { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, int> Flaps { get; } = new(StringComparer.Ordinal);

        public void OrderCreated(string instance, string issuer, string name)
        {
            OrdersByIssuer.AddOrUpdate(issuer, 1, (_, n) => n + 1);
            if (!_holders.TryGetValue("certificate-" + name, out var holder) || holder.Instance != instance)
            {
                Interlocked.Increment(ref _duplicates);
            }
        }

        public void Changed(string instance, ManagedCertificate certificate)
        {
            if (certificate.Source is CertificateSource.Issued or CertificateSource.Resumed
                && _issued.AddOrUpdate(certificate.Name, 1, (_, n) => n + 1) > 1)
            {
                Interlocked.Increment(ref _renewals);
            }
        }

        public void SawExpired(string instance, string name, DateTimeOffset notAfter) => _expired.TryAdd((instance, name), 0);

        public void SawStored(string name, DateTimeOffset notAfter)
        {
            var before = _stored.GetOrAdd(name, notAfter);
            if (notAfter < before)
            {
                Interlocked.Increment(ref _regressions);
            }
            else if (notAfter > before)
            {
                _stored.TryUpdate(name, notAfter, before);
            }
        }

        public void StoreFailed() => Interlocked.Increment(ref _storeErrors);
    }

    /// <summary>The instance's view of the shared store: records lease grants and releases, counts failures.</summary>
    private sealed class TrackingStore(ICertificateStore inner, string instance, Tracker tracker) : ICertificateStore
    {
        public ICertificateStore Inner => inner;

        private void Released(ICertificateStoreLease lease) => tracker.Released(lease.Name, instance, lease.Token);

        public Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken) => Count(() => inner.ReadAsync(key, cancellationToken));

        public Task WriteAsync(string key, ReadOnlyMemory<byte> value, bool isSecret, CancellationToken cancellationToken) =>
            Count(async () => { await inner.WriteAsync(key, value, isSecret, cancellationToken).ConfigureAwait(false); return true; });

        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) => Count(() => inner.DeleteAsync(key, cancellationToken));

        public async Task<ICertificateStoreLease?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken)
        {
            var lease = await Count(() => inner.TryAcquireLeaseAsync(name, owner, duration, cancellationToken)).ConfigureAwait(false);
            if (lease is null)
            {
                return null;
            }

            tracker.Granted(name, instance, lease.Token);
            return new Lease(lease, this);
        }

        private async Task<T> Count<T>(Func<Task<T>> operation)
        {
            try
            {
                return await operation().ConfigureAwait(false);
            }
            catch (CertificateStoreException)
            {
                tracker.StoreFailed();
                throw;
            }
        }

        private sealed class Lease(ICertificateStoreLease inner, TrackingStore store) : ICertificateStoreLease
        {
            public string Name => inner.Name;

            public string Owner => inner.Owner;

            public long Token => inner.Token;

            public Task<bool> RenewAsync(TimeSpan duration, CancellationToken cancellationToken) => store.Count(() => inner.RenewAsync(duration, cancellationToken));

            public async Task ReleaseAsync(CancellationToken cancellationToken)
            {
                store.Released(inner);
                await store.Count(async () => { await inner.ReleaseAsync(cancellationToken).ConfigureAwait(false); return true; }).ConfigureAwait(false);
            }

            public Task<bool> TryWriteAsync(string key, ReadOnlyMemory<byte> value, bool isSecret, CancellationToken cancellationToken) =>
                store.Count(() => inner.TryWriteAsync(key, value, isSecret, cancellationToken));

            public ValueTask DisposeAsync() => new(ReleaseAsync(CancellationToken.None));
        }
    }

    /// <summary>
    /// Trusts the Pebbles' listener certificates (a restarted Pebble brings a new one) and records every
    /// order created at a CA, by the certificate it is for (read from the JWS payload of newOrder).
    /// </summary>
    private sealed class CountingHandler : DelegatingHandler
    {
        private readonly string _instance;
        private readonly string _issuer;
        private readonly Tracker _tracker;
        private readonly Dictionary<string, string> _names;

        public CountingHandler(string instance, string issuer, Tracker tracker, Dictionary<string, string> names, ConcurrentDictionary<string, byte> pins)
            : base(new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && pins.ContainsKey(Convert.ToBase64String(certificate.GetRawCertData())),
                },
            })
        {
            _instance = instance;
            _issuer = issuer;
            _tracker = tracker;
            _names = names;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string? name = null;
            if (request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.Contains("order-plz", StringComparison.Ordinal) && request.Content is not null)
            {
                name = NameOfOrder(await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
            }

            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (name is not null && response.StatusCode == System.Net.HttpStatusCode.Created)
            {
                _tracker.OrderCreated(_instance, _issuer, name);
            }

            return response;
        }

        private string? NameOfOrder(byte[] jws)
        {
            using var document = JsonDocument.Parse(jws);
            var payload = document.RootElement.GetProperty("payload").GetString()!;
            var padded = payload.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            using var order = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(padded)));
            foreach (var identifier in order.RootElement.GetProperty("identifiers").EnumerateArray())
            {
                if (_names.TryGetValue(identifier.GetProperty("value").GetString()!, out var name))
                {
                    return name;
                }
            }

            return null;
        }
    }

    private sealed class DeleteDirectory(string path) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    /// <summary>Disposes what a phase started, last first.</summary>
    private sealed class Cleanup : IAsyncDisposable
    {
        private readonly Stack<object> _items = new();

        public T Add<T>(T item)
            where T : class
        {
            lock (_items)
            {
                _items.Push(item);
            }

            return item;
        }

        public async ValueTask DisposeAsync()
        {
            while (_items.TryPop(out var item))
            {
                try
                {
                    switch (item)
                    {
                        case IAsyncDisposable asyncDisposable:
                            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                            break;
                        case IDisposable disposable:
                            disposable.Dispose();
                            break;
                    }
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
                {
                    // Best effort at the end of a phase.
                }
            }
        }
    }
}
