using System.Text;

namespace Pki.Acme;

/// <summary>
/// How an HTTP server answers http-01 (RFC 8555 section 8.3), written once for every host:
/// <see cref="Http01Responder"/> and the ASP.NET Core middleware both call it. A GET (or HEAD) for
/// <c>/.well-known/acme-challenge/{token}</c> is answered 200 with the key authorization as
/// <see cref="ContentType"/> when a token store presents the token, and 404 otherwise. Stateless and thread-safe.
/// </summary>
public static class Http01Endpoint
{
    /// <summary>The path prefix of http-01 requests: <c>/.well-known/acme-challenge/</c>.</summary>
    public const string PathPrefix = "/.well-known/acme-challenge/";

    /// <summary>The media type of the answer (section 8.3).</summary>
    public const string ContentType = "application/octet-stream";

    /// <summary>True when <paramref name="path"/> (the URL path, not decoded further) is under <see cref="PathPrefix"/>: such a request is answered here, 200 or 404.</summary>
    public static bool IsChallengePath(string? path) => path is not null && path.StartsWith(PathPrefix, StringComparison.Ordinal);

    /// <summary>
    /// The key authorization to answer for a request to <paramref name="path"/>, or null (answer 404):
    /// the path is not under <see cref="PathPrefix"/>, its last segment is not a well-formed token
    /// (<see cref="AcmeChallengeResource.IsWellFormedToken"/>, so the store never sees one), or no
    /// instance presents the token. An <see cref="IAsyncHttp01TokenStore"/> is asked asynchronously,
    /// so tokens presented by other instances of a farm are answered too.
    /// </summary>
    public static ValueTask<string?> FindKeyAuthorizationAsync(IHttp01TokenStore store, string? path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var token = IsChallengePath(path) ? path![PathPrefix.Length..] : string.Empty;
        if (!AcmeChallengeResource.IsWellFormedToken(token))
        {
            return new((string?)null);
        }

        return store is IAsyncHttp01TokenStore shared
            ? shared.FindAsync(token, cancellationToken)
            : new(store.TryGet(token, out var keyAuthorization) ? keyAuthorization : null);
    }

    /// <summary>The response body for a key authorization: its ASCII bytes (a key authorization is base64url and '.').</summary>
    public static byte[] GetBody(string keyAuthorization)
    {
        ArgumentNullException.ThrowIfNull(keyAuthorization);
        return Encoding.ASCII.GetBytes(keyAuthorization);
    }
}
