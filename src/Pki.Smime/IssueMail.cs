namespace Pki.Smime;

/// <summary>The outcome of a CAA <c>issuemail</c> check for one mailbox domain (RFC 9495).</summary>
public enum IssueMailOutcome
{
    /// <summary>The CA may issue for the domain.</summary>
    Permitted = 1,

    /// <summary>The domain's CAA records do not authorize this CA.</summary>
    Denied = 2,

    /// <summary>The records could not be determined (e.g. DNS failure); issuance must not proceed.</summary>
    Indeterminate = 3,
}

/// <summary>An <c>issuemail</c> decision with a human-readable reason.</summary>
/// <param name="Outcome">Permitted, denied or indeterminate.</param>
/// <param name="Reason">Why, e.g. the relevant record set and the property that decided.</param>
public sealed record IssueMailDecision(IssueMailOutcome Outcome, string Reason);

/// <summary>One <c>issuemail</c> question: may the CA named by <see cref="IssuerDomainNames"/> issue for this mailbox's domain?</summary>
/// <param name="Mailbox">A mailbox of the request in that domain (RFC 9495 looks only at its domain).</param>
/// <param name="Domain">The mailbox domain in lower-case A-labels, without a trailing dot.</param>
/// <param name="IssuerDomainNames">The CA's issuer domain names, as CAA records name it.</param>
public sealed record IssueMailCheck(string Mailbox, string Domain, IReadOnlyList<string> IssuerDomainNames);

/// <summary>
/// Decides whether a CA may issue S/MIME certificates for a mailbox domain (S/MIME BR section 4.2.2.1,
/// RFC 9495 <c>issuemail</c>). Implementations MUST return <see cref="IssueMailOutcome.Indeterminate"/>
/// rather than throw when the DNS answer cannot be obtained, and MUST NOT return
/// <see cref="IssueMailOutcome.Permitted"/> unless the relevant CAA record set permits one of the issuer
/// domain names (or is empty).
/// </summary>
public interface IIssueMailAuthorizer
{
    /// <summary>Checks <c>issuemail</c> for the domain of <paramref name="check"/>.</summary>
    /// <param name="check">The mailbox, its domain and the CA's issuer domain names.</param>
    /// <param name="cancellationToken">Cancels the DNS lookup; implementations throw <see cref="OperationCanceledException"/> rather than answer.</param>
    ValueTask<IssueMailDecision> AuthorizeAsync(IssueMailCheck check, CancellationToken cancellationToken);
}
