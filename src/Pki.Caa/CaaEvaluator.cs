using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Pki.Caa;

/// <summary>
/// Finds Relevant RRsets through an <see cref="ICaaResolver"/> (climbing the tree, chasing aliases,
/// caching by TTL) and evaluates them for a <see cref="CaaCheck"/>.
/// </summary>
public sealed class CaaEvaluator : ICaaEvaluator
{
    private readonly ICaaResolver _resolver;
    private readonly CaaEvaluatorOptions _options;
    private readonly CaaQueryCache _cache;
    private readonly ILogger _logger;

    /// <summary>Creates an evaluator.</summary>
    /// <param name="resolver">Where CAA queries go (<see cref="DnsCaaResolver"/> or <see cref="InMemoryCaaResolver"/>).</param>
    /// <param name="options">Alias and cache settings; defaults when null.</param>
    /// <param name="timeProvider">Clock of the TTL cache; the system clock when null.</param>
    /// <param name="logger">Logger; none when null.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting.</exception>
    public CaaEvaluator(ICaaResolver resolver, IOptions<CaaEvaluatorOptions>? options = null, TimeProvider? timeProvider = null, ILogger<CaaEvaluator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        _resolver = resolver;
        _options = options?.Value ?? new CaaEvaluatorOptions();
        var error = CaaEvaluatorOptionsValidator.Check(_options);
        if (error is not null)
        {
            throw new ArgumentException(error, nameof(options));
        }

        _cache = new CaaQueryCache(timeProvider ?? TimeProvider.System, _options.MaxCacheTtl, _options.MaxCacheEntries);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc />
    public async Task<CaaDecision> EvaluateAsync(CaaCheck check, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(check);
        var rrset = await FindRelevantRRsetAsync(check.Identifier, cancellationToken).ConfigureAwait(false);
        var decision = Evaluate(rrset, check);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            // The explanation is written on demand; only build it when it will be logged.
            Log.Decided(_logger, check.Identifier.Value, check.IssuerDomainNames, decision.Verdict, decision.Reason, decision.Explanation);
        }

        return decision;
    }

    /// <inheritdoc />
    public Task<CaaRelevantRRset> FindRelevantRRsetAsync(CaaIdentifier identifier, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return FindRelevantRRsetCoreAsync(identifier.LookupName, cancellationToken);
    }

    /// <summary>
    /// Evaluates a Relevant RRset you already have (no DNS). Pure and allocation-light: the hot path
    /// of a CA checking many names against cached RRsets.
    /// </summary>
    public static CaaDecision Evaluate(CaaRelevantRRset rrset, CaaCheck check)
    {
        ArgumentNullException.ThrowIfNull(rrset);
        ArgumentNullException.ThrowIfNull(check);
        return CaaPolicyEvaluation.Evaluate(rrset, check);
    }

    // RFC 8659 section 3:
    //   RelevantCAASet(domain):
    //     while domain is not ".":
    //       if CAA(domain) is not Empty:
    //         return CAA(domain)
    //       domain = Parent(domain)
    //     return Empty
    private async Task<CaaRelevantRRset> FindRelevantRRsetCoreAsync(string name, CancellationToken cancellationToken)
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
                    if (chain.Count > _options.MaxAliasHops)
                    {
                        return (null, null, $"{domain} has more than {_options.MaxAliasHops} aliases in a row ({domain} -> {string.Join(" -> ", chain)})");
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
