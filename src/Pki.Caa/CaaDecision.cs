namespace Pki.Caa;

/// <summary>The outcome of a CAA check.</summary>
public enum CaaVerdict
{
    /// <summary>CAA permits this CA to issue.</summary>
    Permitted,

    /// <summary>CAA forbids this CA to issue.</summary>
    Denied,

    /// <summary>The Relevant RRset could not be determined (DNS failure); fail closed and do not issue.</summary>
    Indeterminate,
}

/// <summary>Why a <see cref="CaaDecision"/> came out as it did.</summary>
public enum CaaReason
{
    /// <summary>No CAA RRset from the name up to (not including) the root: CAA does not restrict issuance.</summary>
    NoRelevantRRset,

    /// <summary>The Relevant RRset has no property that restricts this kind of identifier.</summary>
    NoRestrictingProperty,

    /// <summary>A property names one of the CA's issuer domain names and its parameters are satisfied.</summary>
    Authorized,

    /// <summary>The restricting properties name other issuers only.</summary>
    NotAuthorized,

    /// <summary>Every restricting property names no issuer (<c>;</c>) or is malformed (treated the same).</summary>
    NoIssuerAllowed,

    /// <summary>A property with the Issuer Critical flag has a tag this evaluator does not understand.</summary>
    CriticalUnknownProperty,

    /// <summary>A property for this CA is restricted to another ACME account (RFC 8657 <c>accounturi</c>).</summary>
    AccountUriMismatch,

    /// <summary>A property for this CA is restricted to other validation methods (RFC 8657 <c>validationmethods</c>).</summary>
    ValidationMethodMismatch,

    /// <summary>A property for this CA has several or invalid <c>accounturi</c>/<c>validationmethods</c> parameters, so nothing satisfies it.</summary>
    UnsatisfiableParameters,

    /// <summary>A DNS query failed (SERVFAIL, REFUSED, timeout, truncation, malformed answer) or aliases looped.</summary>
    LookupFailed,
}

/// <summary>A verdict with the records that decided it and a readable reason.</summary>
public sealed record CaaDecision
{
    private readonly Func<CaaDecision, string>? _explain;
    private string? _explanation;

    internal CaaDecision(CaaVerdict verdict, CaaReason reason, string explanation, CaaCheck check, CaaRelevantRRset rrset, IReadOnlyList<CaaRecord> decidingRecords)
        : this(verdict, reason, check, rrset, decidingRecords, null)
    {
        _explanation = explanation;
    }

    /// <summary>A decision whose explanation is written on first use (the hot path allocates no text).</summary>
    internal CaaDecision(CaaVerdict verdict, CaaReason reason, CaaCheck check, CaaRelevantRRset rrset, IReadOnlyList<CaaRecord> decidingRecords, Func<CaaDecision, string>? explain)
    {
        Verdict = verdict;
        Reason = reason;
        Check = check;
        RelevantRRset = rrset;
        DecidingRecords = decidingRecords;
        _explain = explain;
    }

    /// <summary>Permitted, Denied or Indeterminate.</summary>
    public CaaVerdict Verdict { get; }

    /// <summary>The rule that decided.</summary>
    public CaaReason Reason { get; }

    /// <summary>A sentence for logs and people, naming the records and values involved.</summary>
    public string Explanation => _explanation ??= _explain!(this);

    /// <summary>The check that was evaluated.</summary>
    public CaaCheck Check { get; }

    /// <summary>The Relevant RRset used (empty or indeterminate when there was none).</summary>
    public CaaRelevantRRset RelevantRRset { get; }

    /// <summary>The record(s) that decided: the authorizing one, the critical one, or the restricting ones.</summary>
    public IReadOnlyList<CaaRecord> DecidingRecords { get; }

    /// <summary>Whether the verdict is <see cref="CaaVerdict.Permitted"/>.</summary>
    public bool IsPermitted => Verdict == CaaVerdict.Permitted;

    /// <inheritdoc />
    public override string ToString() => $"{Verdict} ({Reason}): {Explanation}";
}
