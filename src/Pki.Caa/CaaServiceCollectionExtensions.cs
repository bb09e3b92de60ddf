using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pki.Caa;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Dependency-injection registration of Pki.Caa: <see cref="AddCaaEvaluator"/>.</summary>
public static class CaaServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ICaaEvaluator"/> (a singleton <see cref="CaaEvaluator"/>) and, unless an
    /// <see cref="ICaaResolver"/> is registered already, <see cref="DnsCaaResolver"/>. Options are
    /// validated at start-up. Calling it again only adds the configuration.
    /// </summary>
    /// <param name="services">The collection to register in; returned for chaining.</param>
    /// <param name="configureEvaluator">Alias and cache settings (<see cref="CaaEvaluatorOptions"/>); null keeps the defaults.</param>
    /// <param name="configureDns">Name servers, timeouts and transport of the DNS resolver (<see cref="DnsCaaResolverOptions"/>); null keeps the defaults (the system's resolvers, 5-second timeout, 2 retries, TCP fallback).</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
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
