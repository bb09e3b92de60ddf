using System.Collections.Concurrent;

namespace Pki.Acme;

/// <summary>A thread-safe in-memory <see cref="ITlsAlpn01ChallengeStore"/> for one process: what one instance presents only that instance answers.</summary>
public sealed class InMemoryTlsAlpn01ChallengeStore : ITlsAlpn01ChallengeStore
{
    private readonly ConcurrentDictionary<string, TlsAlpn01Challenge> _challenges = new(StringComparer.Ordinal);

    /// <summary>How many challenges are presented now.</summary>
    public int Count => _challenges.Count;

    /// <inheritdoc />
    public void Add(AcmeIdentifier identifier, string keyAuthorization)
    {
        var challenge = TlsAlpn01Challenge.Create(identifier, keyAuthorization);
        _challenges[challenge.ServerName] = challenge;
    }

    /// <inheritdoc />
    public bool Remove(AcmeIdentifier identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return !identifier.IsWildcard && _challenges.TryRemove(TlsAlpn01Certificate.GetServerName(identifier), out _);
    }

    /// <inheritdoc />
    public bool TryGet(string? serverName, out TlsAlpn01Challenge challenge)
    {
        if (TlsAlpn01Certificate.TryNormalizeServerName(serverName, out var name) && _challenges.TryGetValue(name, out var found))
        {
            challenge = found;
            return true;
        }

        challenge = null!;
        return false;
    }
}
