using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Acme;
using Pki.Acme.AspNetCore;
using Pki.Acme.Management;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers automatic HTTPS for ASP.NET Core.</summary>
public static class AcmeCertificatesServiceCollectionExtensions
{
    /// <summary>
    /// Automatic HTTPS in one call: the CA and domains come from <paramref name="configure"/> (e.g.
    /// <c>o =&gt; o.UseLetsEncrypt("admin@example.com", agreeToTermsOfService: true).AddDomain("example.com")</c>,
    /// see <see cref="AcmeCertificatesOptionsExtensions"/>) and from the <c>Acme</c> configuration
    /// section (<c>Contact</c>, <c>AgreeToTermsOfService</c>, <c>Domains</c>, <c>Directory</c>,
    /// <c>StorePath</c>; read first, so code adds to it). It then:
    /// <list type="bullet">
    /// <item>registers the certificate manager as a hosted service (see
    /// <see cref="ManagementServiceCollectionExtensions.AddAcmeCertificateManager"/>), which issues at
    /// start-up and renews in the background, with its store in <see cref="AcmeCertificatesOptions.StorePath"/>,
    /// by default <c>{LocalApplicationData}/{ApplicationName}/acme</c> (created owner-only);</item>
    /// <item>sets Kestrel's HTTPS defaults (<c>ConfigureHttpsDefaults</c>, and <c>ConfigureEndpointDefaults</c>
    /// for the ClientHello reader), so every HTTPS endpoint without a certificate of its own (from
    /// <c>urls</c>, <c>Kestrel:Endpoints</c> or <c>UseHttps()</c>) serves the managed certificate by
    /// SNI with its intermediates, swaps in renewals without a restart, and answers tls-alpn-01; an
    /// application that sets those defaults itself replaces them, and then uses
    /// <c>ListenOptions.UseAcmeCertificates()</c>;</item>
    /// <item>puts the http-01 middleware (<see cref="AcmeHttp01Middleware"/>) first in the pipeline
    /// through an <c>IStartupFilter</c>, so no <c>app.UseAcmeHttp01Challenges()</c> is needed;</item>
    /// <item>registers the http-01 solver and the tls-alpn-01 solver (<see cref="TlsAlpn01ChallengeSolver"/>)
    /// served through a <see cref="TlsAlpn01CertificateCache"/> (http-01 is tried first when the CA
    /// offers both). Both publish their challenges through the <see cref="ICertificateStore"/>
    /// (<see cref="StoreHttp01TokenStore"/> as <see cref="IHttp01TokenStore"/>,
    /// <see cref="StoreTlsAlpn01ChallengeStore"/> as <see cref="ITlsAlpn01ChallengeStore"/>), so in a web farm
    /// whichever instance the CA reaches answers, and only the instance that holds the lease orders.</item>
    /// </list>
    /// Start-up stops with an <see cref="AcmeManagementConfigurationException"/> naming what to fix
    /// when there is no domain, domains but no CA, no contact or one that is not an e-mail address,
    /// a name that cannot be in a certificate, or terms of service not agreed to (other bad options:
    /// the manager's <c>OptionsValidationException</c>).
    /// The ACME connections' <c>IHttpClientFactory</c> logs (about 150 Information lines per issuance,
    /// category <c>System.Net.Http.HttpClient.Pki.Acme.Management</c>) are logged from Warning up,
    /// unless the logging configuration names that category itself; the manager's and the client's own
    /// logs are unchanged.
    /// Calling it again is harmless (each call's <paramref name="configure"/> runs); register your own
    /// stores first to replace them.
    /// </summary>
    public static IServiceCollection AddAcmeCertificates(this IServiceCollection services, Action<AcmeCertificatesOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        // The configuration section first, so that the code's delegate adds to it.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<AcmeCertificatesOptions>, AcmeConfigurationSetup>());
        services.AddAcmeCertificateManager(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<AcmeCertificatesOptions>, AcmeDefaultsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<KestrelServerOptions>, AcmeKestrelSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, AcmeHttp01StartupFilter>());
        services.TryAddSingleton(sp => new StoreTlsAlpn01ChallengeStore(
            sp.GetRequiredService<ICertificateStore>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<StoreTlsAlpn01ChallengeStore>>()));
        services.TryAddSingleton<ITlsAlpn01ChallengeStore>(sp => sp.GetRequiredService<StoreTlsAlpn01ChallengeStore>());
        services.TryAddSingleton(sp => new TlsAlpn01ChallengeSolver(sp.GetRequiredService<ITlsAlpn01ChallengeStore>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChallengeSolver, TlsAlpn01ChallengeSolver>(sp => sp.GetRequiredService<TlsAlpn01ChallengeSolver>()));
        services.TryAddSingleton(sp => new TlsAlpn01CertificateCache(sp.GetRequiredService<ITlsAlpn01ChallengeStore>(), sp.GetService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<LoggerFilterOptions>, QuietAcmeHttpLogs>());
        return services;
    }

    /// <summary>The category prefix of the ACME connections' <c>IHttpClientFactory</c> logs.</summary>
    internal const string AcmeHttpLogCategory = "System.Net.Http.HttpClient.Pki.Acme.Management";

    /// <summary>
    /// Logs the ACME HTTP traffic from Warning up, unless a rule for that category already exists
    /// (runs after the logging configuration's own rules, so a configured level wins).
    /// </summary>
    private sealed class QuietAcmeHttpLogs : IConfigureOptions<LoggerFilterOptions>
    {
        public void Configure(LoggerFilterOptions options)
        {
            if (!options.Rules.Any(r => string.Equals(r.CategoryName, AcmeHttpLogCategory, StringComparison.Ordinal)))
            {
                options.AddFilter(AcmeHttpLogCategory, LogLevel.Warning);
            }
        }
    }

    /// <summary>
    /// Automatic HTTPS configured only from the <c>Acme</c> configuration section, e.g. in
    /// appsettings.json <c>"Acme": { "Contact": "admin@example.com", "AgreeToTermsOfService": true, "Domains": [ "example.com" ] }</c>
    /// (<c>Directory</c> chooses a CA other than Let's Encrypt, <c>StorePath</c> the store); otherwise
    /// the same as <see cref="AddAcmeCertificates(IServiceCollection, Action{AcmeCertificatesOptions})"/>.
    /// </summary>
    public static IServiceCollection AddAcmeCertificates(this IServiceCollection services) => services.AddAcmeCertificates(_ => { });

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
