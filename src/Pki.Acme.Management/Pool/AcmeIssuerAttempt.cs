namespace Pki.Acme.Management;

/// <summary>What happened at one CA during one <see cref="AcmeIssuerPool.IssueAsync"/> call.</summary>
/// <param name="Issuer">The issuer's name.</param>
/// <param name="Outcome">What happened.</param>
/// <param name="Detail">A readable reason (an exception message or the CAA explanation).</param>
/// <param name="Exception">The failure, when there was one.</param>
public sealed record AcmeIssuerAttempt(string Issuer, AcmeIssuerAttemptOutcome Outcome, string Detail, Exception? Exception = null);

/// <summary>The outcome of one attempt at one CA.</summary>
public enum AcmeIssuerAttemptOutcome
{
    /// <summary>The CA issued the certificate.</summary>
    Issued,

    /// <summary>The CA failed in a way another CA may not: the pool moved on.</summary>
    FailedTryNext,

    /// <summary>The CA failed in a way no CA will fix (bad input): the pool stopped.</summary>
    FailedStop,

    /// <summary>The CA was skipped because it is backing off after earlier failures.</summary>
    SkippedBackoff,

    /// <summary>The CA was skipped because the names' CAA records do not permit it.</summary>
    SkippedCaa,
}
