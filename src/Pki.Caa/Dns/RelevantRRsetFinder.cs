using Microsoft.Extensions.Logging;

namespace Pki.Caa;

/// <summary>
/// The Relevant RRset search of RFC 8659 section 3 over an <see cref="ICaaResolver"/>: climbs the name
/// tree, chases the aliases a resolver left unresolved (with a hop limit and loop detection) and
/// caches usable answers by TTL. Failures make the RRset indeterminate, never empty.
/// </summary>
internal sealed class RelevantRRsetFinder
{
    private readonly ICaaResolver _resolver;
    private readonly CaaQueryCache _cache;
    private readonly int _maxAliasHops;
    private readonly ILogger _logger;

    public RelevantRRsetFinder(ICaaResolver resolver, CaaQueryCache cache, int maxAliasHops, ILogger logger)
    {
        _resolver = resolver;
        _cache = cache;
        _maxAliasHops = maxAliasHops;
        _logger = logger;
    }

    // RFC 8659 section 3:
    //   RelevantCAASet(domain):
    //     while domain is not ".":
    //       if CAA(domain) is not Empty:
    //         return CAA(domain)
    //       domain = Parent(domain)
    //     return Empty
    public async Task<CaaRelevantRRset> FindAsync(string name, CancellationToken cancellationToken)
    {
        for (var domain = name; domain is not null; domain = DnsName.Parent(domain))
        {
            var (records, chain, failure) = await QueryWithAliasesAsync(domain, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                return CaaRelevantRRset.Indeterminate(name, failure);
            }

            if (records!.Count > 0)
            {
                return CaaRelevantRRset.Create(name, domain, records, chain);
            }
        }

        return CaaRelevantRRset.Empty(name);
    }

    // CAA(X): "the RRset returned by performing a CAA record query for the FQDN X, according to the
    // lookup algorithm specified in Section 4.3.2 of [RFC1034] (in particular, chasing aliases)"
    // (RFC 8659 section 3). DnsClient does not chase CNAMEs, and an authoritative server stops at
    // the edge of its zones, so a chain that ends without records is queried again from where it ended.
    private async Task<(IReadOnlyList<CaaRecord>? Records, List<string>? Chain, string? Failure)> QueryWithAliasesAsync(string domain, CancellationToken cancellationToken)
    {
        var current = domain;
        List<string>? chain = null;
        HashSet<string>? visited = null;
        while (true)
        {
            var result = await QueryCachedAsync(current, cancellationToken).ConfigureAwait(false);
            if (!result.IsSuccess)
            {
                return (null, null, $"the CAA query for {current} failed with {Describe(result.Status)}{(result.Detail is null ? string.Empty : ": " + result.Detail)}");
            }

            var end = current;
            var progressed = true;
            while (progressed)
            {
                progressed = false;
                foreach (var alias in result.Aliases)
                {
                    if (!DnsName.EqualsIgnoreCase(alias.Owner, end))
                    {
                        continue;
                    }

                    end = IdnName.ToLowerAscii(alias.Target.TrimEnd('.'));
                    chain ??= [];
                    chain.Add(end);
                    if (chain.Count > _maxAliasHops)
                    {
                        return (null, null, $"{domain} has more than {_maxAliasHops} aliases in a row ({domain} -> {string.Join(" -> ", chain)})");
                    }

                    visited ??= new HashSet<string>(StringComparer.Ordinal) { domain };
                    if (!visited.Add(end))
                    {
                        return (null, null, $"the aliases of {domain} loop ({domain} -> {string.Join(" -> ", chain)})");
                    }

                    progressed = true;
                    break;
                }
            }

            if (result.Records.Count > 0 || result.Status == CaaQueryStatus.NameError || end == current)
            {
                return (result.Records, chain, null);
            }

            current = end;
        }
    }

    private async Task<CaaQueryResult> QueryCachedAsync(string name, CancellationToken cancellationToken)
    {
        if (_cache.TryGet(name, out var cached))
        {
            Log.CacheHit(_logger, name);
            return cached;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var result = await _resolver.QueryCaaAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The CAA resolver {_resolver.GetType().Name} returned null for {name}; it must return a CaaQueryResult.");
        if (result.IsSuccess)
        {
            Log.QueryAnswered(_logger, name, result.Status, result.Records.Count, result.Aliases.Count, result.TimeToLive);
            _cache.Add(name, result);
        }
        else
        {
            Log.QueryFailed(_logger, name, result.Status, result.Detail);
        }

        return result;
    }

    private static string Describe(CaaQueryStatus status) => status switch
    {
        CaaQueryStatus.ServerFailure => "SERVFAIL",
        CaaQueryStatus.Refused => "REFUSED",
        CaaQueryStatus.Timeout => "a timeout",
        CaaQueryStatus.Truncated => "a truncated answer",
        CaaQueryStatus.MalformedResponse => "a malformed answer",
        _ => "an error response",
    };
}
