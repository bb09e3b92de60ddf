namespace Pki.Caa;

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
