using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pki.Acme;
using Pki.Acme.AspNetCore;
using Pki.Acme.Management;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers automatic HTTPS for ASP.NET Core.</summary>
public static class AcmeCertificatesServiceCollectionExtensions
{
    /// <summary>
    /// Registers the certificate manager as a hosted service (see
    /// <see cref="ManagementServiceCollectionExtensions.AddAcmeCertificateManager"/>), the http-01
    /// solver served by <c>app.UseAcmeHttp01Challenges()</c>
    /// and the tls-alpn-01 solver served by <c>ListenOptions.UseAcmeCertificates()</c>
    /// (http-01 is tried first when the CA offers both). Calling it again is harmless.
    /// </summary>
    public static IServiceCollection AddAcmeCertificates(this IServiceCollection services, Action<AcmeCertificatesOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddAcmeCertificateManager(configure);
        services.TryAddSingleton(sp => new AcmeTlsAlpn01ChallengeSolver(sp.GetService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChallengeSolver, AcmeTlsAlpn01ChallengeSolver>(sp => sp.GetRequiredService<AcmeTlsAlpn01ChallengeSolver>()));
        return services;
    }

    /// <summary>Adds <see cref="AcmeCertificatesHealthCheck"/> (expiry, next renewal and last error of every managed certificate).</summary>
    public static IHealthChecksBuilder AddAcmeCertificates(this IHealthChecksBuilder builder, string name = "acme-certificates", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new AcmeCertificatesHealthCheck(sp.GetRequiredService<CertificateManager>(), sp.GetService<TimeProvider>() ?? TimeProvider.System),
            HealthStatus.Unhealthy,
            tags));
    }
}
