namespace Pki.Caa.Tests;

/// <summary>The policy table on <see cref="InMemoryCaaResolver"/> over the same zone files knotd serves.</summary>
public sealed class InMemoryPolicyTableTests
{
    private readonly CaaEvaluator _evaluator = new(TestZones.InMemory());

    [Theory]
    [MemberData(nameof(PolicyTable.Rows), MemberType = typeof(PolicyTable))]
    public async Task Evaluates_the_table(string name, string ca, string? account, string? method, CaaVerdict verdict, CaaReason reason)
    {
        var decision = await _evaluator.EvaluateAsync(PolicyTable.Check(name, ca, account, method));

        Assert.True(decision.Verdict == verdict && decision.Reason == reason, $"{name} for {ca}: expected {verdict} ({reason}), got {decision}");
    }
}
