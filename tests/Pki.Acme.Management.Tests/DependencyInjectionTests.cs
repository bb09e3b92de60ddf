using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Pki.Acme.Management.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task A_console_app_gets_the_manager_pool_store_solver_and_hosted_service()
    {
        using var dir = new TempDirectory();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAcmeCertificateManager(o =>
        {
            o.Issuers.Add(new AcmeIssuerOptions { Name = "a", DirectoryUri = new Uri("https://a.example/dir") });
            o.Issuers.Add(new AcmeIssuerOptions { Name = "b", DirectoryUri = new Uri("https://b.example/dir") });
            o.Manager.Certificates.Add(new ManagedCertificateOptions { Name = "www", Identifiers = { "www.example.test" } });
            o.StorePath = dir.Path;
        });
        services.AddAcmeCertificateManager(o => { }); // harmless twice
        await using var provider = services.BuildServiceProvider();

        var manager = provider.GetRequiredService<CertificateManager>();
        Assert.Equal(["a", "b"], manager.Pool.Issuers.Select(i => i.Name));
        Assert.All(manager.Pool.Issuers, i => Assert.NotNull(i.Planner));
        Assert.IsType<FileSystemCertificateStore>(provider.GetRequiredService<ICertificateStore>());
        Assert.IsType<Http01ChallengeSolver>(Assert.Single(provider.GetServices<IChallengeSolver>()));
        Assert.IsType<CertificateManagerHostedService>(Assert.Single(provider.GetServices<IHostedService>()));
    }

    [Fact]
    public async Task Invalid_options_fail_with_the_reason_and_a_missing_store_path_is_explained()
    {
        var services = new ServiceCollection();
        services.AddAcmeCertificateManager(o => o.Issuers.Add(new AcmeIssuerOptions { Name = "a", DirectoryUri = new Uri("http://a.example/dir") }));
        await using var provider = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AcmeCertificatesOptions>>().Value);
        Assert.Equal("Issuer 'a': DirectoryUri 'http://a.example/dir' must use https.", ex.Message);

        var noStore = new ServiceCollection();
        noStore.AddAcmeCertificateManager(o =>
        {
            o.Issuers.Add(new AcmeIssuerOptions { Name = "a", DirectoryUri = new Uri("https://a.example/dir") });
            o.Manager.Certificates.Add(new ManagedCertificateOptions { Name = "www", Identifiers = { "www.example.test" } });
        });
        await using var noStoreProvider = noStore.BuildServiceProvider();
        var store = Assert.Throws<AcmeManagementConfigurationException>(() => noStoreProvider.GetRequiredService<ICertificateStore>());
        Assert.Equal("Set AcmeCertificatesOptions.StorePath (a directory for the filesystem store) or register an ICertificateStore (e.g. AddAcmeRedisStore).", store.Message);
    }
}
