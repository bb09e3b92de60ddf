using Pki.Smime.Internal;

namespace Pki.Smime;

/// <summary>
/// The input cannot produce a certificate that meets the S/MIME Baseline Requirements; <see cref="Rule"/>
/// names the first rule it breaks and <see cref="Findings"/> lists all of them.
/// </summary>
public sealed class SmimeComplianceException : Exception
{
    /// <summary>Creates the exception for the given findings (at least one).</summary>
    /// <param name="findings">The error findings; the first one names the rule.</param>
    public SmimeComplianceException(IReadOnlyList<SmimeLintFinding> findings)
        : base(BuildMessage(findings))
    {
        Findings = findings;
        Rule = findings[0].Code;
        Section = findings[0].Section;
    }

    /// <summary>Creates the exception for one broken rule.</summary>
    /// <param name="rule">The rule code, one of the <see cref="SmimeLintRules"/> constants.</param>
    /// <param name="section">The BR section that states the rule, e.g. <c>7.1.2.3 e</c>.</param>
    /// <param name="message">What in the input breaks the rule, naming the offending value.</param>
    public SmimeComplianceException(string rule, string section, string message)
        : this([new SmimeLintFinding(rule, SmimeLintSeverity.Error, section, message)])
    {
    }

    /// <summary>The code of the first broken rule (see <see cref="SmimeLintRules"/>).</summary>
    public string Rule { get; }

    /// <summary>The BR section of the first broken rule, e.g. <c>7.1.4.2.1</c>; quote it when reporting the refusal.</summary>
    public string Section { get; }

    /// <summary>Every error finding, in rule order (warnings are not listed: they do not stop issuance).</summary>
    public IReadOnlyList<SmimeLintFinding> Findings { get; }

    private static string BuildMessage(IReadOnlyList<SmimeLintFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        if (findings.Count == 0)
        {
            throw new ArgumentException("At least one finding is required.", nameof(findings));
        }

        var first = findings[0];
        var more = findings.Count > 1 ? $" (and {findings.Count - 1} more: {string.Join(", ", findings.Skip(1).Select(f => f.Code))})" : string.Empty;
        return $"Refused by rule {first.Code} (S/MIME BR {first.Section}): {first.Message}{more}";
    }
}

/// <summary>A certificate, certification request or key given as input is malformed or does not verify.</summary>
public sealed class SmimeFormatException : Exception
{
    /// <summary>Creates the exception; the message must not contain key material.</summary>
    /// <param name="message">What is malformed, naming the input.</param>
    /// <param name="innerException">The parser's exception (e.g. an <c>AsnContentException</c> with the DER problem), if any.</param>
    public SmimeFormatException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>The <c>issuemail</c> CAA check (RFC 9495, BR section 4.2.2.1) did not permit issuance for a mailbox domain.</summary>
public sealed class SmimeIssuanceDeniedException : Exception
{
    /// <summary>Creates the exception; the message names the domain, the outcome and the reason.</summary>
    /// <param name="domain">The mailbox domain that was checked.</param>
    /// <param name="decision">The authorizer's decision (denied or indeterminate).</param>
    public SmimeIssuanceDeniedException(string domain, IssueMailDecision decision)
        : base($"CAA issuemail check for '{domain}' returned {decision?.Outcome}: {decision?.Reason} (S/MIME BR 4.2.2.1, RFC 9495); the certificate was not issued.")
    {
        Domain = domain ?? string.Empty;
        Decision = decision ?? throw new ArgumentNullException(nameof(decision));
    }

    /// <summary>The mailbox domain whose CAA record set stopped issuance (lower-case A-labels).</summary>
    public string Domain { get; }

    /// <summary>The decision that stopped issuance: <see cref="IssueMailOutcome.Denied"/> or <see cref="IssueMailOutcome.Indeterminate"/>, with its reason.</summary>
    public IssueMailDecision Decision { get; }
}
