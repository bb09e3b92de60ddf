namespace Pki.Caa;

/// <summary>
/// The answer to a <see cref="CaaCheck"/>: the verdict, the rule that decided it (<see cref="Reason"/>),
/// the records involved and a sentence for logs. Issue only when <see cref="IsPermitted"/> is true.
/// </summary>
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

    /// <summary>Whether to issue: only <see cref="CaaVerdict.Permitted"/> allows it; <see cref="CaaVerdict.Indeterminate"/> means DNS failed and issuance must wait (fail closed).</summary>
    public CaaVerdict Verdict { get; }

    /// <summary>The RFC rule that decided, for code that reacts differently (retry on <see cref="CaaReason.LookupFailed"/>, report <see cref="CaaReason.AccountUriMismatch"/> to the user).</summary>
    public CaaReason Reason { get; }

    /// <summary>A sentence for logs and people, naming the records and values involved.</summary>
    public string Explanation => _explanation ??= _explain!(this);

    /// <summary>The check this decision answers, as given to the evaluator.</summary>
    public CaaCheck Check { get; }

    /// <summary>The Relevant RRset used (empty or indeterminate when there was none).</summary>
    public CaaRelevantRRset RelevantRRset { get; }

    /// <summary>
    /// The record(s) that decided: the authorizing one, the critical one, or the restricting ones;
    /// empty for <see cref="CaaReason.NoRelevantRRset"/>, <see cref="CaaReason.NoRestrictingProperty"/>
    /// and <see cref="CaaReason.LookupFailed"/>.
    /// </summary>
    public IReadOnlyList<CaaRecord> DecidingRecords { get; }

    /// <summary>Whether the verdict is <see cref="CaaVerdict.Permitted"/>.</summary>
    public bool IsPermitted => Verdict == CaaVerdict.Permitted;

    /// <summary><c>Verdict (Reason): Explanation</c>, e.g. for a log line.</summary>
    public override string ToString() => $"{Verdict} ({Reason}): {Explanation}";
}
