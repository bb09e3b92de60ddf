namespace Pki.Caa;

/// <summary>
/// <see cref="ICaaResolver"/> over zones held in memory (see <see cref="CaaZone"/>), for offline use
/// and tests. It answers like a recursive resolver: aliases are followed across its zones and reported,
/// a name outside every zone is REFUSED, and a <see cref="CaaZone.ServerFailure(string)"/> zone answers SERVFAIL.
/// </summary>
public sealed class InMemoryCaaResolver : ICaaResolver
{
    private const int MaxInternalHops = 16;
    private readonly CaaZone[] _zones;

    /// <summary>Creates a resolver serving <paramref name="zones"/>.</summary>
    /// <exception cref="ArgumentException">Two zones have the same origin.</exception>
    public InMemoryCaaResolver(IEnumerable<CaaZone> zones)
    {
        ArgumentNullException.ThrowIfNull(zones);
        _zones = zones.ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var zone in _zones)
        {
            if (zone is null)
            {
                throw new ArgumentException("A zone is null.", nameof(zones));
            }

            if (!seen.Add(zone.Origin))
            {
                throw new ArgumentException($"The zone '{zone.Origin}' is given twice.", nameof(zones));
            }
        }
    }

    /// <summary>Creates a resolver serving <paramref name="zones"/>.</summary>
    public InMemoryCaaResolver(params CaaZone[] zones)
        : this((IEnumerable<CaaZone>)zones)
    {
    }

    /// <summary>Reads one zone from master-file text (see <see cref="CaaZone.Parse"/>) and serves it.</summary>
    /// <param name="zoneText">RFC 1035 section 5 master-file text; with only absolute names (ending in '.') it needs no origin.</param>
    /// <param name="origin">The apex and the origin of relative names, unless the text sets <c>$ORIGIN</c> or uses only absolute names.</param>
    /// <exception cref="CaaFormatException">A line cannot be read (the message names the line number and text), or no apex can be found.</exception>
    public static InMemoryCaaResolver FromZoneText(string zoneText, string? origin = null) => new(CaaZone.Parse(zoneText, origin));

    /// <inheritdoc />
    public Task<CaaQueryResult> QueryCaaAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Query(IdnName.ToLowerAscii(name.TrimEnd('.'))));
    }

    private CaaQueryResult Query(string name)
    {
        var aliases = new List<CaaAlias>();
        var current = name;
        var ttl = uint.MaxValue;
        for (var hop = 0; hop <= MaxInternalHops; hop++)
        {
            var zone = FindZone(current);
            if (zone is null)
            {
                // Like an authoritative server that stops at the edge of its data: report the chain so far.
                return aliases.Count > 0
                    ? CaaQueryResult.Success([], aliases, TimeSpan.FromSeconds(ttl))
                    : CaaQueryResult.Failure(CaaQueryStatus.Refused, $"no zone for {current} in memory");
            }

            if (zone.AnswersServerFailure)
            {
                return CaaQueryResult.Failure(CaaQueryStatus.ServerFailure, $"the zone {zone.Origin} answers SERVFAIL");
            }

            var result = zone.Lookup(current);
            ttl = Math.Min(ttl, result.Ttl);
            if (result.Status == CaaQueryStatus.NameError)
            {
                return CaaQueryResult.NameError(aliases, TimeSpan.FromSeconds(ttl));
            }

            if (result.AliasTarget is null)
            {
                return CaaQueryResult.Success(result.CaaRecords, aliases, TimeSpan.FromSeconds(ttl));
            }

            aliases.Add(new CaaAlias(current, result.AliasTarget));
            current = result.AliasTarget;
        }

        return CaaQueryResult.Success([], aliases, TimeSpan.FromSeconds(ttl));
    }

    private CaaZone? FindZone(string name)
    {
        CaaZone? best = null;
        foreach (var zone in _zones)
        {
            if (zone.IsInZone(name) && (best is null || zone.Origin.Length > best.Origin.Length))
            {
                best = zone;
            }
        }

        return best;
    }
}
