using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pki.Acme;
using Pki.Acme.Management;
using Pki.Ari;
using Pki.Acme.Server;
using Pki.Demo;
using Pki.TestSupport;

namespace Pki.Benchmarks;

/// <summary>
/// <c>drill [--certs N] [--window-seconds S] [--log]</c>: the mass-renewal drill. Pki.Acme.Server (in-process, SQLite) issues N
/// certificates to four certificate managers (ARI-driven renewal); the operator then moves every renewal window to
/// [now, now + S] with one <see cref="IAcmeServerOperations.MoveRenewalWindowsAsync"/> call (5 days scaled to minutes)
/// and the drill checks that each name got a new certificate inside the window, sampling every manager's current
/// certificate for each name every 100 ms (absent or expired after first issuance = uncovered).
/// </summary>
internal static class RenewalDrill
{
    private const int Managers = 4;

    public static async Task<int> RunAsync(string[] args)
    {
        var count = Option(args, "--certs", 1000);
        // --log: the server's and the managers' warnings on the console (why an attempt failed or stalled).
        var log = args.Contains("--log");
        using var loggers = LoggerFactory.Create(b =>
        {
            if (log)
            {
                b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
            }
        });
        var windowSeconds = Option(args, "--window-seconds", Math.Max(60, count / 4));
        var state = Path.Combine(Path.GetTempPath(), "pki-drill-" + Guid.NewGuid().ToString("N")[..8]);
        var http01Port = FreePorts.Tcp();
        var total = Stopwatch.StartNew();
        try
        {
            await using var server = await LocalAcmeServer.StartAsync(0, state, http01Port, new Dictionary<string, string> { ["*.example.test"] = "127.0.0.1" }, log ? LogLevel.Warning : LogLevel.None, configure: o =>
            {
                o.RetryAfter = TimeSpan.FromMilliseconds(1); // no Retry-After: clients back off from 50 ms
                o.RenewalInfoRetryAfter = TimeSpan.FromSeconds(10);
                o.Validation.RetryDelay = TimeSpan.FromMilliseconds(50);
            });
            using var http = server.CreatePinnedHttpClient();
            var tokens = new InMemoryHttp01TokenStore();
            await using var responder = Http01Responder.Start(tokens, http01Port);

            var names = Enumerable.Range(0, count).Select(i => $"d{i:0000}.example.test").ToArray();
            var managers = new List<(CertificateManager Manager, string[] Names)>();
            var changes = new ConcurrentQueue<(DateTimeOffset At, string Name, string Serial)>();
            for (var m = 0; m < Managers; m++)
            {
                var mine = names.Where((_, i) => i % Managers == m).ToArray();
                var store = new FileSystemCertificateStore(Path.Combine(state, "manager" + m));
                var client = new AcmeClient(http, new AcmeClientOptions { DirectoryUri = server.DirectoryUri, PollTimeout = TimeSpan.FromSeconds(60) });
                // ARI-driven: the planner asks renewalInfo, honouring the server's Retry-After (10 s here, hours in production).
                var planner = new RenewalPlanner(new RenewalInfoClient(http, new RenewalInfoOptions { MinRetryAfter = TimeSpan.FromSeconds(5) }));
                var pool = new AcmeIssuerPool([new AcmeIssuer(new AcmeIssuerOptions { Name = "local", DirectoryUri = server.DirectoryUri, TermsOfServiceAgreed = true }, client, planner)], store, new AcmeIssuerPoolOptions { CheckCaa = false });
                var options = new CertificateManagerOptions
                {
                    MaxCheckInterval = TimeSpan.FromSeconds(10),
                    StorePollInterval = TimeSpan.FromSeconds(30),
                    MinAttemptInterval = TimeSpan.FromSeconds(2),
                    MaxAttemptBackoff = TimeSpan.FromSeconds(10),
                    IssuanceTimeout = TimeSpan.FromSeconds(120),
                    MaxConcurrentRenewals = 8,
                };
                foreach (var name in mine)
                {
                    options.Certificates.Add(new ManagedCertificateOptions { Name = name, Identifiers = { name } });
                }

                var manager = new CertificateManager(pool, store, [new Http01ChallengeSolver(tokens)], options, logger: loggers.CreateLogger<CertificateManager>());
                manager.CertificateChanged += (_, e) => changes.Enqueue((DateTimeOffset.UtcNow, e.Certificate.Name, e.Certificate.Certificate.SerialNumber));
                managers.Add((manager, mine));
            }

            using var stop = new CancellationTokenSource();
            var running = managers.Select(m => RunQuietlyAsync(m.Manager, stop.Token)).ToList();

            // Phase 1: first issuance of all N.
            var first = new Dictionary<string, string>(StringComparer.Ordinal);
            var issueWatch = Stopwatch.StartNew();
            while (first.Count < count)
            {
                await Task.Delay(250);
                foreach (var (manager, mine) in managers)
                {
                    foreach (var name in mine)
                    {
                        if (!first.ContainsKey(name) && manager.GetCurrent(name) is { } current)
                        {
                            first[name] = current.Certificate.SerialNumber;
                        }
                    }
                }

                if (issueWatch.Elapsed > TimeSpan.FromMinutes(20))
                {
                    Console.WriteLine($"drill: only {first.Count} of {count} certificates issued in 20 minutes");
                    return 1;
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"drill: {count} certificates issued to {Managers} managers in {issueWatch.Elapsed.TotalSeconds:0.0} s"));

            // Coverage sampling from here on: every name must always have a current, unexpired certificate.
            var uncovered = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
            var sampler = SampleAsync(managers, uncovered, stop.Token);

            // Phase 2: the operator moves all N windows in one call.
            var windowStart = DateTimeOffset.UtcNow;
            var windowEnd = windowStart.AddSeconds(windowSeconds);
            while (changes.TryDequeue(out _))
            {
            }

            var operations = server.Services.GetRequiredService<IAcmeServerOperations>();
            var moved = await operations.MoveRenewalWindowsAsync(first.Values, windowStart, windowEnd);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"drill: moved {moved} renewal windows to the next {windowSeconds} s (5 days scaled)"));

