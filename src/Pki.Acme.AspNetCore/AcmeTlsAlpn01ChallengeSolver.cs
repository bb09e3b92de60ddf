using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

using Microsoft.AspNetCore.Hosting;

namespace Pki.Acme.AspNetCore;

/// <summary>
/// Solves tls-alpn-01 (RFC 8737) inside Kestrel: the challenge certificate is kept here, and the
/// TLS handshake callback of <see cref="AcmeKestrelExtensions.UseAcmeCertificates"/> serves it, with
/// ALPN <c>acme-tls/1</c> only, to connections whose SNI names an identifier being validated.
/// </summary>
public sealed class AcmeTlsAlpn01ChallengeSolver : IChallengeSolver
{
    private readonly ConcurrentDictionary<string, X509Certificate2> _certificates = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _time;

    /// <summary>Creates the solver.</summary>
    public AcmeTlsAlpn01ChallengeSolver(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public string ChallengeType => AcmeChallengeResource.TlsAlpn01;

    /// <summary>How many challenge certificates are presented now.</summary>
    public int Count => _certificates.Count;

    /// <summary>The challenge certificate for the SNI <paramref name="serverName"/>, when one is presented.</summary>
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

    /// <inheritdoc />
    public Task PresentAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var certificate = TlsAlpn01Certificate.Create(context.Identifier, context.KeyAuthorization, _time);
        if (_certificates.TryGetValue(TlsAlpn01Certificate.GetServerName(context.Identifier), out var previous))
        {
            previous.Dispose();
        }

        _certificates[TlsAlpn01Certificate.GetServerName(context.Identifier)] = certificate;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task CleanupAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_certificates.TryRemove(TlsAlpn01Certificate.GetServerName(context.Identifier), out var certificate))
        {
            certificate.Dispose();
        }

        return Task.CompletedTask;
    }
}
