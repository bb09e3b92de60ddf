using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pki.Acme;
using Pki.Acme.Management;
using Pki.Ari;
using Pki.Caa;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the certificate manager for any host (console, worker or web).</summary>
public static class ManagementServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="CertificateManager"/>, its <see cref="AcmeIssuerPool"/> (one
    /// <see cref="AcmeClient"/> per issuer over the <c>IHttpClientFactory</c> client
    /// <see cref="AcmeCertificatesOptions.HttpClientName"/>), a <see cref="FileSystemCertificateStore"/>
    /// at <see cref="AcmeCertificatesOptions.StorePath"/> unless an <see cref="ICertificateStore"/> is
    /// registered, a <see cref="StoreHttp01TokenStore"/> over that store (http-01 tokens shared by every
    /// instance, so whichever the CA reaches answers) with an http-01 solver, the CAA pre-check
    /// when an <see cref="ICaaEvaluator"/> is registered, and <see cref="CertificateManagerHostedService"/>.
    /// Options are validated at start-up. Calling it again is harmless.
    /// </summary>
    public static IServiceCollection AddAcmeCertificateManager(this IServiceCollection services, Action<AcmeCertificatesOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<AcmeCertificatesOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AcmeCertificatesOptions>, ThrowingOptionsValidator<AcmeCertificatesOptions, AcmeManagementConfigurationException>>(_ => new(o => o.Validate())));
        services.AddHttpClient();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IHttp01TokenStore>(sp => new StoreHttp01TokenStore(
            sp.GetRequiredService<ICertificateStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<StoreHttp01TokenStore>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChallengeSolver, Http01ChallengeSolver>(sp => new Http01ChallengeSolver(sp.GetRequiredService<IHttp01TokenStore>())));
        services.TryAddSingleton<ICertificateStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AcmeCertificatesOptions>>().Value;
            if (string.IsNullOrWhiteSpace(options.StorePath))
            {
                throw new AcmeManagementConfigurationException("Set AcmeCertificatesOptions.StorePath (a directory for the filesystem store) or register an ICertificateStore (e.g. AddAcmeRedisStore).");
            }

            return new FileSystemCertificateStore(options.StorePath!, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton(CreatePool);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AcmeCertificatesOptions>>().Value;
            return new CertificateManager(
                sp.GetRequiredService<AcmeIssuerPool>(),
                sp.GetRequiredService<ICertificateStore>(),
                sp.GetServices<IChallengeSolver>(),
                options.Manager,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetService<ILogger<CertificateManager>>(),
                sp.GetService<IMeterFactory>());
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CertificateManagerHostedService>());
        return services;
    }

    private static AcmeIssuerPool CreatePool(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<AcmeCertificatesOptions>>().Value;
        var factory = sp.GetRequiredService<IHttpClientFactory>();
        var time = sp.GetRequiredService<TimeProvider>();
        var loggers = sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var issuers = options.Issuers.Select(o =>
        {
            var http = factory.CreateClient(AcmeCertificatesOptions.HttpClientName(o.Name));
            var client = new AcmeClient(http, new AcmeClientOptions { DirectoryUri = o.DirectoryUri, AllowInsecureHttp = o.AllowInsecureHttp }, loggers.CreateLogger<AcmeClient>(), time);
            var planner = new RenewalPlanner(
                new RenewalInfoClient(http, null, loggers.CreateLogger<RenewalInfoClient>(), time),
                new RenewalPlannerOptions { FallbackRemainingLifetimeFraction = options.Manager.FallbackRemainingLifetimeFraction },
                time);
            return new AcmeIssuer(o, client, planner);
        });
        return new AcmeIssuerPool(issuers, sp.GetRequiredService<ICertificateStore>(), options.Pool, sp.GetService<ICaaEvaluator>(), time, null, sp.GetService<ILogger<AcmeIssuerPool>>(), sp.GetService<IMeterFactory>());
    }
}
