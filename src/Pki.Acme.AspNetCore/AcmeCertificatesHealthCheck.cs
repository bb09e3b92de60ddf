using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pki.Acme.Management;

namespace Pki.Acme.AspNetCore;

/// <summary>
/// Reports the managed certificates: <see cref="HealthStatus.Healthy"/> when every one exists, has not
/// expired and its last attempt succeeded; <see cref="HealthStatus.Degraded"/> when a renewal failed
/// but the certificate is still valid; <see cref="HealthStatus.Unhealthy"/> when one is missing or
/// expired. The data holds, per certificate, its expiry, next renewal time, issuer and last error.
/// </summary>
public sealed class AcmeCertificatesHealthCheck : IHealthCheck
{
    private readonly CertificateManager _manager;
    private readonly TimeProvider _time;

    /// <summary>Creates the check.</summary>
    public AcmeCertificatesHealthCheck(CertificateManager manager, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _manager = manager;
        _time = timeProvider;
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var status = HealthStatus.Healthy;
        var problems = new List<string>();
        foreach (var certificate in _manager.GetStatus())
        {
            data[certificate.Name + ".notAfter"] = certificate.NotAfter?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "none";
            data[certificate.Name + ".renewAt"] = certificate.RenewAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "unknown";
            data[certificate.Name + ".issuer"] = certificate.Issuer ?? "none";
            if (certificate.LastError is not null)
            {
                data[certificate.Name + ".lastError"] = certificate.LastError;
            }

            if (certificate.NotAfter is null || certificate.NotAfter <= now)
            {
                status = HealthStatus.Unhealthy;
                problems.Add(certificate.NotAfter is null ? $"{certificate.Name}: no certificate yet" : $"{certificate.Name}: expired at {certificate.NotAfter:u}");
            }
            else if (certificate.LastError is not null)
            {
                status = status == HealthStatus.Unhealthy ? status : HealthStatus.Degraded;
                problems.Add($"{certificate.Name}: last attempt failed: {certificate.LastError}");
            }
        }

        var description = problems.Count == 0 ? "Every managed certificate is valid." : string.Join("; ", problems);
        return Task.FromResult(new HealthCheckResult(status, description, data: data));
    }
}
