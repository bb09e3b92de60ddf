using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pki.Acme.Management;
using Pki.TestSupport;

namespace Pki.Acme.AspNetCore.Tests;

public sealed class HealthCheckTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_valid_certificate_is_healthy_whoever_issued_it_even_after_a_failed_attempt_while_renewal_is_not_due()
    {
        // An instance whose own order failed, then picked up another instance's certificate from the store.
        var picked = new ManagedCertificateStatus("www", Now.AddDays(60), Now.AddDays(30), "ARI window", "pebble", "The http-01 challenge failed", Now.AddMinutes(-5));

        var result = AcmeCertificatesHealthCheck.Evaluate([picked], Now);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("Every managed certificate is valid.", result.Description);
        Assert.Equal("The http-01 challenge failed", result.Data["www.lastError"]);
        Assert.Equal("2025-06-01T11:55:00.0000000+00:00", result.Data["www.lastErrorAt"]);
        Assert.Equal("2025-07-31T12:00:00.0000000+00:00", result.Data["www.notAfter"]);
        Assert.Equal("2025-07-01T12:00:00.0000000+00:00", result.Data["www.renewAt"]);
        Assert.Equal("pebble", result.Data["www.issuer"]);
    }

    [Fact]
    public void A_valid_certificate_whose_renewal_is_overdue_is_healthy_until_an_attempt_fails_then_degraded()
    {
        var overdue = new ManagedCertificateStatus("www", Now.AddDays(5), Now.AddDays(-1), "ARI window", "pebble", null, null);
        Assert.Equal(HealthStatus.Healthy, AcmeCertificatesHealthCheck.Evaluate([overdue], Now).Status);

        var failing = overdue with { LastError = "No CA issued a certificate", LastErrorAt = Now.AddMinutes(-1) };
        var result = AcmeCertificatesHealthCheck.Evaluate([failing], Now);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal("www: renewal overdue since 2025-05-31 12:00:00Z, valid until 2025-06-06 12:00:00Z; last attempt failed: No CA issued a certificate", result.Description);

        // Due exactly now counts as overdue.
        Assert.Equal(HealthStatus.Degraded, AcmeCertificatesHealthCheck.Evaluate([failing with { RenewAt = Now }], Now).Status);
        Assert.Equal(HealthStatus.Healthy, AcmeCertificatesHealthCheck.Evaluate([failing with { RenewAt = null }], Now).Status);
    }

    [Fact]
    public void A_missing_or_expired_certificate_is_unhealthy_and_wins_over_degraded()
    {
        var missing = new ManagedCertificateStatus("api", null, null, null, null, "boom", Now);
        var expired = new ManagedCertificateStatus("www", Now, Now.AddDays(-20), null, "pebble", null, null);
        var degraded = new ManagedCertificateStatus("mail", Now.AddDays(1), Now.AddDays(-1), null, "pebble", "down", Now);

        var result = AcmeCertificatesHealthCheck.Evaluate([degraded, missing, expired], Now);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("mail: renewal overdue since 2025-05-31 12:00:00Z, valid until 2025-06-02 12:00:00Z; last attempt failed: down; api: no certificate yet; www: expired at 2025-06-01 12:00:00Z", result.Description);
        Assert.Equal("none", result.Data["api.notAfter"]);
        Assert.Equal("unknown", result.Data["api.renewAt"]);
        Assert.Equal("none", result.Data["api.issuer"]);
    }

    [Fact]
    public async Task Reports_the_served_certificate_through_issuance_a_failed_forced_renewal_an_overdue_failing_renewal_and_expiry()
    {
        await using var pebble = await PebbleServer.StartAsync(new PebbleOptions { CertificateValidityPeriodSeconds = 3600 });
        var store = KestrelHost.NewStorePath();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = KestrelHost.Build(pebble, store, KestrelHost.UniqueName("health"), pebble.HttpPort, FreePorts.Tcp(), services: s =>
        {
            s.RemoveAll<Microsoft.Extensions.Hosting.IHostedService>();

            // The manager runs on fake time; the web server and the CA on real time.
            s.RemoveAll<CertificateManager>().AddSingleton(sp => new CertificateManager(
                sp.GetRequiredService<AcmeIssuerPool>(),
                sp.GetRequiredService<ICertificateStore>(),
                sp.GetServices<IChallengeSolver>(),
                sp.GetRequiredService<IOptions<AcmeCertificatesOptions>>().Value.Manager,
                time));
        });
        await app.StartAsync();
        try
        {
            var manager = app.Services.GetRequiredService<CertificateManager>();
            var check = new AcmeCertificatesHealthCheck(manager, time);

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

            // The CA goes away; a forced renewal fails while the certificate is valid and not due: still Healthy, the error in the data.
            await pebble.DisposeAsync();
            await Assert.ThrowsAsync<AcmeIssuerPoolException>(() => manager.RenewNowAsync("www"));
            var forced = await check.CheckHealthAsync(new HealthCheckContext());
            Assert.Equal(HealthStatus.Healthy, forced.Status);
            Assert.StartsWith("No CA issued a certificate for", (string)forced.Data["www.lastError"], StringComparison.Ordinal);

            // Past the renewal time (two thirds of the hour), the renewal fails: Degraded, with the error.
            time.SetUtcNow(issued.NotAfter - TimeSpan.FromMinutes(5));
            await manager.RenewDueAsync();
            var degraded = await check.CheckHealthAsync(new HealthCheckContext());
            Assert.Equal(HealthStatus.Degraded, degraded.Status);
            Assert.StartsWith("www: renewal overdue since ", degraded.Description, StringComparison.Ordinal);
            Assert.Contains("; last attempt failed: No CA issued a certificate for", degraded.Description, StringComparison.Ordinal);
            Assert.Equal(manager.GetStatus()[0].LastError, degraded.Data["www.lastError"]);

            // Past notAfter: Unhealthy.
            time.SetUtcNow(issued.NotAfter);
            var expired = await check.CheckHealthAsync(new HealthCheckContext());
            Assert.Equal(HealthStatus.Unhealthy, expired.Status);
            Assert.Equal($"www: expired at {issued.NotAfter:u}", expired.Description);
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(store, recursive: true);
        }
    }
}
