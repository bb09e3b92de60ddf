using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Pki.Acme;
using Pki.Acme.AspNetCore;
using Pki.Acme.Management;

namespace Microsoft.AspNetCore.Hosting;

/// <summary>Serves managed certificates from Kestrel.</summary>
public static class AcmeKestrelExtensions
{
    /// <summary>How long a connection may take to send its first TLS record before it is handed to the handshake unread.</summary>
    private static readonly TimeSpan ClientHelloTimeout = TimeSpan.FromSeconds(10);

    private static readonly SslApplicationProtocol AcmeTls1 = new(TlsAlpn01Certificate.AlpnProtocol);
    private static readonly ReadOnlyMemory<byte> AcmeTls1Bytes = AcmeTls1.Protocol;
    private static readonly ConditionalWeakTable<ManagedCertificate, SslStreamCertificateContext> Contexts = new();

    /// <summary>
    /// HTTPS on this endpoint with the managed certificates, chosen per connection in Kestrel's TLS
    /// handshake callback: the certificate whose identifiers cover the SNI name (the first one when
    /// none does), with its intermediates, always the current one, so a renewal is served from the
    /// next handshake on without a restart. A connection that offers ALPN <c>acme-tls/1</c> (an ACME
    /// server) with an SNI under tls-alpn-01 validation gets the challenge certificate (RFC 8737) from
    /// the registered <see cref="TlsAlpn01CertificateCache"/> over the <see cref="ITlsAlpn01ChallengeStore"/>:
    /// for this instance's own challenge, or one another instance of the farm published to the shared
    /// store (looked up only for such connections, within the store's lookup timeout).
    /// Before the first certificate exists, other handshakes fail.
    /// </summary>
    public static ListenOptions UseAcmeCertificates(this ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        var services = listenOptions.ApplicationServices;
        var manager = services.GetRequiredService<CertificateManager>();
        var alpn = services.GetService<TlsAlpn01CertificateCache>();
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        List<SslApplicationProtocol> protocols = listenOptions.Protocols switch
        {
            HttpProtocols.Http2 => [SslApplicationProtocol.Http2],
            HttpProtocols.Http1 => [SslApplicationProtocol.Http11],
            _ => [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        };

        // Before TLS: note whether the client offers acme-tls/1, without consuming its ClientHello.
        listenOptions.Use(next => async connection =>
        {
            using (var timeout = new CancellationTokenSource(ClientHelloTimeout, time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, connection.ConnectionClosed))
            {
                var offers = await TlsClientHello.PeekOffersProtocolAsync(connection.Transport.Input, AcmeTls1Bytes, linked.Token).ConfigureAwait(false);
                connection.Features.Set(new AcmeTlsClientHelloFeature(offers));
            }

            await next(connection).ConfigureAwait(false);
        });

        return listenOptions.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = async context =>
            {
                var serverName = context.ClientHelloInfo.ServerName;
                if (alpn is not null)
                {
                    // Only ACME servers offer acme-tls/1; when the ClientHello could not be read, serve this instance's own challenges only.
                    var offersAcme = context.Connection.Features.Get<AcmeTlsClientHelloFeature>()?.OffersAcmeTls1;
                    var challenge = offersAcme switch
                    {
                        true => await alpn.FindAsync(serverName, context.CancellationToken).ConfigureAwait(false),
                        null => alpn.FindLocal(serverName),
                        _ => null,
                    };
                    if (challenge is not null)
                    {
                        return new SslServerAuthenticationOptions { ServerCertificate = challenge, ApplicationProtocols = [AcmeTls1] };
                    }
                }

                var managed = manager.FindForServerName(string.IsNullOrEmpty(serverName) ? null : serverName)
                    ?? throw new AuthenticationException("No managed certificate has been issued yet.");
                var certificateContext = Contexts.GetValue(managed, m => SslStreamCertificateContext.Create(m.Certificate, m.Intermediates, offline: true));
                return new SslServerAuthenticationOptions { ServerCertificateContext = certificateContext, ApplicationProtocols = protocols };
            },
        });
    }
}
