using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pki.Acme.Management;

/// <summary>A tls-alpn-01 challenge published by some instance of a farm: what any instance needs to build the validation certificate.</summary>
/// <param name="Identifier">The identifier being validated.</param>
/// <param name="KeyAuthorization">Its key authorization (RFC 8555 section 8.1), whose SHA-256 goes into the acmeIdentifier extension (RFC 8737 section 3).</param>
public sealed record SharedTlsAlpn01Challenge(AcmeIdentifier Identifier, string KeyAuthorization);

/// <summary>
/// tls-alpn-01 challenges shared through an <see cref="ICertificateStore"/>, so that in a web farm the
/// instance the CA reaches completes the handshake, whichever instance ordered. Only the identifier
/// and the key authorization are published (no private key): the instance that answers builds its
/// own RFC 8737 validation certificate from them. A challenge for the TLS server name N (see
/// <see cref="TlsAlpn01Certificate.GetServerName"/>) lives at
/// <c>challenges/tls-alpn-01/n-{hex SHA-256 of N}</c> until it is withdrawn or expires
/// (<see cref="Lifetime"/>). Lookups read the store every time, within <see cref="LookupTimeout"/>,
/// and names that cannot be host names are refused before the store is touched. Thread-safe.
/// </summary>
public sealed class StoreTlsAlpn01ChallengeStore
{
    /// <summary>The store key prefix.</summary>
    public const string KeyPrefix = "challenges/tls-alpn-01/n-";

    private const int MaxServerNameLength = 253;

    private readonly ICertificateStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the challenge store over <paramref name="store"/>.</summary>
    /// <param name="store">The store every instance of the farm shares.</param>
    /// <param name="timeProvider">The clock for expiry and lookup deadlines.</param>
    /// <param name="logger">Where failed lookups are reported.</param>
    /// <param name="lookupTimeout">How long a lookup waits for the store (default 5 s); then the challenge is answered as absent.</param>
    /// <param name="lifetime">How long a published challenge is answered (default 1 h).</param>
    /// <exception cref="ArgumentOutOfRangeException">A duration is not positive.</exception>
    public StoreTlsAlpn01ChallengeStore(ICertificateStore store, TimeProvider? timeProvider = null, ILogger<StoreTlsAlpn01ChallengeStore>? logger = null, TimeSpan? lookupTimeout = null, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        LookupTimeout = SharedChallengeRecord.Positive(lookupTimeout ?? TimeSpan.FromSeconds(5), nameof(lookupTimeout));
        Lifetime = SharedChallengeRecord.Positive(lifetime ?? TimeSpan.FromHours(1), nameof(lifetime));
    }

    /// <summary>How long a lookup waits for the shared store.</summary>
    public TimeSpan LookupTimeout { get; }

    /// <summary>How long a published challenge is answered.</summary>
    public TimeSpan Lifetime { get; }

    /// <summary>Publishes the challenge for <paramref name="identifier"/>; every instance can answer it when this returns.</summary>
    /// <exception cref="ArgumentException">A wildcard identifier (RFC 8737 section 3 forbids tls-alpn-01 for them) or a malformed key authorization.</exception>
    /// <exception cref="CertificateStoreException">The store failed.</exception>
    public async Task PublishAsync(AcmeIdentifier identifier, string keyAuthorization, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        ArgumentNullException.ThrowIfNull(keyAuthorization);
        var serverName = ServerNameOf(identifier);
        if (!SharedChallengeRecord.IsKeyAuthorization(keyAuthorization))
        {
            throw new ArgumentException($"The key authorization '{keyAuthorization}' is not a base64url token, '.', and a base64url account key thumbprint (RFC 8555 section 8.1).", nameof(keyAuthorization));
        }

        var record = new SharedChallengeRecord(keyAuthorization, _time.GetUtcNow() + Lifetime, identifier.Type, identifier.Value);
        await _store.WriteAsync(KeyOf(serverName), record.Encode(), isSecret: false, cancellationToken).ConfigureAwait(false);
        SharedChallengeLog.Published(_logger, "tls-alpn-01 challenge for " + serverName, record.ExpiresAt);
    }

    /// <summary>Withdraws the challenge for <paramref name="identifier"/>; false when there was none.</summary>
    /// <exception cref="ArgumentException">A wildcard identifier.</exception>
    /// <exception cref="CertificateStoreException">The store failed.</exception>
    public Task<bool> WithdrawAsync(AcmeIdentifier identifier, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return _store.DeleteAsync(KeyOf(ServerNameOf(identifier)), cancellationToken);
    }

    /// <summary>
    /// The challenge published for the TLS server name <paramref name="serverName"/> (SNI), by any
    /// instance. Null for a name that cannot be a host name (the store is not asked), when none is
    /// published, when its record expired, is malformed or is for another name, or when the store
    /// fails or does not answer within <see cref="LookupTimeout"/> (those are logged).
    /// </summary>
    public async ValueTask<SharedTlsAlpn01Challenge?> FindAsync(string? serverName, CancellationToken cancellationToken)
    {
        var name = Normalize(serverName);
        if (name is null)
        {
            return null;
        }

        var what = "tls-alpn-01 challenge for " + name;
        var bytes = await SharedChallengeRecord.ReadBoundedAsync(_store, KeyOf(name), what, LookupTimeout, _time, _logger, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        var record = SharedChallengeRecord.TryDecode(bytes, out var reason);
        var identifier = record is null ? null : ParseIdentifier(record.IdentifierType, record.IdentifierValue);
        if (record is null || identifier is null || !SharedChallengeRecord.IsKeyAuthorization(record.KeyAuthorization)
            || !string.Equals(TlsAlpn01Certificate.GetServerName(identifier), name, StringComparison.Ordinal))
        {
            SharedChallengeLog.BadRecord(_logger, what, record is null ? reason : "its identifier or key authorization does not fit the name");
            return null;
        }

        return record.ExpiresAt > _time.GetUtcNow() ? new SharedTlsAlpn01Challenge(identifier, record.KeyAuthorization) : null;
    }

    private static string ServerNameOf(AcmeIdentifier identifier)
    {
        if (identifier.Type == AcmeIdentifier.DnsType && identifier.Value.StartsWith("*.", StringComparison.Ordinal))
        {
            throw new ArgumentException($"The identifier '{identifier.Value}' is a wildcard: tls-alpn-01 cannot validate wildcards (RFC 8737 section 3).", nameof(identifier));
        }

        return TlsAlpn01Certificate.GetServerName(identifier);
    }

    private static string KeyOf(string serverName) => KeyPrefix + SharedChallengeRecord.HashForKey(serverName);

    /// <summary>The SNI as <see cref="TlsAlpn01Certificate.GetServerName"/> spells names (lower case, no final dot), or null when it cannot be a host name.</summary>
    private static string? Normalize(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return null;
        }

        var name = serverName!.TrimEnd('.');
        if (name.Length is 0 or > MaxServerNameLength)
        {
            return null;
        }

        var lower = new char[name.Length];
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is (>= 'A' and <= 'Z'))
            {
                c = (char)(c + ('a' - 'A'));
            }
            else if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' or '_'))
            {
                return null;
            }

            lower[i] = c;
        }

        return new string(lower);
    }

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
