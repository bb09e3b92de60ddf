using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pki.Acme.Internal;

namespace Pki.Acme;

/// <summary>
/// A built-in tls-alpn-01 responder (RFC 8737): a TLS listener that negotiates only
/// <c>acme-tls/1</c> and presents, by SNI, the validation certificate of a challenge in an
/// <see cref="ITlsAlpn01ChallengeStore"/> (built by a <see cref="TlsAlpn01CertificateCache"/>).
/// On .NET 8 and later an <see cref="IAsyncTlsAlpn01ChallengeStore"/> is asked asynchronously, so
/// challenges presented by other instances are answered too; on netstandard2.1 the TLS callback is
/// synchronous and only this instance's challenges are answered. The CA connects on port 443 in
/// production. Dispose it to stop listening; the store stays the caller's.
/// </summary>
public sealed class TlsAlpn01Responder : IAsyncDisposable
{
    private static readonly SslApplicationProtocol AcmeTls1 = new(TlsAlpn01Certificate.AlpnProtocol);
    private readonly TcpListener _listener;
    private readonly ILogger _logger;
    private readonly TlsAlpn01CertificateCache _certificates;
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private readonly Task _loop;

    private TlsAlpn01Responder(TcpListener listener, TlsAlpn01CertificateCache certificates, ILogger logger, TimeProvider time)
    {
        _listener = listener;
        _certificates = certificates;
        _logger = logger;
        _time = time;
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>How long a client has to complete the TLS handshake (10 s, on the responder's <see cref="TimeProvider"/>); then the connection is closed.</summary>
    public static TimeSpan HandshakeTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>The endpoint listened on (with the port chosen when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>The store the challenges come from (the one given to <see cref="Start"/>); give the same one to the <see cref="TlsAlpn01ChallengeSolver"/>.</summary>
    public ITlsAlpn01ChallengeStore Store => _certificates.Store;

    /// <summary>
    /// Starts listening on <paramref name="endPoint"/> (e.g. <c>0.0.0.0:443</c>), answering from <paramref name="store"/>.
    /// <paramref name="timeProvider"/> (default <see cref="TimeProvider.System"/>) times challenge expiry and the
    /// <see cref="HandshakeTimeout"/>.
    /// </summary>
    /// <exception cref="AcmeConfigurationException">The port could not be bound.</exception>
    public static TlsAlpn01Responder Start(ITlsAlpn01ChallengeStore store, IPEndPoint endPoint, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var listener = ResponderListener.Start(endPoint, AcmeChallengeResource.TlsAlpn01);
        var time = timeProvider ?? TimeProvider.System;
        return new TlsAlpn01Responder(listener, new TlsAlpn01CertificateCache(store, time), logger ?? NullLogger.Instance, time);
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
                using var deadline = TimeProviderDelay.CreateTimeoutSource(_time, HandshakeTimeout);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, deadline.Token);
                using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
#if NET8_0_OR_GREATER
                // An SNI without a challenge gets no certificate: the handshake fails, as it should.
                await tls.AuthenticateAsServerAsync(
                    async (_, hello, _, ct) => new SslServerAuthenticationOptions
                    {
                        ApplicationProtocols = [AcmeTls1],
                        ServerCertificate = await _certificates.FindAsync(hello.ServerName, ct).ConfigureAwait(false),
                    },
                    null,
                    timeout.Token).ConfigureAwait(false);
#else
                var options = new SslServerAuthenticationOptions
                {
                    ApplicationProtocols = [AcmeTls1],
                    ServerCertificateSelectionCallback = (_, name) => _certificates.FindLocal(name)!,
                };
                await tls.AuthenticateAsServerAsync(options, timeout.Token).ConfigureAwait(false);
#endif

                // RFC 8737 section 3: the certificate is only for acme-tls/1 connections.
                if (tls.NegotiatedApplicationProtocol != AcmeTls1)
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

    /// <summary>Stops listening, waits for the accept loop to end and disposes the validation certificates it built.</summary>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _loop.ConfigureAwait(false);
        _certificates.Dispose();
        _stop.Dispose();
    }
}
