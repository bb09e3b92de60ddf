namespace Pki.Acme;

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
    /// <summary>The challenge type answered, e.g. <c>http-01</c>; the issuer hands this solver only challenges of that type.</summary>
    string ChallengeType { get; }

    /// <summary>Makes the challenge response available to the CA; when it returns, the CA is told to validate.</summary>
    Task PresentAsync(AcmeChallengeContext context, CancellationToken cancellationToken);

    /// <summary>Removes what <see cref="PresentAsync"/> made available; runs on its own time budget, after success, failure or cancellation.</summary>
    Task CleanupAsync(AcmeChallengeContext context, CancellationToken cancellationToken);
}
