using System.Security.Cryptography.X509Certificates;

namespace Pki.Acme;

/// <summary>
/// The validation certificates a TLS server presents for tls-alpn-01, built from an
/// <see cref="ITlsAlpn01ChallengeStore"/>: <see cref="TlsAlpn01Responder"/> and the ASP.NET Core
/// Kestrel callback both read the store through it. A certificate is built the first time its
/// challenge is asked for and kept while the store presents that challenge with the same key
/// authorization; the store is asked every time, so a withdrawn challenge is never answered. The
/// certificates returned belong to the cache (do not dispose them); disposing the cache disposes them.
/// Thread-safe.
/// </summary>
public sealed class TlsAlpn01CertificateCache : IDisposable
{
    private readonly Dictionary<string, (string KeyAuthorization, X509Certificate2 Certificate)> _built = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private bool _disposed;

    /// <summary>Creates the cache over <paramref name="store"/> (which stays the caller's); certificate validity is measured on <paramref name="timeProvider"/>, the system clock when null.</summary>
    public TlsAlpn01CertificateCache(ITlsAlpn01ChallengeStore store, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The store the challenges come from; give the same one to the <see cref="TlsAlpn01ChallengeSolver"/>.</summary>
    public ITlsAlpn01ChallengeStore Store { get; }

    /// <summary>How many validation certificates are held now.</summary>
    public int Count
    {
        get
        {
            lock (_built)
            {
                return _built.Count;
            }
        }
    }

    /// <summary>
    /// The validation certificate for the SNI <paramref name="serverName"/> from this instance's own
    /// challenges only (the synchronous <see cref="ITlsAlpn01ChallengeStore.TryGet"/>): for TLS
    /// callbacks that cannot wait. Null when this instance presents no challenge for that name.
    /// </summary>
    public X509Certificate2? FindLocal(string? serverName) =>
        Certificate(serverName, Store.TryGet(serverName, out var challenge) ? challenge : null);

    /// <summary>
    /// The validation certificate for the SNI <paramref name="serverName"/>: with an
    /// <see cref="IAsyncTlsAlpn01ChallengeStore"/> also for challenges another instance of the farm
    /// presented (asked every time, within the store's lookup bound); null when no instance
    /// validates that name now.
    /// </summary>
    public async ValueTask<X509Certificate2?> FindAsync(string? serverName, CancellationToken cancellationToken)
    {
        if (Store is not IAsyncTlsAlpn01ChallengeStore shared)
        {
            return FindLocal(serverName);
        }

        var challenge = await shared.FindAsync(serverName, cancellationToken).ConfigureAwait(false);
        return Certificate(serverName, challenge);
    }

    /// <summary>Disposes every certificate held; later lookups answer null.</summary>
    public void Dispose()
    {
        lock (_built)
        {
            _disposed = true;
            foreach (var (_, certificate) in _built.Values)
            {
                certificate.Dispose();
            }

            _built.Clear();
        }
    }

    private X509Certificate2? Certificate(string? serverName, TlsAlpn01Challenge? challenge)
    {
        if (!TlsAlpn01Certificate.TryNormalizeServerName(serverName, out var name))
        {
            return null;
        }

        lock (_built)
        {
            var known = _built.TryGetValue(name, out var cached);
            if (challenge is null || _disposed)
            {
                if (known && _built.Remove(name))
                {
                    cached.Certificate.Dispose();
                }

                return null;
            }

            if (known && cached.KeyAuthorization == challenge.KeyAuthorization)
            {
                return cached.Certificate;
            }

            cached.Certificate?.Dispose();
            var created = TlsAlpn01Certificate.Create(challenge.Identifier, challenge.KeyAuthorization, _time);
            _built[name] = (challenge.KeyAuthorization, created);
            return created;
        }
    }
}
