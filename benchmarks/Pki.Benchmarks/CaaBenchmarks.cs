using BenchmarkDotNet.Attributes;
using Pki.Caa;

namespace Pki.Benchmarks;

/// <summary>
/// CAA: parsing five issue values and evaluating a cached Relevant RRset of five records, beside a
/// plain <see cref="string.Split(char[])"/> of the same values (the baseline).
/// Run: dotnet run -c Release --project benchmarks/Pki.Benchmarks -- --filter '*Caa*'
/// </summary>
[MemoryDiagnoser]
public class CaaBenchmarks
{
    private static readonly string[] Values =
    [
        "other-ca.example",
        "third-ca.example; accounturi=https://third-ca.example/acct/1",
        ";",
        "ca.example; accounturi=https://ca.example/acct/9; validationmethods=http-01",
        "ca.example; accounturi=https://ca.example/acct/123; validationmethods=dns-01,http-01",
    ];

    private static readonly char[] Separators = [';', '='];

    private CaaRelevantRRset _rrset = null!;
    private CaaCheck _check = null!;
    private CaaEvaluator _evaluator = null!;

    [GlobalSetup]
    public void Setup()
    {
        _rrset = CaaRelevantRRset.Create("www.example.com", "example.com", Values.Select(v => new CaaRecord(0, CaaTags.Issue, v)));
        _check = new CaaCheck("www.example.com", "ca.example", new Uri("https://ca.example/acct/123"), "dns-01");
        if (CaaEvaluator.Evaluate(_rrset, _check).Verdict != CaaVerdict.Permitted)
        {
            throw new InvalidOperationException("The benchmark RRset must permit the check.");
        }

        var zone = "$ORIGIN example.com.\n$TTL 3600\n" + string.Concat(Values.Select(v => $"@ CAA 0 issue \"{v}\"\n"));
        _evaluator = new CaaEvaluator(InMemoryCaaResolver.FromZoneText(zone));
        _evaluator.EvaluateAsync(_check).GetAwaiter().GetResult();
    }

    /// <summary>Baseline: split the five values on ';' and '=' and count the pieces.</summary>
    [Benchmark(Baseline = true)]
    public int StringSplit()
    {
        var pieces = 0;
        foreach (var value in Values)
        {
            pieces += value.Split(Separators).Length;
        }

        return pieces;
    }

    /// <summary>Parse the five values with the RFC 8659 section 4.2 grammar.</summary>
    [Benchmark]
    public int ParseIssuerValues()
    {
        var parameters = 0;
        foreach (var value in Values)
        {
            parameters += CaaIssuerValue.Parse(value).Parameters.Count;
        }

        return parameters;
    }

    /// <summary>Evaluate a cached (already parsed) RRset of five records; the fifth one authorizes.</summary>
    [Benchmark]
    public CaaVerdict EvaluateCachedRRset() => CaaEvaluator.Evaluate(_rrset, _check).Verdict;

    /// <summary>The whole asynchronous path with the answer in the evaluator's TTL cache (two names climbed).</summary>
    [Benchmark]
    public async Task<CaaVerdict> EvaluateAsyncFromCache() => (await _evaluator.EvaluateAsync(_check)).Verdict;
}
