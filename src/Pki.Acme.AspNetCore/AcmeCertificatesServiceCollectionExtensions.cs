using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
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
    /// (http-01 is tried first when the CA offers both). Both publish their challenges through the
    /// <see cref="ICertificateStore"/> (<see cref="StoreHttp01TokenStore"/>,
    /// <see cref="StoreTlsAlpn01ChallengeStore"/>), so in a web farm whichever instance the CA reaches
    /// answers, and only the instance that holds the lease orders. Calling it again is harmless.
    /// </summary>
    public static IServiceCollection AddAcmeCertificates(this IServiceCollection services, Action<AcmeCertificatesOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddAcmeCertificateManager(configure);
        services.TryAddSingleton(sp => new StoreTlsAlpn01ChallengeStore(
            sp.GetRequiredService<ICertificateStore>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<StoreTlsAlpn01ChallengeStore>>()));
        services.TryAddSingleton(sp => new AcmeTlsAlpn01ChallengeSolver(sp.GetRequiredService<StoreTlsAlpn01ChallengeStore>(), sp.GetService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChallengeSolver, AcmeTlsAlpn01ChallengeSolver>(sp => sp.GetRequiredService<AcmeTlsAlpn01ChallengeSolver>()));
        return services;
    }

    /// <summary>Adds <see cref="AcmeCertificatesHealthCheck"/> (the certificates served: expiry, next renewal, issuer and last error of each).</summary>
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
