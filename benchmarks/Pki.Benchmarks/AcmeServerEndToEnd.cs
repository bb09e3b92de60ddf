using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Pki.Acme;
using Pki.Demo;
using Pki.TestSupport;

namespace Pki.Benchmarks;

/// <summary>
/// <c>acme-server-e2e [N]</c>: the acme-e2e client workload (rounds of 20 until the JIT settles, N sequential certificates,
/// then five rounds of 20 at once; P-256, http-01) run with the same Pki.Acme client against Pebble 2.4 (PEBBLE_VA_NOSLEEP=1) and against
/// Pki.Acme.Server hosted in this process (embedded CA; SQLite with both sync settings; PostgreSQL), one markdown table.
/// </summary>
internal static class AcmeServerEndToEnd
{
    private const int Concurrent = 20;

    // A round of 20 at once takes a few hundred milliseconds: one round is mostly noise on a shared VM, so the
    // table shows the median of several.
    private const int ConcurrentRounds = 5;

    private const int MinWarmUpRounds = 5;

    // Compilations in one warm-up round below which the JIT counts as settled.
    private const int QuietCompilations = 5;

    public static async Task<int> RunAsync(string[] args)
    {
        var sequential = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;

        // `--only pebble|sqlite|sqlite-normal|postgres`: one row, e.g. to profile one server.
        var only = Array.IndexOf(args, "--only") is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        bool Wanted(string key) => only is null || string.Equals(only, key, StringComparison.OrdinalIgnoreCase);
        var rows = new List<(string Server, Result Result)>();

        foreach (var (key, label, retryAfter, syncEveryCommit) in new[]
        {
            ("sqlite", "Pki.Acme.Server, SQLite, RetryAfter 1 s", TimeSpan.FromSeconds(1), true),
            ("sqlite", "Pki.Acme.Server, SQLite, RetryAfter 0 (client backoff)", TimeSpan.FromMilliseconds(1), true),
            ("sqlite-normal", "Pki.Acme.Server, SQLite synchronous=NORMAL, RetryAfter 0", TimeSpan.FromMilliseconds(1), false),
        })
        {
            if (!Wanted(key))
            {
                continue;
            }

            var state = Path.Combine(Path.GetTempPath(), "pki-bench-acme-server-" + Guid.NewGuid().ToString("N")[..8]);
            var http01Port = FreePorts.Tcp();
            try
            {
                await using var server = await LocalAcmeServer.StartAsync(0, state, http01Port, new Dictionary<string, string> { ["*.example.test"] = "127.0.0.1" }, configure: o =>
                {
                    o.RetryAfter = retryAfter;
                    o.SqliteSyncEveryCommit = syncEveryCommit;
                    o.Validation.RetryDelay = TimeSpan.FromMilliseconds(50);
                });
                using var http = server.CreatePinnedHttpClient();
                rows.Add((label, await MeasureAsync(http, server.DirectoryUri, http01Port, sequential)));
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(state, recursive: true);
            }
        }

        if (Wanted("postgres"))
        {
            await using var postgres = await PostgresServer.StartAsync();
            var database = await postgres.CreateDatabaseAsync("acme_bench");
            var state = Path.Combine(Path.GetTempPath(), "pki-bench-acme-server-" + Guid.NewGuid().ToString("N")[..8]);
            var http01Port = FreePorts.Tcp();
            try
            {
                await using var server = await LocalAcmeServer.StartAsync(
                    0,
                    state,
                    http01Port,
                    new Dictionary<string, string> { ["*.example.test"] = "127.0.0.1" },
                    configure: o =>
                    {
                        o.RetryAfter = TimeSpan.FromMilliseconds(1);
                        o.Validation.RetryDelay = TimeSpan.FromMilliseconds(50);
                    },
                    services: s => s.AddAcmeServerPostgres(postgres.ConnectionStringFor(database).Replace("Pooling=false", "Pooling=true", StringComparison.OrdinalIgnoreCase)));
                using var http = server.CreatePinnedHttpClient();
                rows.Add(("Pki.Acme.Server, PostgreSQL 15, RetryAfter 0 (client backoff)", await MeasureAsync(http, server.DirectoryUri, http01Port, sequential)));
            }
            finally
            {
                Directory.Delete(state, recursive: true);
            }
        }

        // Pebble's row runs last, when the client's code is already at tier 1 from the rows above, so it needs only
        // the minimum warm-up: Pebble 2.4's memory store can deadlock under 20 concurrent orders (a goroutine dump shows
        // FindValidAuthorization holding the store's read lock while it waits for an authorization's lock, with a
        // writer queued on the store), and the fewer rounds it serves the rarer that is. A stuck run is retried with a
        // fresh Pebble.
        if (Wanted("pebble"))
        {
            for (var attempt = 1; ; attempt++)
            {
                // Pebble refuses 5% of nonces by default to exercise clients' retries; the server under test refuses
                // none, so neither does Pebble here (each refusal costs the client a round trip).
                await using var pebble = await PebbleServer.StartAsync(new PebbleOptions { Environment = new Dictionary<string, string?> { ["PEBBLE_WFE_NONCEREJECT"] = "0" } });
                using var http = pebble.CreateHttpClient();
                try
                {
                    rows.Insert(0, ("Pebble 2.4 (PEBBLE_VA_NOSLEEP=1, PEBBLE_WFE_NONCEREJECT=0)", await MeasureAsync(http, pebble.DirectoryUri, pebble.HttpPort, sequential, TimeSpan.FromSeconds(10))));
                    break;
                }
                catch (AcmeTransportException e) when (attempt < 3)
                {
                    Console.Error.WriteLine($"Pebble stopped answering (attempt {attempt} of 3, {e.Message}); starting a fresh one.");
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| server (P-256, http-01, same Pki.Acme client) | one at a time, median of {sequential} | sequential certs/s | {Concurrent} at once, wall (median of {ConcurrentRounds} rounds) | concurrent certs/s |"));
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var (server, r) in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {server} | {r.MedianMs:0} ms | {1000 / r.MeanMs:0.0} | {r.ConcurrentMs:0} ms | {Concurrent * 1000 / r.ConcurrentMs:0.0} |"));
        }

        return 0;
    }

    private static async Task<Result> MeasureAsync(HttpClient http, Uri directoryUri, int httpPort, int sequential, TimeSpan? requestTimeout = null)
    {
        var client = new AcmeClient(http, new AcmeClientOptions { DirectoryUri = directoryUri, RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30) });
        var issuer = new AcmeCertificateIssuer(client);
        var store = new InMemoryHttp01TokenStore();
        await using var responder = Http01Responder.Start(store, httpPort);
        using var key = AcmeKey.Create(AcmeKeyAlgorithm.ES256);
        var account = await client.CreateAccountAsync(key, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        var solvers = new IChallengeSolver[] { new Http01ChallengeSolver(store) };

        // Warm-up: a long-running server runs tier-1 code, so let the JIT's tiering settle before measuring. A fixed
        // number of rounds was not enough: the runtime promotes methods only once no new method has been compiled for
        // a while, so after 5 rounds most of the server's and the client's code still ran at tier 0 and the JIT took a
        // tenth of the CPU of the measured part. Rounds go on until two in a row compile almost nothing (at most 60 s).
        // Pebble's row gets the same warm-up (for the client's sake).
        var warmUp = Stopwatch.StartNew();
        var quietRounds = 0;
        var rounds = 0;
        while (quietRounds < 2 && warmUp.Elapsed < TimeSpan.FromSeconds(60))
        {
            var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(j => IssueAsync(issuer, account, solvers, "warmup" + j)));
            await Task.Delay(200);
            rounds++;
            quietRounds = rounds >= MinWarmUpRounds && System.Runtime.JitInfo.GetCompiledMethodCount() - compiled <= QuietCompilations ? quietRounds + 1 : 0;
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{directoryUri.Port}] warm-up: {rounds} rounds of {Concurrent}, {warmUp.Elapsed.TotalSeconds:0.0} s, {System.Runtime.JitInfo.GetCompiledMethodCount()} methods compiled"));

        var singles = new List<double>();
        var total = Stopwatch.StartNew();
        for (var i = 0; i < sequential; i++)
        {
            var watch = Stopwatch.StartNew();
            await IssueAsync(issuer, account, solvers, "one" + i);
            singles.Add(watch.Elapsed.TotalMilliseconds);
        }

        total.Stop();
        var roundTimes = new List<double>();
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes();
        var collections = GC.CollectionCount(0);
        for (var round = 0; round < ConcurrentRounds; round++)
        {
            var all = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(i => IssueAsync(issuer, account, solvers, "many" + i)));
            roundTimes.Add(all.Elapsed.TotalMilliseconds);
        }

        cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var perCertificate = ConcurrentRounds * Concurrent;
        // To stderr, beside the table: the CPU and the allocations this process (client, and the server when in-process)
        // spent per certificate.
        Console.Error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"[{directoryUri.Port}] this process per concurrent certificate: {cpu.TotalMilliseconds / perCertificate:0.0} ms CPU, {(GC.GetTotalAllocatedBytes() - allocated) / 1024.0 / perCertificate:0} KiB allocated, {(GC.CollectionCount(0) - collections) / (double)perCertificate:0.00} gen0 collections"));
        singles.Sort();
        roundTimes.Sort();
        return new Result(singles[singles.Count / 2], total.Elapsed.TotalMilliseconds / sequential, roundTimes[roundTimes.Count / 2]);
    }

    private static Task IssueAsync(AcmeCertificateIssuer issuer, AcmeAccount account, IChallengeSolver[] solvers, string label) =>
        issuer.IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns($"{label}-{Guid.NewGuid():N}"[..(label.Length + 9)] + ".example.test")] },
            solvers);

    private readonly record struct Result(double MedianMs, double MeanMs, double ConcurrentMs);
}
