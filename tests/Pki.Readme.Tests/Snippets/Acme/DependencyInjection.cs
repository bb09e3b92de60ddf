// README:begin src/Pki.Acme/README.md#5
using Microsoft.Extensions.DependencyInjection;
using Pki.Acme;
// README:end

namespace Pki.Readme.Tests.Snippets.Acme;

/// <summary>Pki.Acme's README, "Dependency injection".</summary>
public static class DependencyInjection
{
    public static IServiceCollection Run()
    {
        // README:begin src/Pki.Acme/README.md#5
        // dotnet add package Pki.Acme.Management
        var services = new ServiceCollection();
        services.AddAcmeClient(o => o.DirectoryUri = AcmeClientOptions.LetsEncryptProduction)
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler());  // proxies, pinning, ...
        // then inject AcmeClient (a typed client of IHttpClientFactory) or AcmeCertificateIssuer over it;
        // options are validated at start-up.
        // README:end
        return services;
    }
}
