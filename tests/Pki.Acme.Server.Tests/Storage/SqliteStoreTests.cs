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

    private static AccountRecord Account(string id, string thumbprint, string? eab = null) =>
        new(id, thumbprint, "{}", "valid", ["mailto:a@example.com"], Now, eab);

    private static async Task<OrderRecord> OrderAsync(SqliteAcmeServerStore store, string id, string account = "a1")
    {
        var order = new OrderRecord(id, account, "pending", Now.AddDays(1), [AcmeIdentifier.Dns(id + ".example.com")], ["z-" + id], "classic", null, null, null);
        var authz = new AuthorizationRecord("z-" + id, account, id, order.Identifiers[0], false, "pending", Now.AddDays(1));
        Assert.True(await store.CreateOrderAsync(order, [authz], [new ChallengeRecord("c-" + id, authz.Id, "http-01", "tok", "pending", null, null)], null, default));
        return order;
    }

    private static async Task<CertificateRecord> CertificateAsync(SqliteAcmeServerStore store, string id, string serial)
    {
        var order = await OrderAsync(store, "o-" + id);
        Assert.True(await store.TransitionOrderAsync("pending", order with { Status = "processing" }, default));
        var certificate = new CertificateRecord(id, "a1", order.Id, serial, "aki." + serial, ["PEM"], Now, Now.AddDays(90), null, null, null, null, null);
        Assert.True(await store.AddCertificateAsync(certificate, order with { Status = "valid", CertificateId = id }, default));
        Assert.False(await store.AddCertificateAsync(certificate with { Id = id + "x", SerialNumber = "FF", AriCertId = "x" }, order with { Status = "valid" }, default));
        return certificate;
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
    public async Task Nonces_are_single_use_and_expire()
    {
        using var dir = new TempDirectory();
        var store = await OpenAsync(dir);
        await store.AddNonceAsync("n1", Now.AddMinutes(1), default);
        await store.AddNonceAsync("n2", Now.AddMinutes(1), default);
        Assert.True(await store.ConsumeNonceAsync("n1", Now, default));
        Assert.False(await store.ConsumeNonceAsync("n1", Now, default));
        Assert.False(await store.ConsumeNonceAsync("n2", Now.AddMinutes(2), default));
    }

    [Fact]
    public async Task Accounts_keys_and_eab_bindings_are_unique()
    {
        using var dir = new TempDirectory();
        var store = await OpenAsync(dir);
        Assert.Equal(AccountCreateResult.Created, await store.CreateAccountAsync(Account("a1", "t1", "kid"), default));
        Assert.Equal(AccountCreateResult.KeyExists, await store.CreateAccountAsync(Account("a2", "t1"), default));
        Assert.Equal(AccountCreateResult.ExternalKeyAlreadyBound, await store.CreateAccountAsync(Account("a3", "t3", "kid"), default));
        Assert.Equal(AccountCreateResult.Created, await store.CreateAccountAsync(Account("a4", "t4"), default));
        Assert.False(await store.ChangeAccountKeyAsync("a4", "t4", "t1", "{}", default));
        Assert.True(await store.ChangeAccountKeyAsync("a4", "t4", "t5", "{}", default));
        Assert.Equal("a4", (await store.FindAccountByThumbprintAsync("t5", default))!.Id);
        Assert.True(await store.UpdateAccountAsync("a4", [], "deactivated", default));
        Assert.False(await store.UpdateAccountAsync("a4", [], "valid", default));
    }

    [Fact]
    public async Task Transitions_are_conditional()
    {
        using var dir = new TempDirectory();
        var store = await OpenAsync(dir);
        await OrderAsync(store, "o1");
        Assert.True(await store.TransitionChallengeAsync("c-o1", "pending", "processing", null, null, default));
        Assert.False(await store.TransitionChallengeAsync("c-o1", "pending", "processing", null, null, default));
        Assert.Equal(["c-o1"], await store.ListProcessingChallengesAsync(default));
        var error = new AcmeProblem { Type = AcmeProblemTypes.Dns, Detail = "NXDOMAIN" };
        Assert.True(await store.TransitionChallengeAsync("c-o1", "processing", "invalid", null, error, default));
        Assert.Equal(error, (await store.GetChallengeAsync("c-o1", default))!.Error);
        Assert.Empty(await store.ListProcessingChallengesAsync(default));
    }

    [Fact]
    public async Task Replaces_revocations_and_renewal_windows()
    {
        using var dir = new TempDirectory();
        var store = await OpenAsync(dir);
        var c1 = await CertificateAsync(store, "c1", "0A01");
        await CertificateAsync(store, "c2", "0A02");
        await CertificateAsync(store, "c3", "0A03");

        var replacing = new OrderRecord("r1", "a1", "pending", Now.AddDays(1), [AcmeIdentifier.Dns("x.example.com")], [], "classic", c1.AriCertId, null, null);
        Assert.True(await store.CreateOrderAsync(replacing, [], [], c1.Id, default));
        Assert.False(await store.CreateOrderAsync(replacing with { Id = "r2" }, [], [], c1.Id, default));
        Assert.Null(await store.GetOrderAsync("r2", default));

        Assert.True(await store.RevokeAsync("c2", 4, Now, default));
        Assert.False(await store.RevokeAsync("c2", 1, Now, default));
        var revoked = Assert.Single(await store.ListRevokedAsync(default));
        Assert.Equal(new AcmeRevokedCertificate("0A02", Now, 4), revoked);

        // 100,000 serial numbers in one set-based update.
        var serials = Enumerable.Range(0, 100_000).Select(i => i.ToString("X8", System.Globalization.CultureInfo.InvariantCulture)).Append("0A01").Append("0A03").ToList();
        Assert.Equal(2, await store.MoveRenewalWindowsAsync(serials, Now, Now.AddHours(1), default));
        Assert.Equal(Now, (await store.FindCertificateBySerialAsync("0A03", default))!.WindowStart);
        Assert.Null((await store.FindCertificateBySerialAsync("0A02", default))!.WindowStart);
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
        });
        await using (var app = builder.Build())
        {
            // Mapping needs the options (the CA's URLs), so bad options fail there already, all in one message.
            var invalid = Assert.Throws<OptionsValidationException>(() => app.MapAcmeServer());
            Assert.Contains("ExternalAccountKeys is empty", invalid.Message, StringComparison.Ordinal);
            Assert.Contains("MaxRequestBytes", invalid.Message, StringComparison.Ordinal);
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
