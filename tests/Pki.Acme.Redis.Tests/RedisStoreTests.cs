using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pki.Acme.Management;
using Pki.TestSupport;
using StackExchange.Redis;

namespace Pki.Acme.Redis.Tests;

[Collection(RedisCollection.Name)]
public sealed class RedisStoreTests(RedisFixture fixture)
{
    [Fact]
    public async Task Writes_reads_and_deletes_under_the_prefix()
    {
        var store = new RedisCertificateStore(fixture.Connection, new RedisCertificateStoreOptions { KeyPrefix = "app1:" });
        Assert.Null(await store.ReadAsync("certificates/www/current.json", default));

        await store.WriteAsync("certificates/www/current.json", Encoding.UTF8.GetBytes("chain"), isSecret: true, default);

        Assert.Equal("chain", Encoding.UTF8.GetString((await store.ReadAsync("certificates/www/current.json", default))!));
        Assert.Equal("chain", (string?)await fixture.Connection.GetDatabase().StringGetAsync("app1:data:certificates/www/current.json"));
        Assert.True(await store.DeleteAsync("certificates/www/current.json", default));
        Assert.False(await store.DeleteAsync("certificates/www/current.json", default));
    }

    [Fact]
    public async Task Rejects_keys_that_are_not_store_keys()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => fixture.NewStore().ReadAsync("../x", default));
        Assert.StartsWith("The store key '../x' is invalid", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_are_refused()
    {
        Assert.Equal(
            "RedisCertificateStoreOptions.KeyPrefix must not be empty: it keeps the store's keys apart from other data.",
            Assert.Throws<AcmeManagementConfigurationException>(() => new RedisCertificateStore(fixture.Connection, new RedisCertificateStoreOptions { KeyPrefix = string.Empty })).Message);
        Assert.Equal(
            "RedisCertificateStoreOptions.Database must be -1 (default) or a database number; it is -5.",
            Assert.Throws<AcmeManagementConfigurationException>(() => new RedisCertificateStore(fixture.Connection, new RedisCertificateStoreOptions { Database = -5 })).Message);
    }

    [Fact]
    public async Task A_lease_is_exclusive_only_its_holder_extends_or_releases_it()
    {
        var store = fixture.NewStore();
        var first = await store.TryAcquireLeaseAsync("certificate-www", "one", TimeSpan.FromMinutes(1), default);
        Assert.NotNull(first);
        Assert.Null(await store.TryAcquireLeaseAsync("certificate-www", "two", TimeSpan.FromMinutes(1), default));
        Assert.True(await first!.RenewAsync(TimeSpan.FromMinutes(1), default));

        await first.DisposeAsync();
        var second = await store.TryAcquireLeaseAsync("certificate-www", "two", TimeSpan.FromMinutes(1), default);
        Assert.Equal("two", second!.Owner);
        Assert.False(await first.RenewAsync(TimeSpan.FromMinutes(1), default));
        await first.ReleaseAsync(default); // not the holder: nothing happens
        Assert.Null(await store.TryAcquireLeaseAsync("certificate-www", "three", TimeSpan.FromMinutes(1), default));
    }

    [Fact]
    public async Task A_crashed_holders_lease_expires_in_Redis_and_is_taken_over()
    {
        var store = fixture.NewStore();
        Assert.NotNull(await store.TryAcquireLeaseAsync("certificate-www", "crashed", TimeSpan.FromMilliseconds(300), default));

        ICertificateStoreLease? taken = null;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (taken is null)
        {
            await Task.Delay(100, deadline.Token);
            taken = await store.TryAcquireLeaseAsync("certificate-www", "taker", TimeSpan.FromMinutes(1), default);
        }

        Assert.Equal("taker", taken.Owner);
    }

    [Fact]
    public async Task Concurrent_contenders_get_exactly_one_lease()
    {
        var store = fixture.NewStore();
        var leases = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => store.TryAcquireLeaseAsync("certificate-race", "owner" + i, TimeSpan.FromMinutes(1), default)));
        Assert.Single(leases, l => l is not null);
    }

    [Fact]
    public async Task DI_replaces_the_filesystem_store_and_validates_at_start()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAcmeCertificateManager(o => { });
        services.AddAcmeRedisStore(o => o.Configuration = fixture.Server.Configuration);
        await using var provider = services.BuildServiceProvider();
        Assert.IsType<RedisCertificateStore>(provider.GetRequiredService<ICertificateStore>());

        var bad = new ServiceCollection();
        bad.AddAcmeRedisStore(o => o.KeyPrefix = string.Empty);
        await using var badProvider = bad.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => badProvider.GetRequiredService<IOptions<RedisCertificateStoreOptions>>().Value);
        Assert.Equal("RedisCertificateStoreOptions.KeyPrefix must not be empty: it keeps the store's keys apart from other data.", ex.Message);
    }

    [Fact]
    public async Task Two_managers_on_one_Redis_store_place_exactly_one_order()
    {
        await using var pebble = await PebbleServer.StartAsync();
        var tokens = new InMemoryHttp01TokenStore();
        await using var responder = Http01Responder.Start(tokens, pebble.HttpPort);
        using var http = pebble.CreateHttpClient();
        var store = fixture.NewStore();
        var identifier = $"farm-{Guid.NewGuid():N}"[..17] + ".example.test";

        CertificateManager Instance()
        {
            var issuer = new AcmeIssuer(new AcmeIssuerOptions { Name = "pebble", DirectoryUri = pebble.DirectoryUri, TermsOfServiceAgreed = true }, new AcmeClient(http, new AcmeClientOptions { DirectoryUri = pebble.DirectoryUri }));
            var options = new CertificateManagerOptions { LeasePollInterval = TimeSpan.FromMilliseconds(100) };
            options.Certificates.Add(new ManagedCertificateOptions { Name = "farm", Identifiers = { identifier } });
            return new CertificateManager(new AcmeIssuerPool([issuer], store), store, [new Http01ChallengeSolver(tokens)], options);
        }

        var results = await Task.WhenAll(Instance().GetCertificateAsync("farm"), Instance().GetCertificateAsync("farm"), Instance().GetCertificateAsync("farm"));

        Assert.Single(results, r => r.Source == CertificateSource.Issued);
        Assert.All(results, r => Assert.Equal(results[0].Certificate.Thumbprint, r.Certificate.Thumbprint));
        Assert.NotNull(await store.ReadAsync("accounts/pebble.json", default));
        Assert.Null(await store.ReadAsync("certificates/farm/pending.json", default));
    }
}
