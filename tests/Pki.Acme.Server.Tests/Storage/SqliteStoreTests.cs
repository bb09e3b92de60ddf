using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Acme.Server.Storage;
using Pki.Acme.Server.Tests.Protocol;

namespace Pki.Acme.Server.Tests.Storage;

public sealed class SqliteStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static async Task<SqliteAcmeServerStore> OpenAsync(TempDirectory dir)
    {
        var store = new SqliteAcmeServerStore(dir.Database);
        await store.InitializeAsync(default);
        return store;
    }

    [Fact]
    public async Task Database_file_is_private()
    {
        using var dir = new TempDirectory();
        await OpenAsync(dir);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.Database));
        }
    }

    [Fact]
    public void Nonces_are_held_in_a_bounded_table_that_forgets_the_oldest()
    {
        // The SQLite store keeps nonces in process memory (not one commit each); past its capacity the oldest are
        // forgotten, so a flood of newNonce requests costs bounded memory and only makes clients retry.
        var table = new NonceTable(capacity: 3);
        var expires = Now.AddMinutes(1).ToUnixTimeMilliseconds();
        foreach (var nonce in new[] { "a", "b", "c", "d" })
        {
            table.Add(nonce, expires);
        }

        Assert.Equal(3, table.Count);
        var now = Now.ToUnixTimeMilliseconds();
        Assert.False(table.Consume("a", now));
        Assert.True(table.Consume("b", now));
        Assert.False(table.Consume("b", now));
        Assert.Throws<InvalidOperationException>(() => table.Add("c", expires));
    }

    [Fact]
    public void Expired_nonces_are_refused_and_dropped_even_out_of_order()
    {
        var table = new NonceTable(capacity: 100);
        var now = Now.ToUnixTimeMilliseconds();
        table.Add("long", now + 3_600_000);
        table.Add("short", now + 60_000);
        table.Add("old", now + 1_000);
        Assert.False(table.Consume("short", now + 120_000));
        Assert.False(table.Consume("old", now + 120_000));
        Assert.Equal(1, table.Count);
        Assert.True(table.Consume("long", now + 120_000));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public async Task Store_objects_on_one_file_share_nonces_and_a_restart_forgets_them()
    {
        using var dir = new TempDirectory();
        var a = await OpenAsync(dir);
        var b = await OpenAsync(dir);
        await a.AddNonceAsync("shared", Now.AddMinutes(1), default);
        Assert.True(await b.ConsumeNonceAsync("shared", Now, default));
        Assert.False(await a.ConsumeNonceAsync("shared", Now, default));

        // Another file is another table.
        using var other = new TempDirectory();
        var c = await OpenAsync(other);
        await a.AddNonceAsync("mine", Now.AddMinutes(1), default);
        Assert.False(await c.ConsumeNonceAsync("mine", Now, default));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Theory]
    [InlineData(true, 2L)]
    [InlineData(false, 1L)]
    public async Task Every_connection_syncs_as_the_option_says(bool syncEveryCommit, long synchronous)
    {
        // PRAGMA synchronous: 2 = FULL (every commit synced), 1 = NORMAL; journal_mode stays WAL either way.
        using var dir = new TempDirectory();
        var store = new SqliteAcmeServerStore(dir.Database, syncEveryCommit);
        await store.InitializeAsync(default);
        await store.AddNonceAsync("n", Now.AddMinutes(1), default);

        Assert.Equal(synchronous, await store.ReadPragmaAsync("synchronous", default));
        Assert.True(await store.ConsumeNonceAsync("n", Now, default));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Options_are_validated_at_start_and_the_ca_is_required()
    {
        using var dir = new TempDirectory();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.Services.AddAcmeServer(o =>
        {
            o.DatabasePath = dir.Database;
            o.ExternalAccountRequired = true;
            o.MaxRequestBytes = 10;
            o.ChallengeResponseWait = TimeSpan.FromMinutes(1);
        });
        await using (var app = builder.Build())
        {
            // Mapping needs the options (the CA's URLs), so bad options fail there already, all in one message.
            var invalid = Assert.Throws<OptionsValidationException>(() => app.MapAcmeServer());
            Assert.Contains("ExternalAccountKeys is empty", invalid.Message, StringComparison.Ordinal);
            Assert.Contains("MaxRequestBytes", invalid.Message, StringComparison.Ordinal);
            Assert.Contains("ChallengeResponseWait 00:01:00 must be between zero and 30 seconds", invalid.Message, StringComparison.Ordinal);
        }

        // The embedded CA is the default issuer; without a base URL it cannot name its intermediate and CRL.
        var valid = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        valid.Logging.ClearProviders();
        valid.Services.AddAcmeServer(o => o.DatabasePath = dir.Database);
        await using (var app = valid.Build())
        {
            var missing = Assert.Throws<AcmeCaConfigurationException>(() => app.MapAcmeServer());
            Assert.Equal("AcmeServerOptions.BaseUrl is required by the embedded CA: its certificates carry the URLs of its intermediate and CRL (e.g. https://acme.example.com).", missing.Message);
        }
    }

    [Fact]
    public async Task A_database_from_before_processing_times_gets_the_column()
    {
        using var dir = new TempDirectory();
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + dir.Database))
        {
            old.Open();
            using var create = old.CreateCommand();
            create.CommandText = "CREATE TABLE orders (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, status TEXT NOT NULL, expires BIGINT NOT NULL, " +
                "identifiers TEXT NOT NULL, authz_ids TEXT NOT NULL, profile TEXT NOT NULL, replaces TEXT, error TEXT, certificate_id TEXT); " +
                "INSERT INTO orders VALUES ('o1', 'a1', 'processing', 0, '[]', '[]', 'classic', NULL, NULL, NULL);";
            create.ExecuteNonQuery();
        }

        var stores = new[] { new SqliteAcmeServerStore(dir.Database), new SqliteAcmeServerStore(dir.Database) };
        await Task.WhenAll(stores.Select(s => s.InitializeAsync(default)));

        // A processing order without a time counts as old: it was left by the previous version.
        Assert.Equal(1, await stores[0].FailInterruptedOrdersAsync(new AcmeProblem { Type = AcmeProblemTypes.ServerInternal }, TimeSpan.FromMinutes(10), default));
        Assert.Equal("invalid", (await stores[1].GetOrderAsync("o1", default))!.Status);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task An_order_left_processing_by_a_stopped_server_is_failed_at_the_next_start()
    {
        using var dir = new TempDirectory();
        using var accountKey = AcmeKey.Create();
        Uri orderUrl;
        await using (var first = await TestServer.StartAsync(dir.Database))
        {
            var client = first.CreateClient();
            var account = await client.CreateAccountAsync(accountKey, new AcmeNewAccountRequest());
            var order = await client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("stopped.example.com")] });
            orderUrl = order.Location;

            // As if the server had stopped between taking the finalize and storing the certificate, 20 minutes ago.
            var stored = (await first.Store.GetOrderAsync(orderUrl.Segments[^1], default))!;
            Assert.True(await first.Store.TransitionOrderAsync("pending", stored with { Status = "processing" }, default));
        }

        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + dir.Database))
        {
            connection.Open();
            using var age = connection.CreateCommand();
            age.CommandText = "UPDATE orders SET processing_at = processing_at - 20 * 60 * 1000 WHERE status = 'processing'";
            Assert.Equal(1, age.ExecuteNonQuery());
        }

        await using var second = await TestServer.StartAsync(dir.Database);
        var again = second.CreateClient();
        var found = await again.FindAccountAsync(accountKey);
        orderUrl = new Uri(second.Root, orderUrl.AbsolutePath); // the second server listens on another port
        AcmeOrder seen = await again.GetOrderAsync(found, orderUrl);
        for (var i = 0; i < 100 && seen.Resource.Status == "processing"; i++)
        {
            await Task.Delay(50);
            seen = await again.GetOrderAsync(found, orderUrl);
        }

        Assert.Equal("invalid", seen.Resource.Status);
        Assert.Equal(AcmeProblemTypes.ServerInternal, seen.Resource.Error!.Type);
        Assert.Contains("place a new order", seen.Resource.Error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_requeues_processing_challenges_and_keeps_state()
    {
        using var dir = new TempDirectory();
        using var accountKey = AcmeKey.Create();
        string challengeId, authzId;
        using (var issuer = new TestIssuer())
        {
            var held = new TestValidator("http-01") { Gate = new TaskCompletionSource() };
            await using (var first = await TestServer.StartAsync(dir.Database, issuer: issuer, http01: held))
            {
                var client = first.CreateClient();
                var account = await client.CreateAccountAsync(accountKey, new AcmeNewAccountRequest());
                var order = await client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("restart.example.com")] });
                var authz = await client.GetAuthorizationAsync(account, order.Resource.Authorizations[0]);
                var challenge = await client.RespondToChallengeAsync(account, authz.Resource.Challenges.Single(c => c.Type == "http-01"));
                Assert.Equal("processing", challenge.Status);
                challengeId = challenge.Url!.Segments[^1];
                authzId = order.Resource.Authorizations[0].Segments[^1];
            }

            // The first instance stopped mid-validation; the second picks the challenge up from the store.
            await using var second = await TestServer.StartAsync(dir.Database, issuer: issuer);
            for (var i = 0; i < 200 && (await second.Store.GetChallengeAsync(challengeId, default))!.Status == "processing"; i++)
            {
                await Task.Delay(50);
            }

            // The challenge and its authorization move in one transaction.
            Assert.Equal("valid", (await second.Store.GetChallengeAsync(challengeId, default))!.Status);
            Assert.Equal("valid", (await second.Store.GetAuthorizationAsync(authzId, default))!.Status);

            // The account survived the restart.
            var again = await second.CreateClient().FindAccountAsync(accountKey);
            Assert.Equal("valid", again.Resource.Status);
        }
    }
}
