using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pki.Caa;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the CAA evaluator.</summary>
public static class CaaServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ICaaEvaluator"/> (a singleton <see cref="CaaEvaluator"/>) and, unless an
    /// <see cref="ICaaResolver"/> is registered already, <see cref="DnsCaaResolver"/>. Options are
    /// validated at start-up. Calling it again only adds the configuration.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configureEvaluator">Alias and cache settings.</param>
    /// <param name="configureDns">Name servers, timeouts and transport of the DNS resolver.</param>
    public static IServiceCollection AddCaaEvaluator(
        this IServiceCollection services,
        Action<CaaEvaluatorOptions>? configureEvaluator = null,
        Action<DnsCaaResolverOptions>? configureDns = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var evaluatorOptions = services.AddOptions<CaaEvaluatorOptions>();
        if (configureEvaluator is not null)
        {
            evaluatorOptions.Configure(configureEvaluator);
        }

        evaluatorOptions.ValidateOnStart();
        var dnsOptions = services.AddOptions<DnsCaaResolverOptions>();
        if (configureDns is not null)
        {
            dnsOptions.Configure(configureDns);
        }

        dnsOptions.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CaaEvaluatorOptions>, CaaEvaluatorOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DnsCaaResolverOptions>, DnsCaaResolverOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICaaResolver, DnsCaaResolver>();
        services.TryAddSingleton<ICaaEvaluator, CaaEvaluator>();
        return services;
    }
}
