using Pki.Smime.Testing;

namespace Pki.Smime.Tests;

/// <summary>Issue point 4: the CAA issuemail check runs before issuance and stops it unless permitted.</summary>
public sealed class PipelineTests
{
    private sealed class FakeAuthorizer(Func<string, IssueMailDecision> decide) : IIssueMailAuthorizer
    {
        public List<(string Domain, IReadOnlyList<string> Issuers)> Calls { get; } = [];

        public ValueTask<IssueMailDecision> AuthorizeAsync(IssueMailCheck check, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Calls.Add((check.Domain, check.IssuerDomainNames));
            return ValueTask.FromResult(decide(check.Domain));
        }
    }

    private static SmimeCertificateRequest Request(params string[] mailboxes) =>
        TestPki.Request(TestPki.StrictMailbox, subject: new SmimeSubject()) with { Mailboxes = mailboxes };

    [Fact]
    public async Task Each_distinct_mailbox_domain_is_checked_in_A_labels_before_issuing()
    {
        var authorizer = new FakeAuthorizer(_ => new IssueMailDecision(IssueMailOutcome.Permitted, "issuemail \"ca.example.test\""));
        var pipeline = new SmimeIssuancePipeline(TestPki.Builder(), authorizer);

        var certificate = await pipeline.IssueAsync(Request("a@Example.test", "b@example.test", "c@bücher.example"), TestPki.Ca, CancellationToken.None);

        Assert.Equal(["example.test", "xn--bcher-kva.example"], authorizer.Calls.Select(c => c.Domain));
        Assert.All(authorizer.Calls, c => Assert.Equal([SmimeTestHierarchy.IssuerDomainName], c.Issuers));
        Assert.Empty(certificate.Lint.Findings);
    }

    [Theory]
    [InlineData(IssueMailOutcome.Denied, "issuemail \"other-ca.test\" only")]
    [InlineData(IssueMailOutcome.Indeterminate, "SERVFAIL for _caa lookup")]
    public async Task Denied_or_indeterminate_stops_issuance_with_the_reason(IssueMailOutcome outcome, string reason)
    {
        var authorizer = new FakeAuthorizer(domain => domain == "blocked.test"
            ? new IssueMailDecision(outcome, reason)
            : new IssueMailDecision(IssueMailOutcome.Permitted, "ok"));
        var pipeline = new SmimeIssuancePipeline(TestPki.Builder(), authorizer);

        var ex = await Assert.ThrowsAsync<SmimeIssuanceDeniedException>(() => pipeline.IssueAsync(Request("a@example.test", "b@blocked.test"), TestPki.Ca, CancellationToken.None));

        Assert.Equal("blocked.test", ex.Domain);
        Assert.Equal(outcome, ex.Decision.Outcome);
        Assert.Equal($"CAA issuemail check for 'blocked.test' returned {outcome}: {reason} (S/MIME BR 4.2.2.1, RFC 9495); the certificate was not issued.", ex.Message);
    }

    [Fact]
    public async Task A_null_decision_counts_as_indeterminate()
    {
        var pipeline = new SmimeIssuancePipeline(TestPki.Builder(), new FakeAuthorizer(_ => null!));

        var ex = await Assert.ThrowsAsync<SmimeIssuanceDeniedException>(() => pipeline.IssueAsync(Request("a@example.test"), TestPki.Ca, CancellationToken.None));

        Assert.Equal(IssueMailOutcome.Indeterminate, ex.Decision.Outcome);
    }

    [Fact]
    public async Task The_check_can_be_skipped_explicitly_for_technically_constrained_sub_cas()
    {
        var pipeline = new SmimeIssuancePipeline(TestPki.Builder(), authorizer: null, new SmimeIssuanceOptions { SkipIssueMailCheck = true });

        var certificate = await pipeline.IssueAsync(Request("a@example.test"), TestPki.Ca, CancellationToken.None);

        Assert.True(certificate.Lint.IsCompliant);
    }

    [Fact]
    public void Without_an_authorizer_the_check_must_be_skipped_explicitly()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SmimeIssuancePipeline(TestPki.Builder(), authorizer: null));

        Assert.StartsWith("An IIssueMailAuthorizer is required for the CAA issuemail check (section 4.2.2.1)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ca_without_issuer_domain_names_cannot_be_checked()
    {
        var ca = TestPki.Ca;
        var anonymous = new SmimeIssuingCa(ca.Certificate.Span, ca.Key, ca.CrlDistributionPoint);
        var pipeline = new SmimeIssuancePipeline(TestPki.Builder(), new FakeAuthorizer(_ => new IssueMailDecision(IssueMailOutcome.Permitted, "ok")));

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => pipeline.IssueAsync(Request("a@example.test"), anonymous, CancellationToken.None));

        Assert.StartsWith("The issuing CA has no IssuerDomainNames", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compliance_errors_surface_after_a_permitted_check()
    {
        var pipeline = new SmimeIssuancePipeline(TestPki.Builder(), new FakeAuthorizer(_ => new IssueMailDecision(IssueMailOutcome.Permitted, "ok")));

        var ex = await Assert.ThrowsAsync<SmimeComplianceException>(() =>
            pipeline.IssueAsync(Request("a@example.test") with { Subject = new SmimeSubject { OrganizationName = "Example" } }, TestPki.Ca, CancellationToken.None));

        Assert.Equal(SmimeLintRules.SubjectAttributeProhibited, ex.Rule);
    }

    [Fact]
    public async Task Bad_input_is_refused_before_any_caa_lookup()
    {
        var authorizer = new FakeAuthorizer(_ => new IssueMailDecision(IssueMailOutcome.Permitted, "ok"));
        var pipeline = new SmimeIssuancePipeline(TestPki.Builder(), authorizer);

        var ex = await Assert.ThrowsAsync<SmimeComplianceException>(() => pipeline.IssueAsync(Request("not-a-mailbox"), TestPki.Ca, CancellationToken.None));

        Assert.Equal(SmimeLintRules.SanRfc822Invalid, ex.Rule);
        Assert.Empty(authorizer.Calls);
    }

    [Fact]
    public async Task Cancellation_reaches_the_authorizer()
    {
        var pipeline = new SmimeIssuancePipeline(TestPki.Builder(), new FakeAuthorizer(_ => new IssueMailDecision(IssueMailOutcome.Permitted, "ok")));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.IssueAsync(Request("a@example.test"), TestPki.Ca, cts.Token));
    }
}
