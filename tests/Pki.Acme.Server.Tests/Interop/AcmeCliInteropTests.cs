using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Pki.Acme.Server.Tests.EndToEnd;
using Pki.TestSupport;
using Xunit.Abstractions;

namespace Pki.Acme.Server.Tests.Interop;

/// <summary>
/// certbot and lego, as operators run them, against the whole embedded server over HTTPS: each obtains a certificate for two
/// names over http-01 (the server's validator connects to the client's standalone listener), renews it and revokes it; the
/// chain verifies to the server's root and every revocation shows in the served CRL.
/// </summary>
public sealed class AcmeCliInteropTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Certbot_obtains_renews_and_revokes_with_the_account_key_and_with_the_certificate_key()
    {
        var http01Port = FreePorts.Tcp();
        await using var server = await EmbeddedServer.StartAsync(http01Port);
        using var certbot = new CertbotClient(Options(server));
        var domains = new[] { "certbot.acme.test", "certbot-alt.acme.test" };

        var clock = Stopwatch.StartNew();
        using var first = await certbot.ObtainAsync(domains, http01Port);
        output.WriteLine($"certbot obtain against the embedded server: {clock.Elapsed.TotalSeconds:0.0} s");
        await AssertIssuedAsync(server, first, domains);

        clock.Restart();
        using var renewed = await certbot.RenewAsync(first.Name, http01Port);
        output.WriteLine($"certbot renew against the embedded server: {clock.Elapsed.TotalSeconds:0.0} s");
        await AssertIssuedAsync(server, renewed, domains);
        Assert.NotEqual(first.SerialHex, renewed.SerialHex);

        clock.Restart();
        await certbot.RevokeAsync(renewed, reason: 4);
        output.WriteLine($"certbot revoke against the embedded server: {clock.Elapsed.TotalSeconds:0.0} s");
        var crl = await RevokedSerialsAsync(server);
        Assert.Contains(Serial(renewed), crl, EmbeddedServerTests.ByteArrayComparer.Instance);
        Assert.DoesNotContain(Serial(first), crl, EmbeddedServerTests.ByteArrayComparer.Instance);

        // The replaced certificate, revoked by a request signed with its own key (RFC 8555 section 7.6).
        await certbot.RevokeAsync(first, reason: 1, signWithCertificateKey: true);
        Assert.Contains(Serial(first), await RevokedSerialsAsync(server), EmbeddedServerTests.ByteArrayComparer.Instance);
    }

    [Fact]
    public async Task Lego_obtains_renews_and_revokes()
    {
        var http01Port = FreePorts.Tcp();
        await using var server = await EmbeddedServer.StartAsync(http01Port);
        using var lego = new LegoClient(Options(server));
        var domains = new[] { "lego.acme.test", "lego-alt.acme.test" };

        var clock = Stopwatch.StartNew();
        using var first = await lego.ObtainAsync(domains, http01Port);
        output.WriteLine($"lego obtain against the embedded server: {clock.Elapsed.TotalSeconds:0.0} s");
        await AssertIssuedAsync(server, first, domains);
        var firstSerial = Serial(first);

        clock.Restart();
        using var renewed = await lego.RenewAsync(domains, http01Port);
        output.WriteLine($"lego renew against the embedded server: {clock.Elapsed.TotalSeconds:0.0} s");
        await AssertIssuedAsync(server, renewed, domains);
        Assert.NotEqual(first.SerialHex, renewed.SerialHex);

        // lego revokes the certificate in its files: the renewed one, with the account key.
        clock.Restart();
        await lego.RevokeAsync(domains, reason: 1);
        output.WriteLine($"lego revoke against the embedded server: {clock.Elapsed.TotalSeconds:0.0} s");
        var crl = await RevokedSerialsAsync(server);
        Assert.Contains(Serial(renewed), crl, EmbeddedServerTests.ByteArrayComparer.Instance);
        Assert.DoesNotContain(firstSerial, crl, EmbeddedServerTests.ByteArrayComparer.Instance);
    }

    private AcmeCliOptions Options(EmbeddedServer server) => new()
    {
        DirectoryUri = server.DirectoryUri,
        CaBundlePath = server.ListenerCertificatePemPath,
        Output = output,
        Timeout = TimeSpan.FromSeconds(90),
    };

    private static byte[] Serial(AcmeCliCertificate certificate) => Convert.FromHexString(certificate.Certificate.SerialNumber);

    private static async Task<List<byte[]>> RevokedSerialsAsync(EmbeddedServer server) => EmbeddedServerTests.SerialsIn(await server.GetCrlAsync());

    /// <summary>The leaf names exactly <paramref name="domains"/> and its served chain builds to the root the server publishes.</summary>
    internal static async Task AssertIssuedAsync(EmbeddedServer server, AcmeCliCertificate certificate, IReadOnlyList<string> domains)
    {
        Assert.True(certificate.Certificate.HasPrivateKey);
        Assert.Equal(certificate.Certificate.Thumbprint, certificate.Chain[0].Thumbprint);
        var san = certificate.Certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(domains.Order(StringComparer.Ordinal), san.EnumerateDnsNames().Order(StringComparer.Ordinal));
        Assert.Equal(90, (int)Math.Round((certificate.Certificate.NotAfter - certificate.Certificate.NotBefore).TotalDays));

        using var root = await server.GetRootAsync();
        ServedChain.AssertBuildsTo(root, certificate.Chain[0], certificate.Chain.Skip(1));
    }
}
