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
    /// and the tls-alpn-01 solver (<see cref="TlsAlpn01ChallengeSolver"/>) served by
    /// <c>ListenOptions.UseAcmeCertificates()</c> through a <see cref="TlsAlpn01CertificateCache"/>
    /// (http-01 is tried first when the CA offers both). Both publish their challenges through the
    /// <see cref="ICertificateStore"/> (<see cref="StoreHttp01TokenStore"/> as <see cref="IHttp01TokenStore"/>,
    /// <see cref="StoreTlsAlpn01ChallengeStore"/> as <see cref="ITlsAlpn01ChallengeStore"/>), so in a web farm
    /// whichever instance the CA reaches answers, and only the instance that holds the lease orders.
    /// Calling it again is harmless; register your own stores first to replace them.
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
        services.TryAddSingleton<ITlsAlpn01ChallengeStore>(sp => sp.GetRequiredService<StoreTlsAlpn01ChallengeStore>());
        services.TryAddSingleton(sp => new TlsAlpn01ChallengeSolver(sp.GetRequiredService<ITlsAlpn01ChallengeStore>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChallengeSolver, TlsAlpn01ChallengeSolver>(sp => sp.GetRequiredService<TlsAlpn01ChallengeSolver>()));
        services.TryAddSingleton(sp => new TlsAlpn01CertificateCache(sp.GetRequiredService<ITlsAlpn01ChallengeStore>(), sp.GetService<TimeProvider>()));
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
