using Pki.Caa;
using Pki.Smime.Internal;

namespace Pki.Smime;

/// <summary>
/// The <c>issuemail</c> check through <c>Pki.Caa</c>: evaluates the Relevant RRset of the mailbox domain
/// for an email identifier (RFC 9495 section 3: email addresses are governed by <c>issuemail</c> only)
/// and maps the verdict. DNS failures are <see cref="IssueMailOutcome.Indeterminate"/>, as
/// <see cref="ICaaEvaluator"/> promises.
/// </summary>
public sealed class CaaIssueMailAuthorizer : IIssueMailAuthorizer
{
    private readonly ICaaEvaluator _evaluator;

    /// <summary>Answers <c>issuemail</c> questions with the given CAA evaluator (denied and indeterminate CAA verdicts both stop issuance).</summary>
    /// <param name="evaluator">A <c>Pki.Caa</c> evaluator, e.g. <c>new CaaEvaluator(new DnsCaaResolver(...))</c>.</param>
    public CaaIssueMailAuthorizer(ICaaEvaluator evaluator)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        _evaluator = evaluator;
    }

    /// <inheritdoc/>
    /// <exception cref="CaaFormatException">The mailbox or an issuer domain name is not well formed.</exception>
    public async ValueTask<IssueMailDecision> AuthorizeAsync(IssueMailCheck check, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        var caaCheck = new CaaCheck(CaaIdentifier.Email(check.Mailbox), check.IssuerDomainNames);
        var decision = await _evaluator.EvaluateAsync(caaCheck, cancellationToken).ConfigureAwait(false);
        var outcome = decision.Verdict switch
        {
            CaaVerdict.Permitted => IssueMailOutcome.Permitted,
            CaaVerdict.Denied => IssueMailOutcome.Denied,
            _ => IssueMailOutcome.Indeterminate,
        };
        return new IssueMailDecision(outcome, $"{decision.Reason}: {decision.Explanation}");
    }
}
