namespace Pki.Acme;

/// <summary>
/// The http-01 tokens currently presented (RFC 8555 section 8.3). Applications that serve
/// <c>/.well-known/acme-challenge/</c> themselves answer a GET for token T with
/// <c>TryGet(T, out keyAuthorization)</c> as <c>application/octet-stream</c>, or use
/// <see cref="Http01Endpoint"/>. Implementations MUST be thread-safe: the solver writes while the
/// responder reads.
/// </summary>
/// <remarks>
/// Tokens come from the CA and from whoever sends a request to the well-known path. An
/// implementation that uses the token as a key into anything (a file name, a cache key) MUST
/// refuse tokens for which <see cref="AcmeChallengeResource.IsWellFormedToken"/> is false
/// (<see cref="Add"/> throws, <see cref="TryGet"/> and <see cref="Remove"/> return false).
/// </remarks>
public interface IHttp01TokenStore
{
    /// <summary>Presents <paramref name="token"/>: from now on it is answered with <paramref name="keyAuthorization"/>. Adding a token again replaces its key authorization.</summary>
    /// <exception cref="ArgumentException">The token is not well formed (see the remarks) or the key authorization is empty.</exception>
    void Add(string token, string keyAuthorization);

    /// <summary>Withdraws a token, so it is answered 404 from now on; false when it was not there (or is not well formed).</summary>
    bool Remove(string token);

    /// <summary>The key authorization presented for <paramref name="token"/>; false (and an empty string) when there is none or the token is not well formed.</summary>
    bool TryGet(string token, out string keyAuthorization);
}
