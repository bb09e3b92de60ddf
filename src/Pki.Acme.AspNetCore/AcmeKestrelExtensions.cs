using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
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
    private static readonly SslApplicationProtocol AcmeTls1 = new(TlsAlpn01Certificate.AlpnProtocol);
    private static readonly ConditionalWeakTable<ManagedCertificate, SslStreamCertificateContext> Contexts = new();

    /// <summary>
    /// HTTPS on this endpoint with the managed certificates, chosen per connection in Kestrel's TLS
    /// handshake callback: the certificate whose identifiers cover the SNI name (the first one when
    /// none does), with its intermediates, always the current one, so a renewal is served from the
    /// next handshake on without a restart. A connection whose SNI names an identifier under
    /// tls-alpn-01 validation gets the challenge certificate with ALPN <c>acme-tls/1</c> (RFC 8737).
    /// Before the first certificate exists, handshakes fail.
    /// </summary>
    public static ListenOptions UseAcmeCertificates(this ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        var services = listenOptions.ApplicationServices;
        var manager = services.GetRequiredService<CertificateManager>();
        var alpn = services.GetService<AcmeTlsAlpn01ChallengeSolver>();
        List<SslApplicationProtocol> protocols = listenOptions.Protocols switch
        {
            HttpProtocols.Http2 => [SslApplicationProtocol.Http2],
            HttpProtocols.Http1 => [SslApplicationProtocol.Http11],
            _ => [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        };
        return listenOptions.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = context =>
            {
                var serverName = context.ClientHelloInfo.ServerName;
                if (alpn is not null && alpn.TryGetCertificate(serverName, out var challenge))
                {
                    return ValueTask.FromResult(new SslServerAuthenticationOptions { ServerCertificate = challenge, ApplicationProtocols = [AcmeTls1] });
                }

                var managed = manager.FindForServerName(string.IsNullOrEmpty(serverName) ? null : serverName)
                    ?? throw new AuthenticationException("No managed certificate has been issued yet.");
                var certificateContext = Contexts.GetValue(managed, m => SslStreamCertificateContext.Create(m.Certificate, m.Intermediates, offline: true));
                return ValueTask.FromResult(new SslServerAuthenticationOptions { ServerCertificateContext = certificateContext, ApplicationProtocols = protocols });
            },
        });
    }
}
