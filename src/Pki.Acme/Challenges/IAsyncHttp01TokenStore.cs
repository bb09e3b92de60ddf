namespace Pki.Acme;

/// <summary>
/// An <see cref="IHttp01TokenStore"/> whose tokens are shared by several instances (a web farm), so
/// whichever instance the CA reaches answers. The contract, in RFC 2119 words:
/// <list type="bullet">
/// <item><see cref="AddAsync"/> MUST make the token answerable by every instance sharing the store
/// before it returns, and MUST throw when it could not.</item>
/// <item><see cref="FindAsync"/> MUST see a token added by any instance once that instance's
/// <see cref="AddAsync"/> returned; it MUST NOT remember that a token was missing (the CA may ask
/// right after the token was added elsewhere), and MUST bound the time it waits for the shared store;
/// it SHOULD answer null rather than throw when the shared store fails (its callers are web servers).</item>
/// <item>The synchronous members of <see cref="IHttp01TokenStore"/> act on this instance only.
/// <see cref="Http01ChallengeSolver"/> and <see cref="Http01Endpoint"/> (hence <see cref="Http01Responder"/>
/// and the ASP.NET Core middleware) use the asynchronous ones.</item>
/// </list>
/// The <see cref="ITlsAlpn01ChallengeStore"/> side has the same shape: <see cref="IAsyncTlsAlpn01ChallengeStore"/>.
/// </summary>
public interface IAsyncHttp01TokenStore : IHttp01TokenStore
{
    /// <summary>Presents a token to every instance sharing the store; answerable everywhere when the task completes.</summary>
    Task AddAsync(string token, string keyAuthorization, CancellationToken cancellationToken);

    /// <summary>Withdraws a token from every instance; false when it was not there.</summary>
    Task<bool> RemoveAsync(string token, CancellationToken cancellationToken);

    /// <summary>The key authorization for <paramref name="token"/>, presented by any instance; null when there is none, the token is not well formed, or the shared store did not answer in time.</summary>
    ValueTask<string?> FindAsync(string token, CancellationToken cancellationToken);
}
