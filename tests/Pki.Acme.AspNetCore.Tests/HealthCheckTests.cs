using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pki.Acme.Management;
using Pki.TestSupport;

namespace Pki.Acme.AspNetCore.Tests;

public sealed class HealthCheckTests
{
    [Fact]
    public async Task Reports_expiry_next_renewal_issuer_and_last_error()
    {
        await using var pebble = await PebbleServer.StartAsync();
        var store = KestrelHost.NewStorePath();
        var httpPort = pebble.HttpPort;
        await using var app = KestrelHost.Build(pebble, store, KestrelHost.UniqueName("health"), httpPort, FreePorts.Tcp(), services: s => s.RemoveAll<Microsoft.Extensions.Hosting.IHostedService>());
        await app.StartAsync();
        try
        {
            var manager = app.Services.GetRequiredService<CertificateManager>();
            var check = new AcmeCertificatesHealthCheck(manager, TimeProvider.System);

            var before = await check.CheckHealthAsync(new HealthCheckContext());
            Assert.Equal(HealthStatus.Unhealthy, before.Status);
            Assert.Equal("www: no certificate yet", before.Description);
            Assert.Equal("none", before.Data["www.notAfter"]);

            var issued = await manager.GetCertificateAsync("www");
            var after = await check.CheckHealthAsync(new HealthCheckContext());
            Assert.Equal(HealthStatus.Healthy, after.Status);
            Assert.Equal(issued.NotAfter.ToString("O", System.Globalization.CultureInfo.InvariantCulture), after.Data["www.notAfter"]);
            Assert.Equal(manager.GetStatus()[0].RenewAt!.Value.ToString("O", System.Globalization.CultureInfo.InvariantCulture), after.Data["www.renewAt"]);
            Assert.Equal("pebble", after.Data["www.issuer"]);
            Assert.False(after.Data.ContainsKey("www.lastError"));

            // The CA goes away; a renewal fails while the certificate is still valid: Degraded, with the error.
            await pebble.DisposeAsync();
            await Assert.ThrowsAsync<AcmeIssuerPoolException>(() => manager.RenewNowAsync("www"));
            var degraded = await check.CheckHealthAsync(new HealthCheckContext());
            Assert.Equal(HealthStatus.Degraded, degraded.Status);
            Assert.StartsWith("www: last attempt failed: No CA issued a certificate for", degraded.Description, StringComparison.Ordinal);
            Assert.Equal(manager.GetStatus()[0].LastError, degraded.Data["www.lastError"]);
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(store, recursive: true);
        }
    }
}
