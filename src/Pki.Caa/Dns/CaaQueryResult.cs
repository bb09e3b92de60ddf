namespace Pki.Caa;

/// <summary>The result of one <see cref="ICaaResolver.QueryCaaAsync"/> call: an answer (<see cref="Success"/>, <see cref="NameError"/>) or a failure (<see cref="Failure"/>) that makes the lookup indeterminate.</summary>
public sealed record CaaQueryResult
{
    private static readonly CaaRecord[] NoRecords = [];
    private static readonly CaaAlias[] NoAliases = [];

    private CaaQueryResult(CaaQueryStatus status, IReadOnlyList<CaaRecord> records, IReadOnlyList<CaaAlias> aliases, TimeSpan timeToLive, string? detail)
    {
        Status = status;
        Records = records;
        Aliases = aliases;
        TimeToLive = timeToLive;
        Detail = detail;
    }

    /// <summary>How the query ended: <see cref="CaaQueryStatus.NoError"/> and <see cref="CaaQueryStatus.NameError"/> are usable answers (<see cref="IsSuccess"/>); any other status makes the Relevant RRset indeterminate.</summary>
    public CaaQueryStatus Status { get; }

    /// <summary>The CAA records at the queried name, or at the end of <see cref="Aliases"/>.</summary>
    public IReadOnlyList<CaaRecord> Records { get; }

    /// <summary>CNAME steps followed from the queried name, in order.</summary>
    public IReadOnlyList<CaaAlias> Aliases { get; }

    /// <summary>How long the answer may be cached (zero: do not cache).</summary>
    public TimeSpan TimeToLive { get; }

    /// <summary>A description of a failure (server, response code, exception message), or null.</summary>
    public string? Detail { get; }

    /// <summary>Whether the status is NOERROR or NXDOMAIN, i.e. the answer is usable.</summary>
    public bool IsSuccess => Status is CaaQueryStatus.NoError or CaaQueryStatus.NameError;

    /// <summary>A NOERROR answer.</summary>
    /// <param name="records">The CAA records at the name (or at the end of the aliases); empty for NODATA.</param>
    /// <param name="aliases">The CNAME steps followed from the queried name, in order; null for none.</param>
    /// <param name="timeToLive">How long the answer may be cached; a negative value counts as zero (not cached).</param>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is null.</exception>
    public static CaaQueryResult Success(IEnumerable<CaaRecord> records, IEnumerable<CaaAlias>? aliases, TimeSpan timeToLive)
    {
        ArgumentNullException.ThrowIfNull(records);
        var recordArray = records.ToArray();
        var aliasArray = aliases?.ToArray() ?? NoAliases;
        return new CaaQueryResult(CaaQueryStatus.NoError, recordArray.Length == 0 ? NoRecords : recordArray, aliasArray.Length == 0 ? NoAliases : aliasArray, NonNegative(timeToLive), null);
    }

    /// <summary>An NXDOMAIN answer (possibly after aliases); the evaluator counts it as an empty CAA RRset.</summary>
    /// <param name="aliases">The CNAME steps followed before the name that does not exist; null for none.</param>
    /// <param name="timeToLive">How long the answer may be cached (RFC 2308: the SOA TTL and MINIMUM, whichever is lower); a negative value counts as zero.</param>
    public static CaaQueryResult NameError(IEnumerable<CaaAlias>? aliases, TimeSpan timeToLive)
    {
        var aliasArray = aliases?.ToArray() ?? NoAliases;
        return new CaaQueryResult(CaaQueryStatus.NameError, NoRecords, aliasArray.Length == 0 ? NoAliases : aliasArray, NonNegative(timeToLive), null);
    }

    /// <summary>A failed query; never cached.</summary>
    /// <param name="status">Why it failed: any status but NoError and NameError.</param>
    /// <param name="detail">A description for logs and the indeterminate explanation (server, response code, exception message).</param>
    /// <exception cref="ArgumentNullException"><paramref name="detail"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="status"/> is NoError or NameError.</exception>
    public static CaaQueryResult Failure(CaaQueryStatus status, string detail)
    {
        if (status is CaaQueryStatus.NoError or CaaQueryStatus.NameError)
        {
            throw new ArgumentException($"'{status}' is not a failure; use Success or NameError.", nameof(status));
        }

        ArgumentNullException.ThrowIfNull(detail);
        return new CaaQueryResult(status, NoRecords, NoAliases, TimeSpan.Zero, detail);
    }

    private static TimeSpan NonNegative(TimeSpan ttl) => ttl < TimeSpan.Zero ? TimeSpan.Zero : ttl;
}
