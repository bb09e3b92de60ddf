using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Pki.TestSupport;
using Xunit.Abstractions;

namespace Pki.TestSupport.Tests;

public sealed class CertbotClientTests(AcmeCliPebbleFixture fixture, ITestOutputHelper output) : IClassFixture<AcmeCliPebbleFixture>
{
    [Fact]
    public async Task Obtains_renews_and_revokes_over_http01_against_real_pebble()
    {
        fixture.Pebble.Process.Output = output;
        using var certbot = new CertbotClient(fixture.ClientOptions(output));
        var domains = new[] { AcmeCliPebbleFixture.UniqueName("certbot"), AcmeCliPebbleFixture.UniqueName("certbot-alt") };

        var clock = Stopwatch.StartNew();
        using var first = await certbot.ObtainAsync(domains, fixture.Pebble.HttpPort);
        output.WriteLine($"certbot obtain: {clock.Elapsed.TotalSeconds:0.0} s");
        AssertIssuedFor(first, domains);

        clock.Restart();
        using var renewed = await certbot.RenewAsync(first.Name, fixture.Pebble.HttpPort);
        output.WriteLine($"certbot renew: {clock.Elapsed.TotalSeconds:0.0} s");
        AssertIssuedFor(renewed, domains);
        Assert.NotEqual(first.SerialHex, renewed.SerialHex);

        clock.Restart();
        await certbot.RevokeAsync(renewed, reason: 4);
        output.WriteLine($"certbot revoke: {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal("Revoked", await fixture.Pebble.GetCertificateStatusAsync(renewed.SerialHex));
        Assert.Equal("Valid", await fixture.Pebble.GetCertificateStatusAsync(first.SerialHex));

        // The replaced certificate, revoked by a request signed with its own key rather than the account's.
        await certbot.RevokeAsync(first, reason: 1, signWithCertificateKey: true);
        Assert.Equal("Revoked", await fixture.Pebble.GetCertificateStatusAsync(first.SerialHex));
    }

    [Fact]
    public async Task A_failed_validation_throws_with_certbots_output()
    {
        using var certbot = new CertbotClient(fixture.ClientOptions(output) with { Timeout = TimeSpan.FromSeconds(60) });

        // certbot answers on a port Pebble's validator does not connect to.
        var ex = await Assert.ThrowsAsync<AcmeCliException>(() => certbot.ObtainAsync([AcmeCliPebbleFixture.UniqueName("unreachable")], FreePorts.Tcp()));

        Assert.Equal(1, ex.ExitCode);
        Assert.Contains("certbot", ex.Message, StringComparison.Ordinal);
        Assert.Contains("letsencrypt.log", ex.Message, StringComparison.Ordinal);
    }

    internal static void AssertIssuedFor(AcmeCliCertificate certificate, IReadOnlyList<string> domains)
    {
        Assert.True(certificate.Certificate.HasPrivateKey);
        Assert.True(certificate.Chain.Count >= 2);
        Assert.Equal(certificate.Certificate.Thumbprint, certificate.Chain[0].Thumbprint);
        Assert.Equal(certificate.Chain[0].Issuer, certificate.Chain[1].Subject);
        var san = certificate.Certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(domains.Order(StringComparer.Ordinal), san.EnumerateDnsNames().Order(StringComparer.Ordinal));
    }
}
