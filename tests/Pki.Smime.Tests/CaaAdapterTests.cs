using Pki.Caa;

namespace Pki.Smime.Tests;

/// <summary>The Pki.Caa adapter over an in-memory zone (RFC 9495 issuemail).</summary>
public sealed class CaaAdapterTests
{
    private const string Zone = """
        $ORIGIN example.test.
        $TTL 300
        @        SOA ns1 hostmaster 1 3600 600 86400 120
        @        CAA 0 issuemail "ca.example.test"
        other    CAA 0 issuemail "other-ca.test"
        noemail  CAA 0 issuemail ";"
        webonly  CAA 0 issue "ca.example.test"
        """;

    private static SmimeIssuancePipeline Pipeline(params CaaZone[] extraZones) =>
        new(TestPki.Builder(), new CaaIssueMailAuthorizer(new CaaEvaluator(new InMemoryCaaResolver([CaaZone.Parse(Zone), .. extraZones]))));

    private static SmimeCertificateRequest Request(string mailbox) =>
        TestPki.Request(TestPki.StrictMailbox, subject: new SmimeSubject()) with { Mailboxes = [mailbox] };

    [Theory]
    [InlineData("alice@example.test")]
    [InlineData("jörg@example.test")]
    [InlineData("bob@webonly.example.test")]
    public async Task Issuance_proceeds_when_issuemail_permits_the_ca(string mailbox)
    {
        var certificate = await Pipeline().IssueAsync(Request(mailbox), TestPki.Ca, CancellationToken.None);

        Assert.Empty(certificate.Lint.Findings);
    }

    [Theory]
    [InlineData("carol@other.example.test", "other.example.test", IssueMailOutcome.Denied)]
    [InlineData("dave@noemail.example.test", "noemail.example.test", IssueMailOutcome.Denied)]
    [InlineData("erin@broken.test", "broken.test", IssueMailOutcome.Indeterminate)]
    [InlineData("frank@elsewhere.test", "elsewhere.test", IssueMailOutcome.Indeterminate)]
    public async Task Issuance_stops_when_issuemail_denies_or_cannot_be_determined(string mailbox, string domain, IssueMailOutcome outcome)
    {
        var ex = await Assert.ThrowsAsync<SmimeIssuanceDeniedException>(() => Pipeline(CaaZone.ServerFailure("broken.test")).IssueAsync(Request(mailbox), TestPki.Ca, CancellationToken.None));

        Assert.Equal(domain, ex.Domain);
        Assert.Equal(outcome, ex.Decision.Outcome);
        Assert.StartsWith($"CAA issuemail check for '{domain}' returned {outcome}: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_adapter_needs_an_evaluator()
    {
        Assert.Throws<ArgumentNullException>(() => new CaaIssueMailAuthorizer(null!));
    }
}
