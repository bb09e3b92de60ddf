using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Pki.Acme.Management;

/// <summary>
/// http-01 tokens shared through an <see cref="ICertificateStore"/>, so that in a web farm the instance
/// the CA reaches answers, whichever instance ordered. <see cref="AddAsync"/> writes
/// <c>challenges/http-01/t-{token}</c> before it returns (so before the challenge is answered) and
/// keeps a copy in memory; <see cref="FindAsync"/> answers from that copy and otherwise reads the
/// store, every time (a miss is never remembered: the CA may ask right after another instance
/// published), within <see cref="LookupTimeout"/>. Tokens that are not base64url are refused before the
/// store is touched. A record is answered until its expiry (<see cref="Lifetime"/> after it was
/// published), so what a crashed instance left is not answered for ever. Thread-safe.
/// </summary>
public sealed class StoreHttp01TokenStore : IAsyncHttp01TokenStore
{
    /// <summary>The store key prefix: a token T lives at <c>challenges/http-01/t-T</c>.</summary>
    public const string KeyPrefix = "challenges/http-01/t-";

    private readonly ConcurrentDictionary<string, string> _local = new(StringComparer.Ordinal);
    private readonly SharedChallengeChannel _channel;

    /// <summary>Creates the token store over <paramref name="store"/>.</summary>
    /// <param name="store">The store every instance of the farm shares.</param>
    /// <param name="timeProvider">The clock for expiry and lookup deadlines.</param>
    /// <param name="logger">Where failed lookups are reported.</param>
    /// <param name="lookupTimeout">How long a lookup waits for the store (default 5 s); then the token is answered as absent.</param>
    /// <param name="lifetime">How long a published token is answered (default 1 h).</param>
    /// <exception cref="ArgumentOutOfRangeException">A duration is not positive.</exception>
    public StoreHttp01TokenStore(ICertificateStore store, TimeProvider? timeProvider = null, ILogger<StoreHttp01TokenStore>? logger = null, TimeSpan? lookupTimeout = null, TimeSpan? lifetime = null) =>
        _channel = new SharedChallengeChannel(store, timeProvider, logger, lookupTimeout, lifetime);

    /// <summary>How long a lookup waits for the shared store before answering "absent".</summary>
    public TimeSpan LookupTimeout => _channel.LookupTimeout;

    /// <summary>How long a published token is answered; a record older than this is ignored (a crashed instance never withdraws).</summary>
    public TimeSpan Lifetime => _channel.Lifetime;

    /// <summary>How many tokens this instance presents now.</summary>
    public int Count => _local.Count;

    /// <summary>Presents a token on this instance only (use <see cref="AddAsync"/> to publish it to the farm).</summary>
    /// <exception cref="ArgumentException">The token is not base64url or the key authorization does not belong to it.</exception>
    public void Add(string token, string keyAuthorization)
    {
        Check(token, keyAuthorization);
        _local[token] = keyAuthorization;
    }

    /// <summary>Withdraws a token from this instance only (use <see cref="RemoveAsync"/> for the farm); false when this instance did not present it.</summary>
    public bool Remove(string token) => token is not null && _local.TryRemove(token, out _);

    /// <summary>The key authorization this instance presents for <paramref name="token"/> (the shared store is not asked); false when there is none.</summary>
    public bool TryGet(string token, out string keyAuthorization)
    {
        if (token is not null && _local.TryGetValue(token, out var found))
        {
            keyAuthorization = found;
            return true;
        }

        keyAuthorization = string.Empty;
        return false;
    }

    /// <summary>Writes the token to the shared store and keeps it here; it is answerable by every instance when this returns.</summary>
    /// <exception cref="ArgumentException">The token is not base64url or the key authorization does not belong to it.</exception>
    /// <exception cref="CertificateStoreException">The store failed.</exception>
    public async Task AddAsync(string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        Check(token, keyAuthorization);
        _local[token] = keyAuthorization;
        await _channel.PublishAsync(KeyPrefix + token, "http-01 token " + token, keyAuthorization, identifier: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Withdraws the token here and from the shared store; false when it was in neither.</summary>
    /// <exception cref="CertificateStoreException">The store failed.</exception>
    public async Task<bool> RemoveAsync(string token, CancellationToken cancellationToken)
    {
        var local = Remove(token);
        if (!SharedChallengeRecord.IsToken(token))
        {
            return local;
        }

        var shared = await _channel.WithdrawAsync(KeyPrefix + token, cancellationToken).ConfigureAwait(false);
        return local || shared;
    }

    /// <summary>
    /// The key authorization for <paramref name="token"/>: from this instance, else from the shared
    /// store. Null for a token that is not base64url (the store is not asked), that no instance
    /// presents, whose record expired or is malformed, or when the store fails or does not answer
    /// within <see cref="LookupTimeout"/> (those are logged).
    /// </summary>
    public async ValueTask<string?> FindAsync(string token, CancellationToken cancellationToken)
    {
        if (!SharedChallengeRecord.IsToken(token))
        {
            return null;
        }

        if (_local.TryGetValue(token, out var local))
        {
            return local;
        }

        var record = await _channel.FindAsync(
            KeyPrefix + token,
            "http-01 token " + token,
            r => SharedChallengeRecord.IsKeyAuthorization(r.KeyAuthorization, token) && r.IdentifierType is null,
            "its key authorization is not for this token",
            cancellationToken).ConfigureAwait(false);
        return record?.KeyAuthorization;
    }

    private static void Check(string token, string keyAuthorization)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(keyAuthorization);
        if (!SharedChallengeRecord.IsToken(token))
        {
            throw new ArgumentException($"The http-01 token '{token}' is not 1-{SharedChallengeRecord.MaxTokenLength} base64url characters (A-Z, a-z, 0-9, '-', '_').", nameof(token));
        }

        if (!SharedChallengeRecord.IsKeyAuthorization(keyAuthorization, token))
        {
            throw new ArgumentException($"The key authorization '{keyAuthorization}' is not '{token}.' followed by a base64url account key thumbprint (RFC 8555 section 8.1).", nameof(keyAuthorization));
        }
    }
}
