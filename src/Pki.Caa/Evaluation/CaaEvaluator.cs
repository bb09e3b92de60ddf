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
    private readonly RelevantRRsetFinder _finder;
    private readonly ILogger _logger;

    /// <summary>Creates an evaluator; it is thread-safe and caches relevant RRsets per the options, so keep one per resolver.</summary>
    /// <param name="resolver">Where CAA queries go (<see cref="DnsCaaResolver"/> or <see cref="InMemoryCaaResolver"/>).</param>
    /// <param name="options">Alias and cache settings; defaults when null.</param>
    /// <param name="timeProvider">Clock of the TTL cache; the system clock when null.</param>
    /// <param name="logger">Receives failed queries as warnings, decisions as information, answers as debug and cache hits as trace; nothing is logged when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="resolver"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting.</exception>
    public CaaEvaluator(ICaaResolver resolver, IOptions<CaaEvaluatorOptions>? options = null, TimeProvider? timeProvider = null, ILogger<CaaEvaluator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        var settings = options?.Value ?? new CaaEvaluatorOptions();
        var error = CaaEvaluatorOptionsValidator.Check(settings);
        if (error is not null)
        {
            throw new ArgumentException(error, nameof(options));
        }

        _logger = logger ?? (ILogger)NullLogger.Instance;
        var cache = new CaaQueryCache(timeProvider ?? TimeProvider.System, settings.MaxCacheTtl, settings.MaxCacheEntries);
        _finder = new RelevantRRsetFinder(resolver, cache, settings.MaxAliasHops, _logger);
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
        return _finder.FindAsync(identifier.LookupName, cancellationToken);
    }

    /// <summary>
    /// Evaluates a Relevant RRset you already have (no DNS). Pure and allocation-light: the hot path
    /// of a CA checking many names against cached RRsets.
    /// </summary>
    /// <param name="rrset">The Relevant RRset of the check's identifier, e.g. from <see cref="FindRelevantRRsetAsync"/> or <see cref="CaaRelevantRRset.Create"/>.</param>
    /// <param name="check">What is asked: identifier, issuer names, account and method.</param>
    /// <exception cref="ArgumentNullException"><paramref name="rrset"/> or <paramref name="check"/> is null.</exception>
    public static CaaDecision Evaluate(CaaRelevantRRset rrset, CaaCheck check)
    {
        ArgumentNullException.ThrowIfNull(rrset);
        ArgumentNullException.ThrowIfNull(check);
        return CaaPolicyEvaluation.Evaluate(rrset, check);
    }
}
