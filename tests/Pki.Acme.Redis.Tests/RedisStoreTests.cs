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
    public async Task A_holder_that_lost_its_lease_can_neither_write_renew_nor_release_under_it()
    {
        var options = new RedisCertificateStoreOptions { KeyPrefix = "fenced-" + Guid.NewGuid().ToString("N")[..8] + ":" };
        var store = new RedisCertificateStore(fixture.Connection, options);
        var old = await store.TryAcquireLeaseAsync("certificate-fenced", "old", TimeSpan.FromSeconds(2), default);
        Assert.True(await old!.TryWriteAsync("certificates/fenced/current.json", Encoding.UTF8.GetBytes("old"), isSecret: true, default));

        // The old holder stalls past its expiry; another instance takes over and writes.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var current = await new RedisCertificateStore(fixture.Connection, options).TryAcquireLeaseAsync("certificate-fenced", "new", TimeSpan.FromMinutes(1), default);
        Assert.True(current!.Token > old.Token);
        Assert.True(await current.TryWriteAsync("certificates/fenced/current.json", Encoding.UTF8.GetBytes("new"), isSecret: true, default));

        Assert.False(await old.TryWriteAsync("certificates/fenced/current.json", Encoding.UTF8.GetBytes("late"), isSecret: true, default));
        Assert.False(await old.RenewAsync(TimeSpan.FromMinutes(1), default));
        await old.ReleaseAsync(default);

        Assert.Equal("new", Encoding.UTF8.GetString((await store.ReadAsync("certificates/fenced/current.json", default))!));
        Assert.Null(await store.TryAcquireLeaseAsync("certificate-fenced", "third", TimeSpan.FromMinutes(1), default));
        await current.ReleaseAsync(default);
        var next = await store.TryAcquireLeaseAsync("certificate-fenced", "fourth", TimeSpan.FromMinutes(1), default);
        Assert.Equal(current.Token + 1, next!.Token); // tokens keep counting after a release
    }

    [Fact]
    public async Task Expired_lease_takeover_has_exactly_one_winner_among_12_store_instances_over_300_rounds()
    {
        var connections = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ConnectionMultiplexer.ConnectAsync(fixture.Server.Configuration)));
        try
        {
            var stores = Enumerable.Range(0, 12).Select(i => new RedisCertificateStore(connections[i % 3], new RedisCertificateStoreOptions { KeyPrefix = "race:" })).ToArray();
            var crashed = new RedisCertificateStore(connections[0], new RedisCertificateStoreOptions { KeyPrefix = "race:" });
            var lastToken = 0L;
            for (var round = 0; round < 300; round++)
            {
                var abandoned = await crashed.TryAcquireLeaseAsync("certificate-race", "crashed", TimeSpan.FromMilliseconds(15), default);
                Assert.NotNull(abandoned);
                while (await connections[0].GetDatabase().KeyExistsAsync("race:lease:certificate-race"))
                {
                    await Task.Delay(5);
                }

                // Contenders ask for a long lease: with a short one, a contender scheduled late would
                // legitimately take over from a winner whose lease had already expired.
                var leases = await Task.WhenAll(stores.Select((store, i) => Task.Run(() => store.TryAcquireLeaseAsync("certificate-race", $"owner{i}", TimeSpan.FromMinutes(1), default))));

                var winner = Assert.Single(leases, l => l is not null);
                Assert.True(winner!.Token > abandoned!.Token && abandoned.Token > lastToken, $"round {round}: tokens {lastToken}, {abandoned.Token}, {winner.Token}");
                Assert.False(await abandoned.TryWriteAsync("race/owner", Encoding.UTF8.GetBytes("crashed"), isSecret: false, default));
                lastToken = winner.Token;
                await winner.ReleaseAsync(default);
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
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
