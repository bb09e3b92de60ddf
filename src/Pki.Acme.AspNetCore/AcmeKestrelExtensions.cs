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
    /// <c>services.AddAcmeCertificates(...)</c> already does this for every HTTPS endpoint that has no
    /// certificate of its own (URLs, <c>Kestrel:Endpoints</c> or <c>ListenOptions.UseHttps()</c>);
    /// call it on endpoints you configure with <c>Listen</c> and want served this way explicitly.
    /// </summary>
    public static ListenOptions UseAcmeCertificates(this ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        var services = listenOptions.ApplicationServices;
        var manager = services.GetRequiredService<CertificateManager>();
        var alpn = services.GetService<TlsAlpn01CertificateCache>();
        List<SslApplicationProtocol> protocols = listenOptions.Protocols switch
        {
            HttpProtocols.Http2 => [SslApplicationProtocol.Http2],
            HttpProtocols.Http1 => [SslApplicationProtocol.Http11],
            _ => [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        };

        UseClientHelloReader(listenOptions);
        return listenOptions.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = context =>
            {
                var serverName = string.IsNullOrEmpty(context.ClientHelloInfo.ServerName) ? null : context.ClientHelloInfo.ServerName;
                var hello = context.Connection.Features.Get<AcmeTlsClientHelloFeature>();

                // When the ClientHello could not be read, serve this instance's own challenges only.
                var challenge = hello?.OffersAcmeTls1 is null ? alpn?.FindLocal(serverName) : hello.Challenge;
                if (challenge is not null)
                {
                    return ValueTask.FromResult(new SslServerAuthenticationOptions { ServerCertificate = challenge, ApplicationProtocols = [AcmeTls1] });
                }

                var managed = manager.FindForServerName(serverName) ?? throw NoCertificateYet();
                return ValueTask.FromResult(new SslServerAuthenticationOptions { ServerCertificateContext = ContextOf(managed), ApplicationProtocols = protocols });
            },
        });
    }

    /// <summary>
    /// Serves the managed certificates on an HTTPS endpoint configured through
    /// <see cref="HttpsConnectionAdapterOptions"/> (what <c>KestrelServerOptions.ConfigureHttpsDefaults</c>
    /// configures): the certificate is chosen from the SNI name read before the handshake and sent with
    /// its intermediates, or presented as the tls-alpn-01 challenge to an ACME server; the endpoint
    /// needs the ClientHello reader (<see cref="UseClientHelloReader"/>) ahead of TLS. A ClientHello
    /// that could not be read falls back to <see cref="HttpsConnectionAdapterOptions.ServerCertificateSelector"/>
    /// (the leaf only; the system builds what chain it can).
    /// </summary>
    internal static void UseAcmeCertificates(HttpsConnectionAdapterOptions https, IServiceProvider services)
    {
        var manager = services.GetRequiredService<CertificateManager>();
        https.ServerCertificateSelector = (_, serverName) => manager.FindForServerName(string.IsNullOrEmpty(serverName) ? null : serverName)?.Certificate ?? throw NoCertificateYet();
        var previous = https.OnAuthenticate;
        https.OnAuthenticate = (connection, ssl) =>
        {
            previous?.Invoke(connection, ssl);
            var hello = connection.Features.Get<AcmeTlsClientHelloFeature>();
            if (hello?.Challenge is { } challenge)
            {
                ssl.ServerCertificateSelectionCallback = null;
                ssl.ServerCertificateContext = null;
                ssl.ServerCertificate = challenge;
                ssl.ApplicationProtocols = [AcmeTls1];
                return;
            }

            if (hello?.OffersAcmeTls1 is not null && manager.FindForServerName(hello.ServerName) is { } managed)
            {
                ssl.ServerCertificateSelectionCallback = null;
                ssl.ServerCertificate = null;
                ssl.ServerCertificateContext = ContextOf(managed);
            }
        };
    }

    /// <summary>
    /// Before TLS: reads the client's first TLS record without consuming it (the SNI name and whether
    /// it offers <c>acme-tls/1</c>) and, for an ACME server, looks up the tls-alpn-01 challenge for that
    /// name, so the synchronous handshake callbacks need no I/O. Runs once per connection (a second
    /// reader on the same endpoint passes through); a plain HTTP connection is passed on at its first byte.
    /// </summary>
    internal static void UseClientHelloReader(ListenOptions listenOptions)
    {
        var services = listenOptions.ApplicationServices;
        var alpn = services.GetService<TlsAlpn01CertificateCache>();
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        listenOptions.Use(next => async connection =>
        {
            if (connection.Features.Get<AcmeTlsClientHelloFeature>() is null)
            {
                using var timeout = new CancellationTokenSource(ClientHelloTimeout, time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, connection.ConnectionClosed);
                var hello = await TlsClientHello.PeekAsync(connection.Transport.Input, AcmeTls1Bytes, linked.Token).ConfigureAwait(false);
                if (hello.OffersAcmeTls1 == true && alpn is not null)
                {
                    try
                    {
                        hello = new AcmeTlsClientHelloFeature(true, hello.ServerName)
                        {
                            Challenge = await alpn.FindAsync(hello.ServerName, linked.Token).ConfigureAwait(false),
                        };
                    }
                    catch (OperationCanceledException) when (linked.IsCancellationRequested)
                    {
                        // The client went away or stalled: the handshake that follows meets the same and ends the connection.
                    }
                }

                connection.Features.Set(hello);
            }

            await next(connection).ConfigureAwait(false);
        });
    }

    private static SslStreamCertificateContext ContextOf(ManagedCertificate managed) =>
        Contexts.GetValue(managed, m => SslStreamCertificateContext.Create(m.Certificate, m.Intermediates, offline: true));

    private static AuthenticationException NoCertificateYet() => new("No managed certificate has been issued yet.");
}
