using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Pki.Acme;
using Pki.Demo;
using Pki.TestSupport;

namespace Pki.Benchmarks;

/// <summary>
/// <c>acme-server-e2e [N]</c>: the acme-e2e client workload (warm-up of 5 rounds of 20, N sequential certificates, then
/// five rounds of 20 at once; P-256, http-01) run with the same Pki.Acme client against Pebble 2.4 (PEBBLE_VA_NOSLEEP=1) and against
/// Pki.Acme.Server hosted in this process (embedded CA; SQLite with both sync settings; PostgreSQL), one markdown table.
/// </summary>
internal static class AcmeServerEndToEnd
{
    private const int Concurrent = 20;

    // A round of 20 at once takes a few hundred milliseconds: one round is mostly noise on a shared VM, so the
    // table shows the median of several.
    private const int ConcurrentRounds = 5;

    private const int WarmUpRounds = 5;

    public static async Task<int> RunAsync(string[] args)
    {
        var sequential = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;

        // `--only pebble|sqlite|sqlite-normal|postgres`: one row, e.g. to profile one server.
        var only = Array.IndexOf(args, "--only") is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        bool Wanted(string key) => only is null || string.Equals(only, key, StringComparison.OrdinalIgnoreCase);
        var rows = new List<(string Server, Result Result)>();

        if (Wanted("pebble"))
        {
            await using var pebble = await PebbleServer.StartAsync();
            using var http = pebble.CreateHttpClient();
            rows.Add(("Pebble 2.4 (PEBBLE_VA_NOSLEEP=1)", await MeasureAsync(http, pebble.DirectoryUri, pebble.HttpPort, sequential)));
        }

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

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| server (P-256, http-01, same Pki.Acme client) | one at a time, median of {sequential} | sequential certs/s | {Concurrent} at once, wall (median of {ConcurrentRounds} rounds) | concurrent certs/s |"));
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var (server, r) in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {server} | {r.MedianMs:0} ms | {1000 / r.MeanMs:0.0} | {r.ConcurrentMs:0} ms | {Concurrent * 1000 / r.ConcurrentMs:0.0} |"));
        }

        return 0;
    }

    private static async Task<Result> MeasureAsync(HttpClient http, Uri directoryUri, int httpPort, int sequential)
    {
        var client = new AcmeClient(http, new AcmeClientOptions { DirectoryUri = directoryUri });
        var issuer = new AcmeCertificateIssuer(client);
        var store = new InMemoryHttp01TokenStore();
        await using var responder = Http01Responder.Start(store, httpPort);
        using var key = AcmeKey.Create(AcmeKeyAlgorithm.ES256);
        var account = await client.CreateAccountAsync(key, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        var solvers = new IChallengeSolver[] { new Http01ChallengeSolver(store) };

        // Warm-up: a long-running server runs tier-1 code, so let the JIT's tiering settle before measuring (one
        // certificate left most of the server's and the client's code at tier 0, and their recompilation in the
        // background took a third of the CPU of the measured part). Pebble's row gets the same warm-up.
        for (var i = 0; i < WarmUpRounds; i++)
        {
            await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(j => IssueAsync(issuer, account, solvers, "warmup" + j)));
        }

        var singles = new List<double>();
        var total = Stopwatch.StartNew();
        for (var i = 0; i < sequential; i++)
        {
            var watch = Stopwatch.StartNew();
            await IssueAsync(issuer, account, solvers, "one" + i);
            singles.Add(watch.Elapsed.TotalMilliseconds);
        }

        total.Stop();
        var rounds = new List<double>();
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        for (var round = 0; round < ConcurrentRounds; round++)
        {
            var all = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(i => IssueAsync(issuer, account, solvers, "many" + i)));
            rounds.Add(all.Elapsed.TotalMilliseconds);
        }

        cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
        // To stderr, beside the table: the CPU this process (client, and the server when in-process) spent per certificate.
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{directoryUri.Port}] this process's CPU: {cpu.TotalMilliseconds / (ConcurrentRounds * Concurrent):0.0} ms per concurrent certificate"));
        singles.Sort();
        rounds.Sort();
        return new Result(singles[singles.Count / 2], total.Elapsed.TotalMilliseconds / sequential, rounds[rounds.Count / 2]);
    }

    private static Task IssueAsync(AcmeCertificateIssuer issuer, AcmeAccount account, IChallengeSolver[] solvers, string label) =>
        issuer.IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns($"{label}-{Guid.NewGuid():N}"[..(label.Length + 9)] + ".example.test")] },
            solvers);

    private readonly record struct Result(double MedianMs, double MeanMs, double ConcurrentMs);
}
