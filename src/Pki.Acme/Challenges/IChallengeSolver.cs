namespace Pki.Acme;

/// <summary>What a solver needs to answer one challenge.</summary>
/// <param name="Identifier">The identifier being validated (for a wildcard order: the base name, and <see cref="IsWildcard"/> is true).</param>
/// <param name="Authorization">The authorization the challenge belongs to.</param>
/// <param name="Challenge">The challenge.</param>
/// <param name="KeyAuthorization">The key authorization (RFC 8555 section 8.1).</param>
public sealed record AcmeChallengeContext(AcmeIdentifier Identifier, AcmeAuthorization Authorization, AcmeChallengeResource Challenge, string KeyAuthorization)
{
    /// <summary>The challenge token.</summary>
    public string Token => Challenge.Token ?? string.Empty;

    /// <summary>True when the authorization is for a wildcard name.</summary>
    public bool IsWildcard => Authorization.Resource.Wildcard == true;
}

/// <summary>
/// Answers one type of challenge. The contract, in RFC 2119 words:
/// <list type="bullet">
/// <item><see cref="PresentAsync"/> MUST make the response observable to the CA before it returns
/// (or wait for it, e.g. DNS propagation), and MUST honour cancellation.</item>
/// <item><see cref="CleanupAsync"/> is called exactly once after every <see cref="PresentAsync"/>
/// call, also when that call failed or was cancelled; it MUST tolerate a response that was never
/// (fully) presented and SHOULD NOT throw for one that is already gone.</item>
/// <item>Both MAY be called concurrently for different identifiers.</item>
/// </list>
/// </summary>
public interface IChallengeSolver
{
    /// <summary>The challenge type answered, e.g. <c>http-01</c>.</summary>
    string ChallengeType { get; }

    /// <summary>Makes the challenge response available.</summary>
    Task PresentAsync(AcmeChallengeContext context, CancellationToken cancellationToken);

    /// <summary>Removes what <see cref="PresentAsync"/> made available.</summary>
    Task CleanupAsync(AcmeChallengeContext context, CancellationToken cancellationToken);
}
