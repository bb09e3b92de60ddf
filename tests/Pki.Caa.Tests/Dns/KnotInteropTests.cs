using Pki.TestSupport;
using Xunit.Abstractions;

namespace Pki.Caa.Tests;

/// <summary>The policy table and the failure modes against a real authoritative server (knotd on loopback).</summary>
[Collection(KnotTests.Name)]
public sealed class KnotInteropTests
{
    private readonly KnotFixture _knot;

    public KnotInteropTests(KnotFixture knot, ITestOutputHelper output)
    {
        _knot = knot;
        _knot.Server.Process.Output = output;
    }

    [Theory]
    [MemberData(nameof(PolicyTable.Rows), MemberType = typeof(PolicyTable))]
    public async Task Evaluates_the_table(string name, string ca, string? account, string? method, CaaVerdict verdict, CaaReason reason)
    {
        var evaluator = new CaaEvaluator(_knot.CreateResolver());

        var decision = await evaluator.EvaluateAsync(PolicyTable.Check(name, ca, account, method));

        Assert.True(decision.Verdict == verdict && decision.Reason == reason, $"{name} for {ca}: expected {verdict} ({reason}), got {decision}");
    }

    [Fact]
    public async Task Climbing_reports_the_owner_where_the_RRset_was_found()
    {
        var evaluator = new CaaEvaluator(_knot.CreateResolver());

        var rrset = await evaluator.FindRelevantRRsetAsync(CaaIdentifier.Dns("deep.x.y.climb.example.test"));

        Assert.Equal(CaaLookupStatus.Found, rrset.Status);
        Assert.Equal("climb.example.test", rrset.OwnerName);
        Assert.Equal([new CaaRecord(0, "issue", "ca.example")], rrset.Records);
    }

    [Fact]
    public async Task A_CNAME_chain_is_reported_with_the_records_of_its_end()
    {
        var evaluator = new CaaEvaluator(_knot.CreateResolver());

        var rrset = await evaluator.FindRelevantRRsetAsync(CaaIdentifier.Dns("chain1.example.test"));

        Assert.Equal("chain1.example.test", rrset.OwnerName);
        Assert.Equal(["chain2.example.test", "chain3.example.test"], rrset.AliasChain);
        Assert.Equal([new CaaRecord(0, "issue", "chain.example")], rrset.Records);
    }

    [Fact]
    public async Task DnsClient_escapes_are_undone_exactly()
    {
        var resolver = _knot.CreateResolver();

        var tabbed = await resolver.QueryCaaAsync("tabbed.example.test", default);
        var quoted = await resolver.QueryCaaAsync("quoted.example.test", default);
        var literal = await resolver.QueryCaaAsync("literal.example.test", default);
        var raw = await resolver.QueryCaaAsync("raw.example.test", default);

        Assert.Equal("ca.example;\taccounturi=https://ca.example/acct/123", Assert.Single(tabbed.Records).Value);
        Assert.Equal("ca.example; note=\"x\"", Assert.Single(quoted.Records).Value);
        Assert.Equal("ca.example; note=\\065", Assert.Single(literal.Records).Value);
        Assert.Equal(new CaaRecord(128, "foo", "x"), Assert.Single(raw.Records));
    }

    [Fact]
    public async Task Mixed_case_tags_arrive_as_written_and_match()
    {
        var resolver = _knot.CreateResolver();

        var result = await resolver.QueryCaaAsync("upper.example.test", default);

        var record = Assert.Single(result.Records);
        Assert.Equal("ISSUE", record.Tag);
        Assert.True(record.HasTag(CaaTags.Issue));
    }

    [Fact]
    public async Task A_SERVFAIL_zone_is_indeterminate_with_the_reason()
    {
        var evaluator = new CaaEvaluator(_knot.CreateResolver());

        var decision = await evaluator.EvaluateAsync(new CaaCheck("www.servfail.test", "ca.example"));

        Assert.Equal(CaaVerdict.Indeterminate, decision.Verdict);
        Assert.Contains("SERVFAIL", decision.Explanation, StringComparison.Ordinal);
        Assert.Contains("www.servfail.test", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_outside_the_served_zones_is_refused_and_indeterminate()
    {
        var evaluator = new CaaEvaluator(_knot.CreateResolver());

        var decision = await evaluator.EvaluateAsync(new CaaCheck("www.example.org", "ca.example"));

        Assert.Equal(CaaVerdict.Indeterminate, decision.Verdict);
        Assert.Contains("REFUSED", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dead_server_is_indeterminate_never_permitted()
    {
        var deadPort = FreePorts.TcpAndUdp();
        var options = new DnsCaaResolverOptions { Timeout = TimeSpan.FromMilliseconds(300), Retries = 0 };
        options.NameServers.Add($"127.0.0.1:{deadPort}");
        var evaluator = new CaaEvaluator(new DnsCaaResolver(options));

        var decision = await evaluator.EvaluateAsync(new CaaCheck("permit.example.test", "ca.example"));

        Assert.Equal(CaaVerdict.Indeterminate, decision.Verdict);
        Assert.Equal(CaaReason.LookupFailed, decision.Reason);
        Assert.Contains("timeout", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_answer_without_TCP_fallback_is_indeterminate()
    {
        var evaluator = new CaaEvaluator(_knot.CreateResolver(o => o.UseTcpFallback = false));

        var decision = await evaluator.EvaluateAsync(new CaaCheck("big.example.test", "ca.example"));

        Assert.Equal(CaaVerdict.Indeterminate, decision.Verdict);
        Assert.Contains("truncated", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_RRset_arrives_over_TCP_only()
    {
        var resolver = _knot.CreateResolver(o => o.UseTcpOnly = true);

        var result = await resolver.QueryCaaAsync("big.example.test", default);

        Assert.Equal(CaaQueryStatus.NoError, result.Status);
        Assert.Equal(40, result.Records.Count);
    }

    [Fact]
    public async Task NXDOMAIN_is_a_name_error_with_the_SOA_negative_TTL()
    {
        var resolver = _knot.CreateResolver();

        var result = await resolver.QueryCaaAsync("nonexistent.example.test", default);

        Assert.Equal(CaaQueryStatus.NameError, result.Status);
        Assert.Equal(TimeSpan.FromSeconds(60), result.TimeToLive);
    }

    [Fact]
    public async Task Cancellation_is_honoured()
    {
        var resolver = _knot.CreateResolver();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new CaaEvaluator(resolver).EvaluateAsync(new CaaCheck("permit.example.test", "ca.example"), cts.Token));
    }
}
