using System.Net;
using System.Text;
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

    [Fact]
    public async Task The_acme_client_registration_validates_options_at_start_tolerates_repeated_calls_and_takes_a_handler()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAcmeClient(o => o.DirectoryUri = new Uri("http://insecure.example/dir"));
        services.AddAcmeClient(o => { });
        await using var provider = services.BuildServiceProvider();

        var validator = provider.GetRequiredService<IStartupValidator>();
        var ex = Assert.Throws<OptionsValidationException>(validator.Validate);
        Assert.Contains("must use https", ex.Message, StringComparison.Ordinal);

        using var handler = new DirectoryHandler();
        var good = new ServiceCollection();
        good.AddLogging();
        good.AddAcmeClient(o => o.DirectoryUri = DirectoryHandler.Directory).ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var goodProvider = good.BuildServiceProvider();
        goodProvider.GetRequiredService<IStartupValidator>().Validate();
        var client = goodProvider.GetRequiredService<AcmeClient>();
        var directory = await client.GetDirectoryAsync();
        Assert.Equal(new Uri("https://acme.test/order"), directory.NewOrder);
        Assert.Equal(1, handler.Requests);
        Assert.IsType<InMemoryHttp01TokenStore>(goodProvider.GetRequiredService<IHttp01TokenStore>());
        Assert.NotNull(goodProvider.GetRequiredService<AcmeCertificateIssuer>());
    }

    /// <summary>The primary handler configured through the returned builder: it answers the directory request only.</summary>
    private sealed class DirectoryHandler : HttpMessageHandler
    {
        public static readonly Uri Directory = new("https://acme.test/dir");

        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            Assert.Equal(Directory, request.RequestUri);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("""{"newNonce":"https://acme.test/nonce","newAccount":"https://acme.test/acct","newOrder":"https://acme.test/order","revokeCert":"https://acme.test/revoke","keyChange":"https://acme.test/key-change"}""", Encoding.UTF8, "application/json"),
            });
        }
    }
}
