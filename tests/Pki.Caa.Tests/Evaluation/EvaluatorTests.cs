using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Pki.Caa.Tests;

public sealed class EvaluatorTests
{
    private const string Zone = """
        $ORIGIN example.test.
        $TTL 300
        @        SOA ns1 hostmaster 1 3600 600 86400 120
        @        CAA 0 issue "ca.example"
        a        CNAME b
        b        CNAME c
        c        CAA 0 issue "chain.example"
        short    30 CAA 0 issue "short.example"
        """;

    [Fact]
    public void Evaluate_is_pure_over_a_given_RRset_and_names_the_deciding_record()
    {
        var record = new CaaRecord(0, "issue", "ca.example; validationmethods=dns-01");
        var rrset = CaaRelevantRRset.Create("www.example.com", "example.com", [record, new CaaRecord(0, "iodef", "mailto:a@example.com")]);

        var permitted = CaaEvaluator.Evaluate(rrset, new CaaCheck("www.example.com", "ca.example", null, "dns-01"));
        var denied = CaaEvaluator.Evaluate(rrset, new CaaCheck("www.example.com", "ca.example", null, "http-01"));

        Assert.Equal(CaaVerdict.Permitted, permitted.Verdict);
        Assert.Equal([record], permitted.DecidingRecords);
        Assert.Contains("authorizes ca.example", permitted.Explanation, StringComparison.Ordinal);
        Assert.Equal(CaaReason.ValidationMethodMismatch, denied.Reason);
        Assert.Equal([record], denied.DecidingRecords);
        Assert.Contains("validation methods dns-01, not http-01", denied.Explanation, StringComparison.Ordinal);
        Assert.Contains("example.com. CAA 0 issue", rrset.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Reasons_name_the_records_and_issuers()
    {
        var rrset = CaaRelevantRRset.Create("x.example", "example", [new CaaRecord(0, "issue", "a.example"), new CaaRecord(0, "issue", "%%")]);

        var decision = CaaEvaluator.Evaluate(rrset, new CaaCheck("x.example", "b.example"));

        Assert.Equal(CaaReason.NotAuthorized, decision.Reason);
        Assert.Equal(2, decision.DecidingRecords.Count);
        Assert.Contains("authorize a.example, not b.example", decision.Explanation, StringComparison.Ordinal);
        Assert.Contains("1 malformed issue value(s)", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_critical_unknown_tag_denies_even_email_and_names_the_record()
    {
        var critical = new CaaRecord(128, "future", "x");
        var rrset = CaaRelevantRRset.Create("example", "example", [new CaaRecord(0, "issuemail", "ca.example"), critical]);

        var decision = CaaEvaluator.Evaluate(rrset, new CaaCheck("u@example", "ca.example"));

        Assert.Equal(CaaReason.CriticalUnknownProperty, decision.Reason);
        Assert.Equal([critical], decision.DecidingRecords);
        Assert.Contains("'future'", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_alias_hop_limit_makes_a_long_chain_indeterminate()
    {
        var resolver = InMemoryCaaResolver.FromZoneText(Zone);
        var strict = new CaaEvaluator(resolver, Options.Create(new CaaEvaluatorOptions { MaxAliasHops = 1 }));
        var relaxed = new CaaEvaluator(resolver, Options.Create(new CaaEvaluatorOptions { MaxAliasHops = 2 }));

        var denied = await strict.EvaluateAsync(new CaaCheck("a.example.test", "chain.example"));
        var permitted = await relaxed.EvaluateAsync(new CaaCheck("a.example.test", "chain.example"));

        Assert.Equal(CaaVerdict.Indeterminate, denied.Verdict);
        Assert.Contains("more than 1 aliases", denied.Explanation, StringComparison.Ordinal);
        Assert.Equal(CaaVerdict.Permitted, permitted.Verdict);
    }

    [Fact]
    public async Task Answers_are_cached_for_their_TTL()
    {
        var time = new FakeTimeProvider();
        var resolver = new CountingResolver(InMemoryCaaResolver.FromZoneText(Zone));
        var evaluator = new CaaEvaluator(resolver, timeProvider: time);
        var check = new CaaCheck("short.example.test", "short.example");

        await evaluator.EvaluateAsync(check);
        await evaluator.EvaluateAsync(check);
        Assert.Equal(1, resolver.Count("short.example.test"));

        time.Advance(TimeSpan.FromSeconds(29));
        await evaluator.EvaluateAsync(check);
        Assert.Equal(1, resolver.Count("short.example.test"));

        time.Advance(TimeSpan.FromSeconds(2));
        await evaluator.EvaluateAsync(check);
        Assert.Equal(2, resolver.Count("short.example.test"));
    }

    [Fact]
    public async Task Negative_answers_are_cached_for_the_SOA_minimum_and_the_cap_applies()
    {
        var time = new FakeTimeProvider();
        var resolver = new CountingResolver(InMemoryCaaResolver.FromZoneText(Zone));
        var capped = new CaaEvaluator(resolver, Options.Create(new CaaEvaluatorOptions { MaxCacheTtl = TimeSpan.FromSeconds(60) }), time);
        var check = new CaaCheck("nothing.example.test", "ca.example");

        await capped.EvaluateAsync(check);
        time.Advance(TimeSpan.FromSeconds(59));
        await capped.EvaluateAsync(check);
        Assert.Equal(1, resolver.Count("nothing.example.test"));
        Assert.Equal(1, resolver.Count("example.test"));

        time.Advance(TimeSpan.FromSeconds(2));
        await capped.EvaluateAsync(check);
        Assert.Equal(2, resolver.Count("nothing.example.test"));
        Assert.Equal(2, resolver.Count("example.test"));
    }

    [Fact]
    public async Task Failures_are_not_cached()
    {
        var resolver = new ScriptedResolver(CaaQueryResult.Failure(CaaQueryStatus.Timeout, "no answer"));
        var evaluator = new CaaEvaluator(resolver, timeProvider: new FakeTimeProvider());

        await evaluator.EvaluateAsync(new CaaCheck("x.example", "ca.example"));
        await evaluator.EvaluateAsync(new CaaCheck("x.example", "ca.example"));

        Assert.Equal(2, resolver.Calls);
    }

    [Theory]
    [InlineData(CaaQueryStatus.ServerFailure, "SERVFAIL")]
    [InlineData(CaaQueryStatus.Refused, "REFUSED")]
    [InlineData(CaaQueryStatus.Timeout, "a timeout")]
    [InlineData(CaaQueryStatus.Truncated, "a truncated answer")]
    [InlineData(CaaQueryStatus.OtherError, "an error response")]
    [InlineData(CaaQueryStatus.MalformedResponse, "a malformed answer")]
    public async Task Every_failure_is_indeterminate_never_permitted(CaaQueryStatus status, string described)
    {
        var evaluator = new CaaEvaluator(new ScriptedResolver(CaaQueryResult.Failure(status, "detail from the resolver")));

        var decision = await evaluator.EvaluateAsync(new CaaCheck("www.example.com", "ca.example"));

        Assert.Equal(CaaVerdict.Indeterminate, decision.Verdict);
        Assert.Equal(CaaReason.LookupFailed, decision.Reason);
        Assert.Contains(described, decision.Explanation, StringComparison.Ordinal);
        Assert.Contains("detail from the resolver", decision.Explanation, StringComparison.Ordinal);
        Assert.Equal(CaaLookupStatus.Indeterminate, decision.RelevantRRset.Status);
    }

    [Fact]
    public async Task A_failure_higher_up_the_tree_is_indeterminate_too()
    {
        var resolver = new ScriptedResolver(name => name == "example.com"
            ? CaaQueryResult.Failure(CaaQueryStatus.ServerFailure, "parent zone broken")
            : CaaQueryResult.NameError(null, TimeSpan.Zero));

        var decision = await new CaaEvaluator(resolver).EvaluateAsync(new CaaCheck("a.b.example.com", "ca.example"));

        Assert.Equal(CaaVerdict.Indeterminate, decision.Verdict);
        Assert.Contains("example.com failed with SERVFAIL", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Climbing_stops_before_the_root()
    {
        var resolver = new CountingResolver(new ScriptedResolver(_ => CaaQueryResult.Success([], null, TimeSpan.Zero)));

        var decision = await new CaaEvaluator(resolver).EvaluateAsync(new CaaCheck("a.b.example.com", "ca.example"));

        Assert.Equal(CaaReason.NoRelevantRRset, decision.Reason);
        Assert.Equal(["a.b.example.com", "b.example.com", "example.com", "com"], resolver.Names);
    }

    [Fact]
    public async Task A_resolver_returning_null_is_a_clear_error()
    {
        var evaluator = new CaaEvaluator(new ScriptedResolver(_ => null!));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => evaluator.EvaluateAsync(new CaaCheck("x.example", "ca.example")));

        Assert.Contains("returned null for x.example", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1, 1, "MaxAliasHops is 0")]
    [InlineData(65, 1, 1, "MaxAliasHops is 65")]
    [InlineData(8, -1, 1, "MaxCacheTtl is -00:00:01")]
    [InlineData(8, 1, 0, "MaxCacheEntries is 0")]
    public void Invalid_evaluator_options_are_refused_naming_the_setting(int hops, int ttlSeconds, int entries, string message)
    {
        var options = new CaaEvaluatorOptions { MaxAliasHops = hops, MaxCacheTtl = TimeSpan.FromSeconds(ttlSeconds), MaxCacheEntries = entries };

        var ex = Assert.Throws<ArgumentException>(() => new CaaEvaluator(new ScriptedResolver(_ => null!), Options.Create(options)));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_results_refuse_inconsistent_construction()
    {
        Assert.Throws<ArgumentException>(() => CaaQueryResult.Failure(CaaQueryStatus.NoError, "x"));
        Assert.Throws<ArgumentException>(() => CaaRelevantRRset.Create("a", "a", []));
        Assert.Equal(TimeSpan.Zero, CaaQueryResult.Success([], null, TimeSpan.FromSeconds(-5)).TimeToLive);
    }

    internal sealed class ScriptedResolver : ICaaResolver
    {
        private readonly Func<string, CaaQueryResult> _answer;

        public ScriptedResolver(CaaQueryResult answer)
            : this(_ => answer)
        {
        }

        public ScriptedResolver(Func<string, CaaQueryResult> answer) => _answer = answer;

        public int Calls { get; private set; }

        public Task<CaaQueryResult> QueryCaaAsync(string name, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult(_answer(name));
        }
    }

    internal sealed class CountingResolver(ICaaResolver inner) : ICaaResolver
    {
        public List<string> Names { get; } = [];

        public int Count(string name) => Names.Count(n => n == name);

        public Task<CaaQueryResult> QueryCaaAsync(string name, CancellationToken cancellationToken)
        {
            Names.Add(name);
            return inner.QueryCaaAsync(name, cancellationToken);
        }
    }
}
