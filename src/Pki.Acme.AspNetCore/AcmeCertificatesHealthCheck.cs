using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pki.Acme.Management;

namespace Pki.Acme.AspNetCore;

/// <summary>
/// Reports the certificates this instance serves, whoever issued them (this instance, or another
/// instance of the farm whose certificate was picked up from the shared store):
/// <see cref="HealthStatus.Healthy"/> when every one exists and has not expired;
/// <see cref="HealthStatus.Degraded"/> when one is still valid but its renewal is overdue and the
/// last attempt failed; <see cref="HealthStatus.Unhealthy"/> when one is missing or expired. A failed
/// attempt alone (for example a forced renewal, or one made before another instance's certificate
/// was picked up) does not degrade a valid certificate whose renewal is not yet due. The data holds,
/// per certificate, its expiry, next renewal time, issuer, and the last error with its time.
/// </summary>
public sealed class AcmeCertificatesHealthCheck : IHealthCheck
{
    private readonly CertificateManager _manager;
    private readonly TimeProvider _time;

    /// <summary>Creates the check over the manager whose certificates it reports; <c>AddHealthChecks().AddAcmeCertificates()</c> does this for you.</summary>
    public AcmeCertificatesHealthCheck(CertificateManager manager, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _manager = manager;
        _time = timeProvider;
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Evaluate(_manager.GetStatus(), _time.GetUtcNow()));

    /// <summary>The verdict on <paramref name="certificates"/> at <paramref name="now"/>.</summary>
    internal static HealthCheckResult Evaluate(IEnumerable<ManagedCertificateStatus> certificates, DateTimeOffset now)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var status = HealthStatus.Healthy;
        var problems = new List<string>();
        foreach (var certificate in certificates)
        {
            data[certificate.Name + ".notAfter"] = Format(certificate.NotAfter) ?? "none";
            data[certificate.Name + ".renewAt"] = Format(certificate.RenewAt) ?? "unknown";
            data[certificate.Name + ".issuer"] = certificate.Issuer ?? "none";
            if (certificate.LastError is not null)
            {
                data[certificate.Name + ".lastError"] = certificate.LastError;
                data[certificate.Name + ".lastErrorAt"] = Format(certificate.LastErrorAt) ?? "unknown";
            }

            if (certificate.NotAfter is not { } notAfter)
            {
                status = HealthStatus.Unhealthy;
                problems.Add($"{certificate.Name}: no certificate yet");
            }
            else if (notAfter <= now)
            {
                status = HealthStatus.Unhealthy;
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{certificate.Name}: expired at {notAfter:u}"));
            }
            else if (certificate.RenewAt is { } renewAt && renewAt <= now && certificate.LastError is not null)
            {
                status = status == HealthStatus.Unhealthy ? status : HealthStatus.Degraded;
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{certificate.Name}: renewal overdue since {renewAt:u}, valid until {notAfter:u}; last attempt failed: {certificate.LastError}"));
            }
        }

        var description = problems.Count == 0 ? "Every managed certificate is valid." : string.Join("; ", problems);
        return new HealthCheckResult(status, description, data: data);
    }

    private static string? Format(DateTimeOffset? value) => value?.ToString("O", CultureInfo.InvariantCulture);
}
