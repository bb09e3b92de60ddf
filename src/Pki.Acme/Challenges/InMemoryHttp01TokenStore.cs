using System.Collections.Concurrent;
using Pki.Acme.Internal;

namespace Pki.Acme;

/// <summary>A thread-safe in-memory <see cref="IHttp01TokenStore"/> for one process: what one instance presents only that instance answers.</summary>
public sealed class InMemoryHttp01TokenStore : IHttp01TokenStore
{
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);

    /// <summary>How many tokens are presented now.</summary>
    public int Count => _tokens.Count;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The token is not base64url of at most 256 characters (RFC 8555 section 8.3), or the key authorization is empty.</exception>
    public void Add(string token, string keyAuthorization)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        ArgumentException.ThrowIfNullOrEmpty(keyAuthorization);
        if (!AcmeChallengeResource.IsWellFormedToken(token))
        {
            throw new ArgumentException($"The http-01 token '{IdentifierKeys.Printable(token)}' is not base64url of at most {AcmeChallengeResource.MaxTokenLength} characters (RFC 8555 section 8.3).", nameof(token));
        }

        _tokens[token] = keyAuthorization;
    }

    /// <inheritdoc />
    public bool Remove(string token) => AcmeChallengeResource.IsWellFormedToken(token) && _tokens.TryRemove(token, out _);

    /// <inheritdoc />
    public bool TryGet(string token, out string keyAuthorization)
    {
        if (AcmeChallengeResource.IsWellFormedToken(token) && _tokens.TryGetValue(token, out var value))
        {
            keyAuthorization = value;
            return true;
        }

        keyAuthorization = string.Empty;
        return false;
    }
}
