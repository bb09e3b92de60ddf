using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pki.Acme.Management;
using Pki.Acme.Redis;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Redis certificate store.</summary>
public static class RedisStoreServiceCollectionExtensions
{
    /// <summary>
    /// Makes <see cref="RedisCertificateStore"/> the <see cref="ICertificateStore"/> (replacing the
    /// filesystem default), over the registered <see cref="IConnectionMultiplexer"/> or, when none is,
    /// one connected with <see cref="RedisCertificateStoreOptions.Configuration"/>. Options are
    /// validated at start-up.
    /// </summary>
    public static IServiceCollection AddAcmeRedisStore(this IServiceCollection services, Action<RedisCertificateStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RedisCertificateStoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisCertificateStoreOptions>, RedisCertificateStoreOptionsValidator>());
        services.TryAddSingleton<IConnectionMultiplexer>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RedisCertificateStoreOptions>>().Value;
            if (string.IsNullOrWhiteSpace(options.Configuration))
            {
                throw new AcmeManagementConfigurationException("Set RedisCertificateStoreOptions.Configuration (e.g. \"localhost:6379\") or register an IConnectionMultiplexer.");
            }

            return ConnectionMultiplexer.Connect(options.Configuration!);
        });
        services.RemoveAll<ICertificateStore>();
        services.AddSingleton<ICertificateStore>(sp => new RedisCertificateStore(sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<IOptions<RedisCertificateStoreOptions>>()));
        return services;
    }
}

/// <summary>Validates <see cref="RedisCertificateStoreOptions"/> at start-up.</summary>
internal sealed class RedisCertificateStoreOptionsValidator : IValidateOptions<RedisCertificateStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisCertificateStoreOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (AcmeManagementConfigurationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