            var replacedAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            var perSecond = new Dictionary<long, int>();
            var deadline = windowEnd.AddSeconds(Math.Max(30, windowSeconds / 2));
            while (replacedAt.Count < count && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(250);
                while (changes.TryDequeue(out var change))
                {
                    if (change.Serial != first[change.Name] && !replacedAt.ContainsKey(change.Name))
                    {
                        replacedAt[change.Name] = change.At;
                        var second = change.At.ToUnixTimeSeconds();
                        perSecond[second] = perSecond.GetValueOrDefault(second) + 1;
                    }
                }
            }

            await stop.CancelAsync();
            await sampler;
            await Task.WhenAll(running);
            var inWindow = replacedAt.Values.Count(t => t >= windowStart && t <= windowEnd);
            var outside = count - inWindow;
            var peak = perSecond.Count == 0 ? 0 : perSecond.Values.Max();
            foreach (var name in names.Where(n => !replacedAt.TryGetValue(n, out var t) || t < windowStart || t > windowEnd).Take(20))
            {
                // Which ones, and how far off: a replacement just after the end is a late pick inside the window, none at all is a stuck renewal.
                Console.WriteLine(replacedAt.TryGetValue(name, out var t)
                    ? string.Create(CultureInfo.InvariantCulture, $"drill: {name} replaced at +{(t - windowStart).TotalSeconds:0.00} s, outside the window [0, {windowSeconds}] s")
                    : $"drill: {name} not replaced before the deadline");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"drill: {count} certificates, {inWindow} replaced in window, {outside} outside, {uncovered.Count} without a valid certificate at any moment, peak {peak} orders/s"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"drill: total {total.Elapsed.TotalSeconds:0} s"));
            return inWindow == count && uncovered.IsEmpty ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(state, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task SampleAsync(List<(CertificateManager Manager, string[] Names)> managers, ConcurrentDictionary<string, byte> uncovered, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var now = DateTimeOffset.UtcNow;
                foreach (var (manager, mine) in managers)
                {
                    foreach (var name in mine)
                    {
                        if (manager.GetCurrent(name) is not { } current || current.NotAfter <= now)
                        {
                            uncovered.TryAdd(name, 0);
                        }
                    }
                }

                await Task.Delay(100, cancellationToken);
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
            await manager.RunAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
