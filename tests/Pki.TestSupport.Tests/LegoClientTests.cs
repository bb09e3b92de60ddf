using System.Diagnostics;
using Pki.TestSupport;
using Xunit.Abstractions;

namespace Pki.TestSupport.Tests;

public sealed class LegoClientTests(AcmeCliPebbleFixture fixture, ITestOutputHelper output) : IClassFixture<AcmeCliPebbleFixture>
{
    [Fact]
    public async Task Obtains_renews_and_revokes_over_http01_against_real_pebble()
    {
        fixture.Pebble.Process.Output = output;
        using var lego = new LegoClient(fixture.ClientOptions(output));
        var domains = new[] { AcmeCliPebbleFixture.UniqueName("lego"), AcmeCliPebbleFixture.UniqueName("lego-alt") };

        var clock = Stopwatch.StartNew();
        using var first = await lego.ObtainAsync(domains, fixture.Pebble.HttpPort);
        output.WriteLine($"lego obtain: {clock.Elapsed.TotalSeconds:0.0} s");
        CertbotClientTests.AssertIssuedFor(first, domains);

        clock.Restart();
        using var renewed = await lego.RenewAsync(domains, fixture.Pebble.HttpPort);
        output.WriteLine($"lego renew: {clock.Elapsed.TotalSeconds:0.0} s");
        CertbotClientTests.AssertIssuedFor(renewed, domains);
        Assert.NotEqual(first.SerialHex, renewed.SerialHex);

        clock.Restart();
        await lego.RevokeAsync(domains, reason: 1);
        output.WriteLine($"lego revoke: {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal("Revoked", await fixture.Pebble.GetCertificateStatusAsync(renewed.SerialHex));
        Assert.Equal("Valid", await fixture.Pebble.GetCertificateStatusAsync(first.SerialHex));
    }

    [Fact]
    public async Task An_untrusted_server_certificate_fails_with_legos_output()
    {
        using var directory = new TempDirectory();
        await using var other = await PebbleServer.StartAsync();
        var wrongBundle = await TestCertificateAuthorityFiles.WritePemBundleAsync(Path.Combine(directory.Path, "other.pem"), other.ListenerCertificate);
        using var lego = new LegoClient(fixture.ClientOptions(output) with { CaBundlePath = wrongBundle, Timeout = TimeSpan.FromSeconds(60) });

        var ex = await Assert.ThrowsAsync<AcmeCliException>(() => lego.ObtainAsync([AcmeCliPebbleFixture.UniqueName("untrusted")], fixture.Pebble.HttpPort));

        Assert.NotNull(ex.ExitCode);
        Assert.Contains("x509", ex.Message, StringComparison.OrdinalIgnoreCase);
    }
}
