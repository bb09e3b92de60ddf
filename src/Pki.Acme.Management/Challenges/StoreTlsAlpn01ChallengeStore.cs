using System.Net;
using Microsoft.Extensions.Logging;

namespace Pki.Acme.Management;

/// <summary>
/// tls-alpn-01 challenges shared through an <see cref="ICertificateStore"/>, so that in a web farm the
/// instance the CA reaches completes the handshake, whichever instance ordered: the
/// <see cref="IAsyncTlsAlpn01ChallengeStore"/> twin of <see cref="StoreHttp01TokenStore"/>. Only the
/// identifier and the key authorization are published (no private key): the instance that answers
/// builds its own RFC 8737 validation certificate from them (<see cref="TlsAlpn01CertificateCache"/>).
/// <see cref="AddAsync"/> writes <c>challenges/tls-alpn-01/n-{hex SHA-256 of N}</c> for the TLS server
/// name N (see <see cref="TlsAlpn01Certificate.GetServerName"/>) before it returns and keeps a copy in
/// memory; the record is answered until it is withdrawn or expires (<see cref="Lifetime"/>).
/// <see cref="FindAsync"/> answers from the copy and otherwise reads the store every time, within
/// <see cref="LookupTimeout"/>; names that cannot be host names are refused before the store is
/// touched. Thread-safe.
/// </summary>
public sealed class StoreTlsAlpn01ChallengeStore : IAsyncTlsAlpn01ChallengeStore
{
    /// <summary>The store key prefix: the challenge for server name N lives at <c>challenges/tls-alpn-01/n-{hex SHA-256 of N}</c>.</summary>
    public const string KeyPrefix = "challenges/tls-alpn-01/n-";

    // This instance's own challenges: what the synchronous members act on, and the first place FindAsync looks.
    private readonly InMemoryTlsAlpn01ChallengeStore _local = new();
    private readonly SharedChallengeChannel _channel;

    /// <summary>Creates the challenge store over <paramref name="store"/>.</summary>
    /// <param name="store">The store every instance of the farm shares.</param>
    /// <param name="timeProvider">The clock for expiry and lookup deadlines.</param>
    /// <param name="logger">Where failed lookups are reported.</param>
    /// <param name="lookupTimeout">How long a lookup waits for the store (default 5 s); then the challenge is answered as absent.</param>
    /// <param name="lifetime">How long a published challenge is answered (default 1 h).</param>
    /// <exception cref="ArgumentOutOfRangeException">A duration is not positive.</exception>
    public StoreTlsAlpn01ChallengeStore(ICertificateStore store, TimeProvider? timeProvider = null, ILogger<StoreTlsAlpn01ChallengeStore>? logger = null, TimeSpan? lookupTimeout = null, TimeSpan? lifetime = null) =>
        _channel = new SharedChallengeChannel(store, timeProvider, logger, lookupTimeout, lifetime);

    /// <summary>How long a lookup waits for the shared store before answering "absent".</summary>
    public TimeSpan LookupTimeout => _channel.LookupTimeout;

    /// <summary>How long a published challenge is answered; a record older than this is ignored (a crashed instance never withdraws).</summary>
    public TimeSpan Lifetime => _channel.Lifetime;

    /// <summary>How many challenges this instance presents now.</summary>
    public int Count => _local.Count;

    /// <summary>Presents the challenge on this instance only (use <see cref="AddAsync"/> to publish it to the farm).</summary>
    /// <exception cref="ArgumentException">A wildcard identifier (RFC 8737 section 3 forbids tls-alpn-01 for them) or a malformed key authorization.</exception>
    public void Add(AcmeIdentifier identifier, string keyAuthorization)
    {
        var challenge = Check(identifier, keyAuthorization);
        _local.Add(challenge.Identifier, challenge.KeyAuthorization);
    }

    /// <summary>Withdraws the challenge from this instance only; false when this instance did not present it.</summary>
    public bool Remove(AcmeIdentifier identifier) => _local.Remove(identifier);

    /// <summary>The challenge this instance presents for the SNI <paramref name="serverName"/> (the shared store is not asked).</summary>
    public bool TryGet(string? serverName, out TlsAlpn01Challenge challenge) => _local.TryGet(serverName, out challenge);

