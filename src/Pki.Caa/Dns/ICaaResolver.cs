namespace Pki.Caa;

/// <summary>
/// Answers one CAA query at exactly one name. The evaluator climbs the tree, chases aliases that the
/// resolver left unresolved, and caches by TTL; a resolver does none of that.
/// </summary>
/// <remarks>
/// Contract: an implementation MUST report DNS failures (SERVFAIL, REFUSED, timeouts, truncation,
/// unreadable answers) in <see cref="CaaQueryResult.Status"/> and MUST NOT throw for them; it MUST
/// throw <see cref="OperationCanceledException"/> when the cancellation token is
/// cancelled. It MAY follow CNAME aliases itself and SHOULD report every alias it followed in
/// <see cref="CaaQueryResult.Aliases"/>, with the CAA records of the name the chain ends at.
/// </remarks>
public interface ICaaResolver
{
    /// <summary>Queries CAA records at <paramref name="name"/> (lower case, no trailing dot).</summary>
    Task<CaaQueryResult> QueryCaaAsync(string name, CancellationToken cancellationToken);
}
