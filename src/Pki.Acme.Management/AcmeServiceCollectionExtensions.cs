using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pki.Acme;
using Pki.Acme.Management;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers <see cref="AcmeClient"/> and <see cref="AcmeCertificateIssuer"/> in a service collection.
/// It lives in Pki.Acme.Management so that Pki.Acme itself needs no <c>IHttpClientFactory</c>
/// (Microsoft.Extensions.Http brings the Logging and Diagnostics implementations with it).
/// </summary>
public static class AcmeServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="AcmeClient"/> as a typed client of <c>IHttpClientFactory</c>, with
    /// <see cref="AcmeClientOptions"/> validated at start-up, <see cref="TimeProvider.System"/>
    /// unless another is registered, an <see cref="InMemoryHttp01TokenStore"/> for http-01, and a
    /// transient <see cref="AcmeCertificateIssuer"/> over the client (the section 7.1 flow).
    /// Calling it again is harmless; configure the returned builder for proxies or pinning
    /// (for example <c>ConfigurePrimaryHttpMessageHandler</c>).
    /// </summary>
    public static IHttpClientBuilder AddAcmeClient(this IServiceCollection services, Action<AcmeClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<AcmeClientOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AcmeClientOptions>, ThrowingOptionsValidator<AcmeClientOptions, AcmeConfigurationException>>(_ => new(o => o.Validate())));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IHttp01TokenStore, InMemoryHttp01TokenStore>();
        services.TryAddTransient(sp => new AcmeCertificateIssuer(sp.GetRequiredService<AcmeClient>()));
        return services.AddHttpClient<AcmeClient>();
    }
}