    /// <summary>Publishes the challenge for <paramref name="identifier"/> and keeps it here; every instance can answer it when this returns.</summary>
    /// <exception cref="ArgumentException">A wildcard identifier (RFC 8737 section 3 forbids tls-alpn-01 for them) or a malformed key authorization.</exception>
    /// <exception cref="CertificateStoreException">The store failed.</exception>
    public async Task AddAsync(AcmeIdentifier identifier, string keyAuthorization, CancellationToken cancellationToken)
    {
        var challenge = Check(identifier, keyAuthorization);
        var serverName = challenge.ServerName;
        _local.Add(identifier, keyAuthorization);
        await _channel.PublishAsync(KeyOf(serverName), "tls-alpn-01 challenge for " + serverName, keyAuthorization, identifier, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Withdraws the challenge for <paramref name="identifier"/> here and from the shared store; false when it was in neither.</summary>
    /// <exception cref="ArgumentException">A wildcard identifier.</exception>
    /// <exception cref="CertificateStoreException">The store failed.</exception>
    public async Task<bool> RemoveAsync(AcmeIdentifier identifier, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        var serverName = TlsAlpn01Certificate.GetServerName(identifier); // refuses wildcards
        var local = _local.Remove(identifier);
        var shared = await _channel.WithdrawAsync(KeyOf(serverName), cancellationToken).ConfigureAwait(false);
        return local || shared;
    }

    /// <summary>
    /// The challenge published for the TLS server name <paramref name="serverName"/> (SNI): this
    /// instance's own, else one published by any instance. Null for a name that cannot be a host name
    /// (the store is not asked), when none is published, when its record expired, is malformed or is
    /// for another name, or when the store fails or does not answer within <see cref="LookupTimeout"/>
    /// (those are logged).
    /// </summary>
    public async ValueTask<TlsAlpn01Challenge?> FindAsync(string? serverName, CancellationToken cancellationToken)
    {
        if (!TlsAlpn01Certificate.TryNormalizeServerName(serverName, out var name))
        {
            return null;
        }

        if (_local.TryGet(name, out var local))
        {
            return local;
        }

        AcmeIdentifier? identifier = null;
        var record = await _channel.FindAsync(
            KeyOf(name),
            "tls-alpn-01 challenge for " + name,
            r => (identifier = ParseIdentifier(r.IdentifierType, r.IdentifierValue)) is not null
                && SharedChallengeRecord.IsKeyAuthorization(r.KeyAuthorization)
                && string.Equals(TlsAlpn01Certificate.GetServerName(identifier), name, StringComparison.Ordinal),
            "its identifier or key authorization does not fit the name",
            cancellationToken).ConfigureAwait(false);
        return record is null ? null : new TlsAlpn01Challenge(identifier!, record.KeyAuthorization);
    }

    private static TlsAlpn01Challenge Check(AcmeIdentifier identifier, string keyAuthorization)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        ArgumentNullException.ThrowIfNull(keyAuthorization);
        _ = TlsAlpn01Certificate.GetServerName(identifier); // refuses wildcards
        if (!SharedChallengeRecord.IsKeyAuthorization(keyAuthorization))
        {
            throw new ArgumentException($"The key authorization '{keyAuthorization}' is not a base64url token, '.', and a base64url account key thumbprint (RFC 8555 section 8.1).", nameof(keyAuthorization));
        }

        return new TlsAlpn01Challenge(identifier, keyAuthorization);
    }

    private static string KeyOf(string serverName) => KeyPrefix + SharedChallengeRecord.HashForKey(serverName);

    private static AcmeIdentifier? ParseIdentifier(string? type, string? value)
    {
        try
        {
            return type switch
            {
                AcmeIdentifier.DnsType when value is not null && !value.StartsWith("*.", StringComparison.Ordinal) => AcmeIdentifier.Dns(value),
                AcmeIdentifier.IpType when value is not null && IPAddress.TryParse(value, out var address) => AcmeIdentifier.Ip(address),
                _ => null,
            };
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
