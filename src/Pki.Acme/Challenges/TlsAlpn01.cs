using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pki.Acme.Internal;

namespace Pki.Acme;

/// <summary>The tls-alpn-01 validation certificate (RFC 8737 section 3).</summary>
public static class TlsAlpn01Certificate
{
    /// <summary>The ALPN protocol name <c>acme-tls/1</c>.</summary>
    public const string AlpnProtocol = "acme-tls/1";

    /// <summary>The id-pe-acmeIdentifier extension OID (1.3.6.1.5.5.7.1.31).</summary>
    public const string AcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";

    /// <summary>
    /// A self-signed certificate with the identifier as its only subjectAltName and a critical
    /// acmeIdentifier extension whose value is the DER OCTET STRING of SHA-256(key authorization):
    /// <code>
    /// id-pe-acmeIdentifier OBJECT IDENTIFIER ::= { id-pe 31 }
    /// Authorization ::= OCTET STRING (SIZE (32))   -- SHA-256 digest of the key authorization
    /// </code>
    /// </summary>
    public static X509Certificate2 Create(AcmeIdentifier identifier, string keyAuthorization, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        ArgumentException.ThrowIfNullOrEmpty(keyAuthorization);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ACME tls-alpn-01 challenge", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        if (identifier.Type == AcmeIdentifier.IpType)
        {
            san.AddIpAddress(IPAddress.Parse(identifier.Value));
        }
        else
        {
            san.AddDnsName(identifier.Value);
        }

        request.CertificateExtensions.Add(san.Build(critical: false));
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(keyAuthorization));
        var value = new byte[2 + digest.Length];
        value[0] = 0x04; // OCTET STRING
        value[1] = (byte)digest.Length;
        digest.CopyTo(value, 2);
        request.CertificateExtensions.Add(new X509Extension(AcmeIdentifierOid, value, critical: true));
        var now = (timeProvider ?? TimeProvider.System).GetUtcNow();
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(7));
    }

    /// <summary>The TLS SNI name the CA sends for an identifier: the name itself, or for an IP address its reverse-DNS name (RFC 8738 section 6).</summary>
    public static string GetServerName(AcmeIdentifier identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        if (identifier.Type != AcmeIdentifier.IpType)
        {
            return identifier.Value.ToLowerInvariant();
        }

        var address = IPAddress.Parse(identifier.Value);
        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return string.Join(".", Enumerable.Reverse(bytes).Select(b => b.ToString(CultureInfo.InvariantCulture))) + ".in-addr.arpa";
        }

        var nibbles = bytes.SelectMany(b => new[] { b >> 4, b & 0xF }).Reverse().Select(n => n.ToString("x", CultureInfo.InvariantCulture));
        return string.Join(".", nibbles) + ".ip6.arpa";
    }
}

/// <summary>
/// A built-in tls-alpn-01 responder (RFC 8737): a TLS listener that negotiates only
/// <c>acme-tls/1</c> and presents, by SNI, the validation certificate of a pending challenge.
/// The CA connects on port 443 in production.
/// </summary>
public sealed class TlsAlpn01Responder : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, X509Certificate2> _certificates = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private TlsAlpn01Responder(TcpListener listener, ILogger logger)
    {
        _listener = listener;
        _logger = logger;
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The endpoint listened on.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Starts listening on <paramref name="endPoint"/> (e.g. <c>0.0.0.0:443</c>).</summary>
    /// <exception cref="AcmeConfigurationException">The port could not be bound.</exception>
    public static TlsAlpn01Responder Start(IPEndPoint endPoint, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var listener = new TcpListener(endPoint);
        try
        {
            listener.Start();
        }
        catch (SocketException ex)
        {
            throw new AcmeConfigurationException($"The tls-alpn-01 responder could not listen on {endPoint}: {ex.Message}", ex);
        }

        return new TlsAlpn01Responder(listener, logger ?? NullLogger.Instance);
    }

    /// <summary>Presents <paramref name="certificate"/> to clients that send <paramref name="serverName"/> as SNI.</summary>
    public void Add(string serverName, X509Certificate2 certificate)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverName);
        ArgumentNullException.ThrowIfNull(certificate);
        if (_certificates.TryGetValue(serverName, out var previous))
        {
            previous.Dispose();
        }

        _certificates[serverName] = certificate;
    }

    /// <summary>Withdraws the certificate for <paramref name="serverName"/>.</summary>
    public bool Remove(string serverName)
    {
        if (_certificates.TryRemove(serverName, out var certificate))
        {
            certificate.Dispose();
            return true;
        }

        return false;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandshakeAsync(client));
        }
    }

    private async Task HandshakeAsync(TcpClient client)
    {
        var remote = client.Client.RemoteEndPoint?.ToString() ?? "?";
        using (client)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
                var options = new SslServerAuthenticationOptions
                {
                    ApplicationProtocols = [new SslApplicationProtocol(TlsAlpn01Certificate.AlpnProtocol)],
                    ServerCertificateSelectionCallback = (_, name) => name is not null && _certificates.TryGetValue(name, out var certificate) ? certificate : null!,
                    ClientCertificateRequired = false,
                };
                await tls.AuthenticateAsServerAsync(options, timeout.Token).ConfigureAwait(false);

                // RFC 8737 section 3: the certificate is only for acme-tls/1 connections.
                if (tls.NegotiatedApplicationProtocol.ToString() != TlsAlpn01Certificate.AlpnProtocol)
                {
                    Log.AlpnHandshakeFailed(_logger, remote, "no acme-tls/1");
                    return;
                }

                tls.Close();
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or NotSupportedException or ObjectDisposedException)
            {
                Log.AlpnHandshakeFailed(_logger, remote, ex.Message);
            }
        }
    }

    /// <summary>Stops listening and disposes the certificates.</summary>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _loop.ConfigureAwait(false);
        foreach (var name in _certificates.Keys.ToList())
        {
            Remove(name);
        }

        _stop.Dispose();
    }
}

/// <summary>Solves tls-alpn-01 by presenting the validation certificate on a <see cref="TlsAlpn01Responder"/>.</summary>
public sealed class TlsAlpn01ChallengeSolver : IChallengeSolver
{
    private readonly TlsAlpn01Responder _responder;

    /// <summary>Creates the solver.</summary>
    public TlsAlpn01ChallengeSolver(TlsAlpn01Responder responder) => _responder = responder ?? throw new ArgumentNullException(nameof(responder));

    /// <inheritdoc />
    public string ChallengeType => AcmeChallengeResource.TlsAlpn01;

    /// <inheritdoc />
    public Task PresentAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _responder.Add(TlsAlpn01Certificate.GetServerName(context.Identifier), TlsAlpn01Certificate.Create(context.Identifier, context.KeyAuthorization));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task CleanupAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _responder.Remove(TlsAlpn01Certificate.GetServerName(context.Identifier));
        return Task.CompletedTask;
    }
}
