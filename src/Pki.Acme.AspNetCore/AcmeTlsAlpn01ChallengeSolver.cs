using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

using Microsoft.AspNetCore.Hosting;
using Pki.Acme.Management;

namespace Pki.Acme.AspNetCore;

/// <summary>
/// Solves tls-alpn-01 (RFC 8737) inside Kestrel: the challenge certificate is kept here, and the
/// TLS handshake callback of <see cref="AcmeKestrelExtensions.UseAcmeCertificates"/> serves it, with
/// ALPN <c>acme-tls/1</c> only, to connections whose SNI names an identifier being validated. With a
/// <see cref="StoreTlsAlpn01ChallengeStore"/> (the default of <c>AddAcmeCertificates</c>), the challenge
/// is also published to the store before <see cref="PresentAsync"/> returns, and
/// <see cref="FindCertificateAsync"/> answers challenges another instance of the farm published, with a
/// validation certificate this instance builds (and keeps while the challenge is published).
/// </summary>
public sealed class AcmeTlsAlpn01ChallengeSolver : IChallengeSolver
{
    private readonly ConcurrentDictionary<string, X509Certificate2> _certificates = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, (string KeyAuthorization, X509Certificate2 Certificate)> _answered = new(StringComparer.OrdinalIgnoreCase);
    private readonly StoreTlsAlpn01ChallengeStore? _shared;
    private readonly TimeProvider _time;

    /// <summary>Creates a solver that answers on this instance only.</summary>
    public AcmeTlsAlpn01ChallengeSolver(TimeProvider? timeProvider = null)
        : this(null, timeProvider)
    {
    }

    /// <summary>Creates a solver that publishes its challenges to <paramref name="shared"/> and answers those of other instances.</summary>
    public AcmeTlsAlpn01ChallengeSolver(StoreTlsAlpn01ChallengeStore? shared, TimeProvider? timeProvider = null)
    {
        _shared = shared;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public string ChallengeType => AcmeChallengeResource.TlsAlpn01;

    /// <summary>How many challenge certificates this instance presents now (its own challenges).</summary>
    public int Count => _certificates.Count;

    /// <summary>The challenge certificate this instance presents for the SNI <paramref name="serverName"/>, when there is one.</summary>
    public bool TryGetCertificate(string? serverName, out X509Certificate2 certificate)
    {
        if (serverName is not null && _certificates.TryGetValue(serverName.TrimEnd('.'), out var found))
        {
            certificate = found;
            return true;
        }

        certificate = null!;
        return false;
    }

    /// <summary>
    /// The challenge certificate for the SNI <paramref name="serverName"/>: this instance's own, else
    /// one built for the challenge another instance published to the shared store (asked every time,
    /// within its lookup timeout); null when no instance validates that name now.
    /// </summary>
    public async ValueTask<X509Certificate2?> FindCertificateAsync(string? serverName, CancellationToken cancellationToken)
    {
        if (TryGetCertificate(serverName, out var own))
        {
            return own;
        }

        if (_shared is null || string.IsNullOrEmpty(serverName))
        {
            return null;
        }

        var name = serverName.TrimEnd('.');
        var challenge = await _shared.FindAsync(name, cancellationToken).ConfigureAwait(false);
        lock (_answered)
        {
            _answered.TryGetValue(name, out var cached);
            if (challenge is null)
            {
                if (_answered.Remove(name))
                {
                    cached.Certificate.Dispose();
                }

                return null;
            }

            if (cached.Certificate is not null && cached.KeyAuthorization == challenge.KeyAuthorization)
            {
                return cached.Certificate;
            }

            cached.Certificate?.Dispose();
            var created = TlsAlpn01Certificate.Create(challenge.Identifier, challenge.KeyAuthorization, _time);
            _answered[name] = (challenge.KeyAuthorization, created);
            return created;
        }
    }

    /// <inheritdoc />
    public async Task PresentAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var serverName = TlsAlpn01Certificate.GetServerName(context.Identifier);
        var certificate = TlsAlpn01Certificate.Create(context.Identifier, context.KeyAuthorization, _time);
        if (_certificates.TryGetValue(serverName, out var previous))
        {
            previous.Dispose();
        }

        _certificates[serverName] = certificate;
        if (_shared is not null)
        {
            await _shared.PublishAsync(context.Identifier, context.KeyAuthorization, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task CleanupAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_certificates.TryRemove(TlsAlpn01Certificate.GetServerName(context.Identifier), out var certificate))
        {
            certificate.Dispose();
        }

        if (_shared is not null)
        {
            await _shared.WithdrawAsync(context.Identifier, cancellationToken).ConfigureAwait(false);
        }
    }
}
