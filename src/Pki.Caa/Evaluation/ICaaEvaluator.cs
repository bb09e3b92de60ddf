namespace Pki.Caa;

/// <summary>Decides whether CAA lets a CA issue for a name (the DNS side of RFC 8659, 8657 and 9495).</summary>
public interface ICaaEvaluator
{
    /// <summary>
    /// Finds the Relevant RRset of <paramref name="check"/>'s identifier and evaluates it. DNS failures
    /// give <see cref="CaaVerdict.Indeterminate"/>, never <see cref="CaaVerdict.Permitted"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="check"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<CaaDecision> EvaluateAsync(CaaCheck check, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds the Relevant RRset of <paramref name="identifier"/> (RFC 8659 section 3), climbing from its
    /// <see cref="CaaIdentifier.LookupName"/> and chasing aliases; a DNS failure gives
    /// <see cref="CaaLookupStatus.Indeterminate"/> with the reason, not an exception.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="identifier"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<CaaRelevantRRset> FindRelevantRRsetAsync(CaaIdentifier identifier, CancellationToken cancellationToken = default);
}
