namespace Pki.Caa;

/// <summary>
/// The Relevant RRset of a name (RFC 8659 section 3): "The search for a CAA RRset climbs the DNS name
/// tree from the specified label up to, but not including, the DNS root "." until a CAA RRset is found."
/// </summary>
public sealed class CaaRelevantRRset
{
    private static readonly CaaRecord[] NoRecords = [];
    private static readonly string[] NoAliases = [];
    private readonly CaaRecord[] _records;
    private readonly string[] _aliasChain;
    private CaaIssuerValue?[]? _issuerValues;

    private CaaRelevantRRset(string queriedName, CaaLookupStatus status, string? ownerName, CaaRecord[] records, string[] aliasChain, string? failure)
    {
        QueriedName = queriedName;
        Status = status;
        OwnerName = ownerName;
        _records = records;
        _aliasChain = aliasChain;
        Failure = failure;
    }

    /// <summary>The name the search started at (the identifier's <see cref="CaaIdentifier.LookupName"/>), lower-case A-labels without the trailing dot.</summary>
    public string QueriedName { get; }

    /// <summary>Found (<see cref="Records"/> hold the RRset), Empty (no CAA up to the root: issuance is not restricted) or Indeterminate (see <see cref="Failure"/>; do not issue).</summary>
    public CaaLookupStatus Status { get; }

    /// <summary>The name (the queried name or an ancestor) where the RRset was found, or null.</summary>
    public string? OwnerName { get; }

    /// <summary>The names the owner's aliases (CNAME) led through, in order, ending at the name holding the records; empty without aliases.</summary>
    public IReadOnlyList<string> AliasChain => _aliasChain;

    /// <summary>The CAA records (empty unless <see cref="Status"/> is Found).</summary>
    public IReadOnlyList<CaaRecord> Records => _records;

    /// <summary>Why the lookup is indeterminate, or null.</summary>
    public string? Failure { get; }

    /// <summary>A found RRset, e.g. for evaluating records you already have with <see cref="CaaEvaluator.Evaluate"/>.</summary>
    /// <param name="queriedName">The name the search started at.</param>
    /// <param name="ownerName">Where the records were found: <paramref name="queriedName"/> or an ancestor.</param>
    /// <param name="records">The CAA RRset; at least one record.</param>
    /// <param name="aliasChain">The CNAME targets followed from <paramref name="ownerName"/>, in order; null for none.</param>
    /// <exception cref="ArgumentNullException">A name, the records or one of them is null.</exception>
    /// <exception cref="ArgumentException">No records were given.</exception>
    public static CaaRelevantRRset Create(string queriedName, string ownerName, IEnumerable<CaaRecord> records, IEnumerable<string>? aliasChain = null)
    {
        ArgumentNullException.ThrowIfNull(queriedName);
        ArgumentNullException.ThrowIfNull(ownerName);
        ArgumentNullException.ThrowIfNull(records);
        var array = records.ToArray();
        if (array.Length == 0)
        {
            throw new ArgumentException("A found Relevant RRset has at least one record; use Empty() for none.", nameof(records));
        }

        foreach (var r in array)
        {
            ArgumentNullException.ThrowIfNull(r, nameof(records));
        }

        return new CaaRelevantRRset(queriedName, CaaLookupStatus.Found, ownerName, array, aliasChain?.ToArray() ?? NoAliases, null);
    }

    /// <summary>The empty Relevant RRset of <paramref name="queriedName"/>: no CAA records at it or any ancestor, so CAA permits (RFC 8659 section 3).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="queriedName"/> is null.</exception>
    public static CaaRelevantRRset Empty(string queriedName)
    {
        ArgumentNullException.ThrowIfNull(queriedName);
        return new(queriedName, CaaLookupStatus.Empty, null, NoRecords, NoAliases, null);
    }

    /// <summary>An indeterminate lookup of <paramref name="queriedName"/>: evaluation answers <see cref="CaaVerdict.Indeterminate"/> and quotes <paramref name="failure"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static CaaRelevantRRset Indeterminate(string queriedName, string failure)
    {
        ArgumentNullException.ThrowIfNull(queriedName);
        ArgumentNullException.ThrowIfNull(failure);
        return new(queriedName, CaaLookupStatus.Indeterminate, null, NoRecords, NoAliases, failure);
    }

    /// <summary>The records in zone-file presentation form, one per line (<c>owner CAA flags tag "value"</c>).</summary>
    public override string ToString() => Status switch
    {
        CaaLookupStatus.Found => string.Join(Environment.NewLine, _records.Select(r => $"{OwnerName}. CAA {r.ToPresentation()}")),
        CaaLookupStatus.Empty => $"(no CAA records from {QueriedName} up to the root)",
        _ => $"(indeterminate: {Failure})",
    };

    /// <summary>The parsed issuer value of record <paramref name="index"/>, computed once.</summary>
    internal CaaIssuerValue GetIssuerValue(int index)
    {
        var values = _issuerValues ??= new CaaIssuerValue?[_records.Length];
        return values[index] ??= _records[index].ParseIssuerValue();
    }

    internal CaaRecord[] RecordArray => _records;
}
