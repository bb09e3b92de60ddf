using System.Diagnostics;
using System.Globalization;
using System.Net;
using Pki.Acme;
using Pki.TestSupport;

namespace Pki.Benchmarks;

/// <summary>
/// End-to-end issuance against a local Pebble 2.4 (validation on, PEBBLE_VA_NOSLEEP=1, default 5%
/// badNonce injection): one certificate over http-01 at a time, then 20 at once. A measurement
/// program rather than a BenchmarkDotNet class: each run needs a live CA and the quantity is wall time.
/// Run: dotnet run -c Release --project benchmarks/Pki.Benchmarks -- acme-e2e
/// </summary>
internal static class AcmeEndToEnd
{
    public static async Task<int> RunAsync(string[] args)
    {
        var sequential = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        const int Concurrent = 20;
        await using var pebble = await PebbleServer.StartAsync();
        using var http = pebble.CreateHttpClient();
        var client = new AcmeClient(http, new AcmeClientOptions { DirectoryUri = pebble.DirectoryUri });
        var issuer = new AcmeCertificateIssuer(client);
        var store = new InMemoryHttp01TokenStore();
        await using var responder = Http01Responder.Start(store, pebble.HttpPort);
        using var key = AcmeKey.Create();
        var account = await client.CreateAccountAsync(key, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        var solvers = new IChallengeSolver[] { new Http01ChallengeSolver(store) };

        // Warm-up: JIT, TLS session, connection pool.
        await IssueAsync(issuer, account, solvers, "warmup");

        var singles = new List<double>();
        for (var i = 0; i < sequential; i++)
        {
            var watch = Stopwatch.StartNew();
            await IssueAsync(issuer, account, solvers, "one" + i);
            singles.Add(watch.Elapsed.TotalMilliseconds);
        }

        var all = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(i => IssueAsync(issuer, account, solvers, "many" + i)));
        all.Stop();

        singles.Sort();
        Console.WriteLine();
        Console.WriteLine("| scenario (Pebble 2.4, http-01, PEBBLE_VA_NOSLEEP=1) | result |");
        Console.WriteLine("|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| one certificate, median of {sequential} | {singles[singles.Count / 2]:0} ms (min {singles[0]:0}, max {singles[^1]:0}) |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {Concurrent} certificates concurrently, wall time | {all.Elapsed.TotalMilliseconds:0} ms |"));
        return 0;
    }

    private static Task IssueAsync(AcmeCertificateIssuer issuer, AcmeAccount account, IChallengeSolver[] solvers, string label) =>
        issuer.IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns($"{label}-{Guid.NewGuid():N}"[..(label.Length + 9)] + ".example.test")] },
            solvers);
}
