namespace Pki.Acme;

/// <summary>
/// An <see cref="ITlsAlpn01ChallengeStore"/> shared by several instances (a web farm), the twin of
/// <see cref="IAsyncHttp01TokenStore"/> with the same contract, in RFC 2119 words:
/// <list type="bullet">
/// <item><see cref="AddAsync"/> MUST make the challenge answerable by every instance sharing the store
/// before it returns, and MUST throw when it could not.</item>
/// <item><see cref="FindAsync"/> MUST see a challenge added by any instance once that instance's
/// <see cref="AddAsync"/> returned, MUST NOT remember a miss, MUST bound the time it waits for the
/// shared store, and SHOULD answer null rather than throw when the shared store fails.</item>
/// <item>The synchronous members of <see cref="ITlsAlpn01ChallengeStore"/> act on this instance only.
/// <see cref="TlsAlpn01ChallengeSolver"/> and <see cref="TlsAlpn01CertificateCache.FindAsync"/> use the asynchronous ones.</item>
/// </list>
/// </summary>
public interface IAsyncTlsAlpn01ChallengeStore : ITlsAlpn01ChallengeStore
{
    /// <summary>Presents the challenge to every instance sharing the store; answerable everywhere when the task completes.</summary>
    Task AddAsync(AcmeIdentifier identifier, string keyAuthorization, CancellationToken cancellationToken);

    /// <summary>Withdraws the challenge from every instance; false when it was not there.</summary>
    Task<bool> RemoveAsync(AcmeIdentifier identifier, CancellationToken cancellationToken);

    /// <summary>The challenge for the SNI <paramref name="serverName"/>, presented by any instance; null when there is none, the name cannot be a host name, or the shared store did not answer in time.</summary>
    ValueTask<TlsAlpn01Challenge?> FindAsync(string? serverName, CancellationToken cancellationToken);
}
