namespace Pki.Caa.Tests;

public sealed class PolicyBuilderTests
{
    [Fact]
    public void Builds_the_zone_lines_of_a_policy()
    {
        var lines = new CaaPolicyBuilder("Example.com.")
            .AllowIssuer("CA.example", r => r.ForAccount("https://ca.example/acct/123").WithValidationMethods("dns-01"))
            .ForbidWildcards()
            .ForbidEmail()
            .ReportTo("mailto:security@example.com")
            .WithTtl(TimeSpan.FromMinutes(5))
            .BuildZoneLines();

        Assert.Equal(
            [
                "example.com. 300 IN CAA 0 issue \"ca.example; accounturi=https://ca.example/acct/123; validationmethods=dns-01\"",
                "example.com. 300 IN CAA 0 issuewild \";\"",
                "example.com. 300 IN CAA 0 issuemail \";\"",
                "example.com. 300 IN CAA 0 iodef \"mailto:security@example.com\"",
            ],
            lines);
    }

    [Fact]
    public async Task A_built_policy_means_what_the_operator_meant()
    {
        var text = new CaaPolicyBuilder("example.com")
            .AllowIssuer("ca.example", r => r.ForAccount("https://ca.example/acct/123").WithValidationMethods("dns-01", "http-01"))
            .AllowWildcardIssuer("ca.example", r => r.WithValidationMethods("dns-01"))
            .AllowEmailIssuer("mail.example")
            .BuildZoneText();
        var evaluator = new CaaEvaluator(InMemoryCaaResolver.FromZoneText(text, "example.com"));
        var account = new Uri("https://ca.example/acct/123");

        Assert.Equal(CaaVerdict.Permitted, (await evaluator.EvaluateAsync(new CaaCheck("www.example.com", "ca.example", account, "http-01"))).Verdict);
        Assert.Equal(CaaVerdict.Denied, (await evaluator.EvaluateAsync(new CaaCheck("www.example.com", "ca.example", new Uri("https://ca.example/acct/9"), "http-01"))).Verdict);
        Assert.Equal(CaaVerdict.Permitted, (await evaluator.EvaluateAsync(new CaaCheck("*.example.com", "ca.example", null, "dns-01"))).Verdict);
        Assert.Equal(CaaVerdict.Denied, (await evaluator.EvaluateAsync(new CaaCheck("*.example.com", "ca.example", null, "http-01"))).Verdict);
        Assert.Equal(CaaVerdict.Permitted, (await evaluator.EvaluateAsync(new CaaCheck("me@example.com", "mail.example"))).Verdict);
        Assert.Equal(CaaVerdict.Denied, (await evaluator.EvaluateAsync(new CaaCheck("me@example.com", "ca.example"))).Verdict);
    }

    public static TheoryData<Func<CaaPolicyBuilder, CaaPolicyBuilder>, string> Refusals => new()
    {
        { b => b.ForbidIssuance().AllowIssuer("ca.example"), "Allowing ca.example (issue) contradicts the earlier ForbidIssuance()" },
        { b => b.AllowIssuer("ca.example").ForbidIssuance(), "Forbidding all issuance (issue \";\") contradicts allowing ca.example" },
        { b => b.ForbidWildcards().AllowWildcardIssuer("ca.example"), "contradicts the earlier ForbidWildcards()" },
        { b => b.AllowEmailIssuer("m.example").ForbidEmail(), "Forbidding S/MIME certificates" },
        { b => b.ForbidEmail().ForbidEmail(), "S/MIME certificates is already forbidden" },
        { b => b.AllowIssuer("ca.example").AllowIssuer("CA.example."), "'issue ca.example' is given twice" },
        { b => b.AllowIssuer("Let's Encrypt"), "'Let's Encrypt' is not an issuer domain name" },
        { b => b.AllowIssuer("ca.example", r => r.ForAccount("acct/1")), "'acct/1' is not an absolute URI" },
        { b => b.AllowIssuer("ca.example", r => r.ForAccount("https://ca.example/a;b")), "contains ';'" },
        { b => b.AllowIssuer("ca.example", r => r.ForAccount("https://ca.example/1").ForAccount("https://ca.example/2")), "would make the record unsatisfiable" },
        { b => b.AllowIssuer("ca.example", r => r.WithValidationMethods()), "Give at least one validation method" },
        { b => b.AllowIssuer("ca.example", r => r.WithValidationMethods("dns 01")), "'dns 01' is not a validation method label" },
        { b => b.AllowIssuer("ca.example", r => r.WithValidationMethods("dns-01", "dns-01")), "'dns-01' is given twice" },
        { b => b.AllowIssuer("ca.example", r => r.WithValidationMethods("dns-01").WithValidationMethods("http-01")), "already restricted to 'dns-01'" },
        { b => b.ReportTo("ftp://example.com/x"), "uses the scheme 'ftp'" },
        { b => b.ReportTo("mailto:a@example.com").ReportTo("mailto:a@example.com"), "is given twice" },
        { b => b.WithTtl(TimeSpan.FromSeconds(-1)), "The TTL -00:00:01 is out of range" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Refuses_contradictory_or_malformed_input(Func<CaaPolicyBuilder, CaaPolicyBuilder> build, string message)
    {
        var ex = Assert.Throws<CaaPolicyException>(() => build(new CaaPolicyBuilder("example.com")));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_policies_that_restrict_nothing_and_bad_domains()
    {
        Assert.Contains("is empty", Assert.Throws<CaaPolicyException>(() => new CaaPolicyBuilder("example.com").Build()).Message, StringComparison.Ordinal);
        Assert.Contains("only has iodef records", Assert.Throws<CaaPolicyException>(() => new CaaPolicyBuilder("example.com").ReportTo("mailto:a@example.com").Build()).Message, StringComparison.Ordinal);
        Assert.Contains("'exa mple.com'", Assert.Throws<CaaPolicyException>(() => new CaaPolicyBuilder("exa mple.com")).Message, StringComparison.Ordinal);
    }
}
