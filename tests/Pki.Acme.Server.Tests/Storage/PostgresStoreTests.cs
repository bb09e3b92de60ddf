using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Pki.Acme.Server.Storage;

namespace Pki.Acme.Server.Tests.Storage;

/// <summary>What only the PostgreSQL store has: registration, account races across instances, connection-string hygiene.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(PostgresFixture postgres)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Registering_postgres_replaces_the_sqlite_store_in_either_order()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        foreach (var postgresFirst in new[] { true, false })
        {
            var services = new ServiceCollection().AddLogging();
            if (postgresFirst)
            {
                services.AddAcmeServerPostgres(connectionString).AddAcmeServer();
            }
            else
            {
                services.AddAcmeServer().AddAcmeServerPostgres(connectionString);
            }

            await using var provider = services.BuildServiceProvider();
            Assert.IsType<PostgresAcmeServerStore>(provider.GetRequiredService<IAcmeServerStore>());
            Assert.Same(provider.GetRequiredService<IAcmeServerStore>(), provider.GetRequiredService<IAcmeRevocationSource>());
        }

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var withSource = new ServiceCollection().AddLogging().AddAcmeServer().AddAcmeServerPostgres(dataSource);
        await using (var provider = withSource.BuildServiceProvider())
        {
            var store = provider.GetRequiredService<IAcmeServerStore>();
            await store.InitializeAsync(default);
            await store.AddNonceAsync("n", Now.AddMinutes(1), default);
        }

        // The provider did not dispose the caller's data source.
        await using var connection = await dataSource.OpenConnectionAsync();
    }

    [Fact]
    public void A_malformed_connection_string_is_refused_without_repeating_it()
    {
        var services = new ServiceCollection();
        var ex = Assert.Throws<ArgumentException>(() => services.AddAcmeServerPostgres("Host=db;Password=hunter2;Bogus Keyword=1"));
        Assert.Contains("malformed", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => services.AddAcmeServerPostgres(" "));
    }

    [Fact]
    public async Task Two_instances_racing_for_one_key_or_one_eab_binding_create_one_account()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var a = new PostgresAcmeServerStore(database);
        await using var b = new PostgresAcmeServerStore(database);
        await Task.WhenAll(a.InitializeAsync(default), b.InitializeAsync(default));
        AccountRecord Account(string id, string thumbprint, string? eab) => new(id, thumbprint, "{}", "valid", [], Now, eab);

        var sameKey = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? a : b).CreateAccountAsync(Account("k" + i, "same", null), default)));
        Assert.Single(sameKey, r => r == AccountCreateResult.Created);
        Assert.All(sameKey.Where(r => r != AccountCreateResult.Created), r => Assert.Equal(AccountCreateResult.KeyExists, r));

        var sameEab = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? a : b).CreateAccountAsync(Account("e" + i, "t" + i, "kid"), default)));
        Assert.Single(sameEab, r => r == AccountCreateResult.Created);
        Assert.All(sameEab.Where(r => r != AccountCreateResult.Created), r => Assert.Equal(AccountCreateResult.ExternalKeyAlreadyBound, r));
    }

    [Fact]
    public async Task A_command_that_outlives_its_timeout_fails_with_the_typed_exception()
    {
        // Another session holds the schema lock, so start-up waits on it until Command Timeout (1 s) ends the wait.
        var database = await postgres.CreateDatabaseAsync();
        await using var holder = new NpgsqlConnection(database);
        await holder.OpenAsync();
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(4702687396050916946)", holder))
        {
            await lockCommand.ExecuteNonQueryAsync();
        }

        await using var store = new PostgresAcmeServerStore(new NpgsqlConnectionStringBuilder(database) { CommandTimeout = 1 }.ConnectionString);
        var ex = await Assert.ThrowsAsync<AcmeServerStoreException>(() => store.InitializeAsync(default));
        Assert.True(ex.IsTransient);
        await holder.CloseAsync();
        await store.InitializeAsync(default);
    }

    [Fact]
    public async Task An_unreachable_database_fails_start_up_with_the_typed_exception_and_no_password()
    {
        var builder = new NpgsqlConnectionStringBuilder(postgres.Server.ConnectionString) { Port = Pki.TestSupport.FreePorts.Tcp(), Password = "hunter2", Timeout = 5 };
        var builderApp = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builderApp.Logging.ClearProviders();
        builderApp.Services.AddSingleton<IAcmeCertificateIssuerBackend>(new Protocol.TestIssuer());
        builderApp.Services.AddAcmeServer(o => o.Validation.EnforceCaa = false).AddAcmeServerPostgres(builder.ConnectionString);
        await using var app = builderApp.Build();
        var ex = await Assert.ThrowsAsync<AcmeServerStoreException>(() => app.StartAsync());
        Assert.True(ex.IsTransient);
        Assert.Contains($"127.0.0.1:{builder.Port}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unavailable", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ex.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>The database dies under a running store and comes back.</summary>
[Collection(PostgresFaultCollection.Name)]
public sealed class PostgresFaultTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_request_during_an_outage_fails_typed_and_after_restart_nothing_committed_is_lost()
    {
        // The instance below deletes nonces expired by the real clock, so this test's times follow it.
        var now = TimeProvider.System.GetUtcNow();

        // Pooling on: connections to the killed server must be dropped, not handed out again after the restart.
        var connectionString = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync()) { Pooling = true, Password = "hunter2", Timeout = 5 }.ConnectionString;
        await using var store = new PostgresAcmeServerStore(connectionString);
        await store.InitializeAsync(default);
        Assert.Equal(AccountCreateResult.Created, await store.CreateAccountAsync(new AccountRecord("a1", "t1", "{}", "valid", [], now, null), default));
        await store.AddNonceAsync("kept", now.AddHours(1), default);

        // The HTTP side: an instance on the same database answers serverInternal during the outage.
        await using var instance = await PostgresInstance.StartAsync(connectionString);
        using var lb = new LoadBalancer(_ => instance);
        var client = lb.CreateClient();
        using var accountKey = AcmeKey.Create();
        var account = await client.CreateAccountAsync(accountKey, new AcmeNewAccountRequest());

        await postgres.Server.KillAsync();
        var ex = await Assert.ThrowsAsync<AcmeServerStoreException>(() => store.AddNonceAsync("lost", now.AddHours(1), default));
        Assert.True(ex.IsTransient);
        Assert.Contains("unavailable", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ex.ToString(), StringComparison.Ordinal);
        await Assert.ThrowsAsync<AcmeServerStoreException>(() => store.GetAccountAsync("a1", default));
        var refused = await Assert.ThrowsAnyAsync<AcmeException>(() => client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("outage.example.com")] }));
        Assert.DoesNotContain("hunter2", refused.ToString(), StringComparison.Ordinal);

        await postgres.Server.RestartAsync();
        Assert.Equal("t1", (await store.GetAccountAsync("a1", default))!.Thumbprint);
        Assert.True(await store.ConsumeNonceAsync("kept", now, default));
        Assert.False(await store.ConsumeNonceAsync("lost", now, default));
        var order = await client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("outage.example.com")] });
        Assert.Equal("pending", order.Resource.Status);
        Assert.Equal("valid", (await client.FindAccountAsync(accountKey)).Resource.Status);
    }
}
