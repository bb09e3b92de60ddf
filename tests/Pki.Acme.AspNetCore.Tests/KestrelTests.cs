using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pki.Acme.Management;
using Pki.TestSupport;

namespace Pki.Acme.AspNetCore.Tests;

public sealed class KestrelTests
{
    [Fact]
    public async Task Kestrel_gets_its_certificate_from_Pebble_over_http01_serves_it_and_switches_to_the_renewed_one_without_restart()
    {
        // 30 s certificates, renewed when 80% of the lifetime remains: a renewal every ~6 s.
        await using var pebble = await PebbleServer.StartAsync(new PebbleOptions { CertificateValidityPeriodSeconds = 30 });
        using var root = await pebble.GetRootAsync();
        var store = KestrelHost.NewStorePath();
        var identifier = KestrelHost.UniqueName("www");
        var httpsPort = FreePorts.Tcp();
        await using var app = KestrelHost.Build(pebble, store, identifier, pebble.HttpPort, httpsPort, o => o.Manager.FallbackRemainingLifetimeFraction = 0.8);
        var manager = app.Services.GetRequiredService<CertificateManager>();
        await app.StartAsync();
        try
        {
            var first = await KestrelHost.WaitForCertificateAsync(manager, _ => true);
            var (leaf, body) = await KestrelHost.GetOverHttpsAsync(identifier, httpsPort, root);
            Assert.Equal("hello over https", body);
            Assert.Equal(first.Certificate.Thumbprint, leaf.Thumbprint);
            Assert.Contains(identifier, leaf.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.DnsName, false), StringComparison.OrdinalIgnoreCase);

            var healthy = await KestrelHost.GetStringAsync(pebble.HttpPort, "/health");
            Assert.Equal("200 text/plain Healthy", healthy);

            // The renewed leaf is served by the same, never restarted, Kestrel (chain checked against Pebble's root).
            var renewed = await KestrelHost.WaitForCertificateAsync(manager, c => c.Certificate.Thumbprint != first.Certificate.Thumbprint);
            Assert.Equal(CertificateSource.Issued, renewed.Source);
            var (after, _) = await KestrelHost.GetOverHttpsAsync(identifier, httpsPort, root);
            Assert.NotEqual(leaf.SerialNumber, after.SerialNumber);
            Assert.True(after.NotBefore >= renewed.Certificate.NotBefore, "the handshake must see the renewed (or a later) leaf");
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(store, recursive: true);
        }
    }

    [Fact]
    public async Task Tls_alpn_01_is_answered_in_Kestrels_TLS_handshake()
    {
        await using var pebble = await PebbleServer.StartAsync();
        using var root = await pebble.GetRootAsync();
        var store = KestrelHost.NewStorePath();
        var identifier = KestrelHost.UniqueName("alpn");

        // HTTPS only, on the port Pebble's tls-alpn-01 validator connects to; no http-01 solver.
        await using var app = KestrelHost.Build(pebble, store, identifier, httpPort: 0, httpsPort: pebble.TlsPort, services: s => s.RemoveAll<IChallengeSolver>().AddSingleton<IChallengeSolver>(sp => sp.GetRequiredService<TlsAlpn01ChallengeSolver>()));
        var manager = app.Services.GetRequiredService<CertificateManager>();
        var alpn = app.Services.GetRequiredService<StoreTlsAlpn01ChallengeStore>();
        await app.StartAsync();
        try
        {
            var issued = await KestrelHost.WaitForCertificateAsync(manager, _ => true);
            var (leaf, _) = await KestrelHost.GetOverHttpsAsync(identifier, pebble.TlsPort, root);
            Assert.Equal(issued.Certificate.Thumbprint, leaf.Thumbprint);
            Assert.Equal(0, alpn.Count); // the challenge was withdrawn
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(store, recursive: true);
        }
    }

    [Fact]
    public async Task The_http01_middleware_answers_known_tokens_only_and_passes_other_requests_on()
    {
        await using var pebble = await PebbleServer.StartAsync();
        var store = KestrelHost.NewStorePath();
        var httpPort = FreePorts.Tcp();
        // A CA that never answers the order: the middleware is tested on its own, the health check before any certificate.
        await using var app = KestrelHost.Build(pebble, store, "unused.example.test", httpPort, FreePorts.Tcp(), services: s => s.RemoveAll<Microsoft.Extensions.Hosting.IHostedService>());
        await app.StartAsync();
        try
        {
            app.Services.GetRequiredService<IHttp01TokenStore>().Add("tok-1", "tok-1.thumbprint");

            Assert.Equal("200 application/octet-stream tok-1.thumbprint", await KestrelHost.GetStringAsync(httpPort, "/.well-known/acme-challenge/tok-1"));
            Assert.Equal("404", await KestrelHost.GetStringAsync(httpPort, "/.well-known/acme-challenge/unknown"));
            Assert.Equal("404", await KestrelHost.GetStringAsync(httpPort, "/.well-known/acme-challenge/not%20base64url"));

            // A token another instance of the farm presented through the shared store, answered right after it was published.
            var otherInstance = new StoreHttp01TokenStore(new FileSystemCertificateStore(store));
            await otherInstance.AddAsync("tok-2", "tok-2.thumbprint", default);
            Assert.Equal("200 application/octet-stream tok-2.thumbprint", await KestrelHost.GetStringAsync(httpPort, "/.well-known/acme-challenge/tok-2"));
            await otherInstance.RemoveAsync("tok-2", default);
            Assert.Equal("404", await KestrelHost.GetStringAsync(httpPort, "/.well-known/acme-challenge/tok-2"));
            Assert.Equal("200 text/plain; charset=utf-8 hello over https", await KestrelHost.GetStringAsync(httpPort, "/"));
            Assert.Equal("503 text/plain Unhealthy", await KestrelHost.GetStringAsync(httpPort, "/health"));
        }
        finally
        {
            await app.StopAsync();
            if (Directory.Exists(store))
            {
                Directory.Delete(store, recursive: true);
            }
        }
    }

    [Fact]
    public async Task A_tls_alpn_01_challenge_another_instance_published_is_answered_to_acme_tls_1_clients_only()
    {
        await using var pebble = await PebbleServer.StartAsync();
        var store = KestrelHost.NewStorePath();
        var httpsPort = FreePorts.Tcp();
        const string name = "alpn-shared.example.test";
        const string keyAuthorization = "tok-3.thumbprint";
        await using var app = KestrelHost.Build(pebble, store, name, httpPort: 0, httpsPort, services: s => s.RemoveAll<Microsoft.Extensions.Hosting.IHostedService>());
        await app.StartAsync();
        try
        {
            var otherInstance = new StoreTlsAlpn01ChallengeStore(new FileSystemCertificateStore(store));
            await otherInstance.AddAsync(AcmeIdentifier.Dns(name), keyAuthorization, default);

            // An ACME server gets a validation certificate built here for the published key authorization, the same one each time.
            using var first = await HandshakeAsync(httpsPort, "ALPN-Shared.Example.Test", "acme-tls/1");
            using var second = await HandshakeAsync(httpsPort, name, "acme-tls/1");
            Assert.Equal(first.Thumbprint, second.Thumbprint);
            var extension = first.Extensions[TlsAlpn01Certificate.AcmeIdentifierOid];
            Assert.NotNull(extension);
            Assert.True(extension.Critical);
            Assert.Equal([0x04, 0x20, .. SHA256.HashData(Encoding.ASCII.GetBytes(keyAuthorization))], extension.RawData);
            Assert.Equal(name, first.GetNameInfo(X509NameType.DnsName, forIssuer: false));
            Assert.Equal(0, app.Services.GetRequiredService<StoreTlsAlpn01ChallengeStore>().Count);

            // Any other client never sees it (no managed certificate yet: the handshake fails).
            await AssertHandshakeFailsAsync(httpsPort, name, "h2", "http/1.1");

            // Withdrawn by the other instance: no longer answered.
            await otherInstance.RemoveAsync(AcmeIdentifier.Dns(name), default);
            await AssertHandshakeFailsAsync(httpsPort, name, "acme-tls/1");
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(store, recursive: true);
        }
    }

    [Fact]
    public async Task Invalid_options_fail_at_start_with_the_reason()
    {
        await using var pebble = await PebbleServer.StartAsync();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = KestrelHost.Build(pebble, KestrelHost.NewStorePath(), "x.example.test", FreePorts.Tcp(), FreePorts.Tcp(), o => o.Issuers.Clear());
            await app.StartAsync();
        });
        Assert.Equal("AcmeCertificatesOptions.Issuers is empty: add at least one ACME CA.", ex.Message);
    }

    /// <summary>The server ends the handshake (it has no certificate for this client): the client sees the connection closed or an alert.</summary>
    internal static async Task AssertHandshakeFailsAsync(int port, string serverName, params string[] protocols)
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => HandshakeAsync(port, serverName, protocols));
        Assert.True(ex is IOException or AuthenticationException, ex.ToString());
    }

    /// <summary>A TLS handshake with 127.0.0.1:<paramref name="port"/> offering <paramref name="protocols"/>: the server's certificate (acme-tls/1 negotiated when offered).</summary>
    internal static async Task<X509Certificate2> HandshakeAsync(int port, string serverName, params string[] protocols)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var tls = new SslStream(client.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            ApplicationProtocols = [.. protocols.Select(p => new SslApplicationProtocol(p))],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }).WaitAsync(TimeSpan.FromSeconds(30));
        if (protocols.Contains("acme-tls/1"))
        {
            Assert.Equal("acme-tls/1", tls.NegotiatedApplicationProtocol.ToString());
        }

        return new X509Certificate2(tls.RemoteCertificate!);
    }
}
