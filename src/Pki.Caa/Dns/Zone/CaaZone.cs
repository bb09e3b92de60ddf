using System.Text;

namespace Pki.Caa;

/// <summary>
/// A zone read from master-file text (RFC 1035 section 5) for <see cref="InMemoryCaaResolver"/>: CAA
/// records (also in RFC 3597 <c>TYPE257 \#</c> form), CNAME and DNAME aliases, wildcards, and the
/// other owner names that make a name exist. Other record types are accepted and only mark their
/// owner as existing.
/// </summary>
public sealed class CaaZone
{
    private readonly Dictionary<string, ZoneNode> _nodes;
    private readonly HashSet<string> _existing;

    private CaaZone(string origin, Dictionary<string, ZoneNode> nodes, uint negativeTtl, bool serverFailure)
    {
        Origin = origin;
        _nodes = nodes;
        NegativeTtl = negativeTtl;
        AnswersServerFailure = serverFailure;
        _existing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var owner in nodes.Keys)
        {
            // Every ancestor of an owner inside the zone exists (empty non-terminals, RFC 4592 section 2.2.2).
            for (var n = owner; n is not null && (n == origin || n.EndsWith("." + origin, StringComparison.Ordinal)); n = DnsName.Parent(n))
            {
                _existing.Add(n);
            }
        }
    }

    /// <summary>The zone apex, lower case, without the trailing dot.</summary>
    public string Origin { get; }

    /// <summary>Whether every query in this zone answers SERVFAIL (see <see cref="ServerFailure(string)"/>).</summary>
    public bool AnswersServerFailure { get; }

    /// <summary>How long negative answers may be cached, in seconds (RFC 2308: the SOA TTL and MINIMUM, whichever is lower).</summary>
    public uint NegativeTtl { get; }

    /// <summary>The owner names that hold CAA records: lower case, without the trailing dot, wildcards as <c>*.name</c>, in no particular order.</summary>
    public IEnumerable<string> CaaOwners => _nodes.Where(n => n.Value.Caa.Count > 0).Select(n => n.Key);

    /// <summary>A zone that answers SERVFAIL to everything, like a server that has lost its zone file.</summary>
    /// <param name="origin">The apex, e.g. <c>example.test</c>; normalised like every name here.</param>
    /// <exception cref="CaaFormatException"><paramref name="origin"/> is not a domain name.</exception>
    public static CaaZone ServerFailure(string origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        return new CaaZone(DnsName.Normalize(origin, "zone origin"), new Dictionary<string, ZoneNode>(StringComparer.Ordinal), 0, serverFailure: true);
    }

    /// <summary>
    /// Reads master-file text. <paramref name="origin"/> is the apex unless the text sets <c>$ORIGIN</c>.
    /// When neither is given every name must be absolute (end with '.'), as RFC 1035 allows; the apex is
    /// then the SOA owner, or else the closest common ancestor of the owner names.
    /// </summary>
    /// <param name="zoneText">RFC 1035 section 5 master-file text.</param>
    /// <param name="origin">The apex and the origin of relative names until the first <c>$ORIGIN</c>; null when the text sets <c>$ORIGIN</c> or uses only absolute names.</param>
    /// <exception cref="CaaFormatException">A line cannot be read (the message names the line number and text, e.g. a relative name with no origin known), or no apex can be found.</exception>
    public static CaaZone Parse(string zoneText, string? origin = null)
    {
        ArgumentNullException.ThrowIfNull(zoneText);
        var (apex, nodes, negativeTtl) = MasterFileReader.Read(zoneText, origin);
        return new CaaZone(apex, nodes, negativeTtl, serverFailure: false);
    }

    /// <summary>Looks <paramref name="name"/> up in this zone (RFC 1034 section 4.3.2, with RFC 4592 wildcards and RFC 6672 DNAME).</summary>
    internal LookupResult Lookup(string name)
    {
        // DNAME at a strict ancestor redirects the whole subtree below it.
        for (var ancestor = DnsName.Parent(name); ancestor is not null && IsInZone(ancestor); ancestor = DnsName.Parent(ancestor))
        {
            if (_nodes.TryGetValue(ancestor, out var dnameNode) && dnameNode.Dname is not null)
            {
#if NET8_0_OR_GREATER
                var target = string.Concat(name.AsSpan(0, name.Length - ancestor.Length), dnameNode.Dname);
#else
                var target = new StringBuilder(name.Length + dnameNode.Dname.Length).Append(name, 0, name.Length - ancestor.Length).Append(dnameNode.Dname).ToString();
#endif
                return LookupResult.Alias(target, dnameNode.AliasTtl);
            }
        }

        if (_nodes.TryGetValue(name, out var node))
        {
            return FromNode(node);
        }

        if (_existing.Contains(name))
        {
            return LookupResult.NoData(NegativeTtl);
        }

        // RFC 4592 section 3.3.1: the closest encloser's wildcard "*.<closest encloser>" answers for a name that does not exist.
        for (var encloser = DnsName.Parent(name); encloser is not null && IsInZone(encloser); encloser = DnsName.Parent(encloser))
        {
            if (_existing.Contains(encloser))
            {
                return _nodes.TryGetValue("*." + encloser, out var wildcard) ? FromNode(wildcard) : LookupResult.NameError(NegativeTtl);
            }
        }

        return LookupResult.NameError(NegativeTtl);
    }

    internal bool IsInZone(string name) => name == Origin || name.EndsWith("." + Origin, StringComparison.Ordinal);

    private LookupResult FromNode(ZoneNode node) =>
        node.Cname is not null ? LookupResult.Alias(node.Cname, node.AliasTtl)
        : node.Caa.Count > 0 ? LookupResult.Records(node.Caa, node.CaaTtl)
        : LookupResult.NoData(NegativeTtl);


    internal readonly record struct LookupResult(CaaQueryStatus Status, string? AliasTarget, IReadOnlyList<CaaRecord> CaaRecords, uint Ttl)
    {
        public static LookupResult Alias(string target, uint ttl) => new(CaaQueryStatus.NoError, target, [], ttl);

        public static LookupResult Records(IReadOnlyList<CaaRecord> records, uint ttl) => new(CaaQueryStatus.NoError, null, records, ttl);

        public static LookupResult NoData(uint ttl) => new(CaaQueryStatus.NoError, null, [], ttl);

        public static LookupResult NameError(uint ttl) => new(CaaQueryStatus.NameError, null, [], ttl);
    }
}
