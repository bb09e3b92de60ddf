using System.Globalization;
using Pki.Acme.Server.Storage;
using Pki.Acme.Server.Tests.Protocol;

namespace Pki.Acme.Server.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IAcmeServerStore"/> must show, run against each implementation (SQLite and a real
/// PostgreSQL). "Two instances" are two store objects on one database.
/// </summary>
public abstract class StoreContractTests
{
    private protected static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A fresh, empty database; returns what <see cref="Open"/> takes.</summary>
    private protected abstract Task<string> NewDatabaseAsync();

    /// <summary>A store object (one "instance") on <paramref name="database"/>, not yet initialized.</summary>
    private protected abstract IAcmeServerStore Open(string database);

    private protected async Task<IAcmeServerStore> OpenAsync(string? database = null)
    {
        var store = Open(database ?? await NewDatabaseAsync());
        await store.InitializeAsync(default);
        return store;
    }

    private protected static AccountRecord Account(string id, string thumbprint, string? eab = null) =>
        new(id, thumbprint, "{\"kty\":\"EC\"}", "valid", ["mailto:a@example.com", "mailto:b@example.com"], Now, eab);

    private protected static async Task<OrderRecord> OrderAsync(IAcmeServerStore store, string id, string account = "a1")
    {
        var order = new OrderRecord(id, account, "pending", Now.AddDays(1), [AcmeIdentifier.Dns(id + ".example.com")], ["z-" + id], "classic", null, null, null);
        var authz = new AuthorizationRecord("z-" + id, account, id, order.Identifiers[0], false, "pending", Now.AddDays(1));
        Assert.True(await store.CreateOrderAsync(order, [authz], [new ChallengeRecord("c-" + id, authz.Id, "http-01", "tok", "pending", null, null)], null, default));
        return order;
    }

    private protected static async Task<CertificateRecord> CertificateAsync(IAcmeServerStore store, string id, string serial)
    {
        var order = await OrderAsync(store, "o-" + id);
        Assert.True(await store.TransitionOrderAsync("pending", order with { Status = "processing" }, default));
        var certificate = new CertificateRecord(id, "a1", order.Id, serial, "aki." + serial, ["PEM1", "PEM2"], Now, Now.AddDays(90), null, null, null, null, null);
        Assert.True(await store.AddCertificateAsync(certificate, order with { Status = "valid", CertificateId = id }, default));
        Assert.False(await store.AddCertificateAsync(certificate with { Id = id + "x", SerialNumber = "FF" + serial, AriCertId = "x" + serial }, order with { Status = "valid" }, default));
        Assert.Null(await store.GetCertificateAsync(id + "x", default));
        return certificate;
    }

    [Fact]
    public async Task Initialize_is_idempotent_and_two_instances_can_start_at_once()
    {
        var database = await NewDatabaseAsync();
        var stores = Enumerable.Range(0, 4).Select(_ => Open(database)).ToList();
        await Task.WhenAll(stores.Select(s => s.InitializeAsync(default)));
        await stores[0].InitializeAsync(default);
        await stores[0].AddNonceAsync("n", Now.AddMinutes(1), default);
        Assert.True(await stores[3].ConsumeNonceAsync("n", Now, default));
    }

    [Fact]
    public async Task Nonces_are_single_use_and_expire()
    {
        var store = await OpenAsync();
        await store.AddNonceAsync("n1", Now.AddMinutes(1), default);
        await store.AddNonceAsync("n2", Now.AddMinutes(1), default);
        Assert.True(await store.ConsumeNonceAsync("n1", Now, default));
        Assert.False(await store.ConsumeNonceAsync("n1", Now, default));
        Assert.False(await store.ConsumeNonceAsync("n2", Now.AddMinutes(2), default));
        Assert.False(await store.ConsumeNonceAsync("never-issued", Now, default));
    }

    [Fact]
    public async Task A_nonce_issued_by_one_instance_is_honoured_once_by_another()
    {
        var database = await NewDatabaseAsync();
        var a = await OpenAsync(database);
        var b = await OpenAsync(database);
        await a.AddNonceAsync("shared", Now.AddMinutes(1), default);
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? a : b).ConsumeNonceAsync("shared", Now, default)));
        Assert.Single(results, r => r);
    }

    [Fact]
    public async Task Accounts_keys_and_eab_bindings_are_unique()
    {
        var store = await OpenAsync();
        Assert.Equal(AccountCreateResult.Created, await store.CreateAccountAsync(Account("a1", "t1", "kid"), default));
        Assert.Equal(AccountCreateResult.KeyExists, await store.CreateAccountAsync(Account("a2", "t1"), default));
        Assert.Equal(AccountCreateResult.KeyExists, await store.CreateAccountAsync(Account("a2", "t1", "kid"), default));
        Assert.Equal(AccountCreateResult.ExternalKeyAlreadyBound, await store.CreateAccountAsync(Account("a3", "t3", "kid"), default));
        Assert.Null(await store.GetAccountAsync("a3", default));
        Assert.Equal(AccountCreateResult.Created, await store.CreateAccountAsync(Account("a4", "t4"), default));
        Assert.False(await store.ChangeAccountKeyAsync("a4", "t4", "t1", "{}", default));
        Assert.False(await store.ChangeAccountKeyAsync("a4", "wrong-old", "t6", "{}", default));
        Assert.True(await store.ChangeAccountKeyAsync("a4", "t4", "t5", "{\"new\":1}", default));
        var changed = (await store.FindAccountByThumbprintAsync("t5", default))!;
        Assert.Equal(("a4", "{\"new\":1}"), (changed.Id, changed.Jwk));
        Assert.Null(await store.FindAccountByThumbprintAsync("t4", default));
        Assert.True(await store.UpdateAccountAsync("a4", ["mailto:c@example.com"], "deactivated", default));
        Assert.False(await store.UpdateAccountAsync("a4", [], "valid", default));
        var deactivated = (await store.GetAccountAsync("a4", default))!;
        Assert.Equal("deactivated", deactivated.Status);
        Assert.Equal(["mailto:c@example.com"], deactivated.Contact);
        Assert.False(await store.ChangeAccountKeyAsync("a4", "t5", "t7", "{}", default));
    }

    [Fact]
    public async Task Records_round_trip()
    {
        var store = await OpenAsync();
        Assert.Equal(AccountCreateResult.Created, await store.CreateAccountAsync(Account("a1", "t1", "kid"), default));
        var account = (await store.GetAccountAsync("a1", default))!;
        Assert.Equal(("t1", "kid", Now), (account.Thumbprint, account.EabKeyId, account.CreatedAt));
        Assert.Equal(["mailto:a@example.com", "mailto:b@example.com"], account.Contact);

        var identifiers = new[] { AcmeIdentifier.Dns("a.example.com"), AcmeIdentifier.Dns("b.example.com") };
        var order = new OrderRecord("o1", "a1", "pending", Now.AddDays(7), identifiers, ["z2", "z1"], "shortlived", "aki.serial", null, null);
        var z1 = new AuthorizationRecord("z1", "a1", "o1", identifiers[1], true, "pending", Now.AddDays(7));
        var z2 = new AuthorizationRecord("z2", "a1", "o1", identifiers[0], false, "pending", Now.AddDays(7));
        ChallengeRecord[] challenges =
        [
            new("c3", "z1", "dns-01", "tok3", "pending", null, null),
            new("c1", "z2", "http-01", "tok1", "pending", null, null),
            new("c2", "z2", "dns-01", "tok2", "pending", null, null),
            new("c0", "z2", "tls-alpn-01", "tok0", "pending", null, null),
        ];
        Assert.True(await store.CreateOrderAsync(order, [z1, z2], challenges, null, default));
        var read = (await store.GetOrderAsync("o1", default))!;
        Assert.Equal(identifiers, read.Identifiers);
        Assert.Equal(["z2", "z1"], read.AuthorizationIds);
        Assert.Equal(("shortlived", "aki.serial", Now.AddDays(7)), (read.Profile, read.Replaces, read.Expires));
        Assert.Equal([z2, z1], await store.GetAuthorizationsAsync(["z2", "missing", "z1"], default));
        Assert.Equal(z1, await store.GetAuthorizationAsync("z1", default));
        Assert.Equal(["c1", "c2", "c0"], (await store.GetChallengesAsync("z2", default)).Select(c => c.Id));
        Assert.Equal(challenges[3], await store.GetChallengeAsync("c0", default));

        var error = new AcmeProblem { Type = AcmeProblemTypes.RejectedIdentifier, Detail = "no", Identifier = identifiers[0] };
        Assert.True(await store.TransitionOrderAsync("pending", read with { Status = "invalid", Error = error }, default));
        Assert.Equal(error, (await store.GetOrderAsync("o1", default))!.Error);
        Assert.True(await store.TransitionChallengeAsync("c1", "pending", "valid", Now, null, default));
        Assert.Equal(Now, (await store.GetChallengeAsync("c1", default))!.Validated);
        Assert.Null(await store.GetOrderAsync("missing", default));
        Assert.Null(await store.GetChallengeAsync("missing", default));
        Assert.Empty(await store.GetChallengesAsync("missing", default));
    }

    [Fact]
    public async Task Transitions_are_conditional()
    {
        var store = await OpenAsync();
        var order = await OrderAsync(store, "o1");
        Assert.True(await store.TransitionChallengeAsync("c-o1", "pending", "processing", null, null, default));
        Assert.False(await store.TransitionChallengeAsync("c-o1", "pending", "processing", null, null, default));
        Assert.Equal(["c-o1"], await store.ListProcessingChallengesAsync(default));
        var error = new AcmeProblem { Type = AcmeProblemTypes.Dns, Detail = "NXDOMAIN" };
        Assert.True(await store.TransitionChallengeAsync("c-o1", "processing", "invalid", null, error, default));
        Assert.Equal(error, (await store.GetChallengeAsync("c-o1", default))!.Error);
        Assert.Empty(await store.ListProcessingChallengesAsync(default));
        Assert.True(await store.TransitionAuthorizationAsync("z-o1", "pending", "invalid", default));
        Assert.False(await store.TransitionAuthorizationAsync("z-o1", "pending", "valid", default));
        Assert.True(await store.TransitionOrderAsync("pending", order with { Status = "ready" }, default));
        Assert.False(await store.TransitionOrderAsync("pending", order with { Status = "invalid" }, default));
        Assert.Equal("ready", (await store.GetOrderAsync("o1", default))!.Status);
    }

    [Fact]
    public async Task Orders_left_processing_fail_once_old_enough_and_cannot_complete_afterwards()
    {
        var store = await OpenAsync();
        var stuck = await OrderAsync(store, "stuck");
        Assert.True(await store.TransitionOrderAsync("pending", stuck with { Status = "processing" }, default));
        await OrderAsync(store, "waiting");
        var problem = new AcmeProblem { Type = AcmeProblemTypes.ServerInternal, Detail = "interrupted", Status = 500 };

        // Too young: a live instance may be issuing it.
        Assert.Equal(0, await store.FailInterruptedOrdersAsync(problem, TimeSpan.FromMinutes(10), default));
        Assert.Equal("processing", (await store.GetOrderAsync("stuck", default))!.Status);

        Assert.Equal(1, await store.FailInterruptedOrdersAsync(problem, TimeSpan.Zero, default));
        var failed = (await store.GetOrderAsync("stuck", default))!;
        Assert.Equal(("invalid", problem), (failed.Status, failed.Error));
        Assert.Equal("pending", (await store.GetOrderAsync("waiting", default))!.Status);

        // A finalize that was still running after all can no longer complete the order.
        var certificate = new CertificateRecord("late", "a1", "stuck", "0C01", "aki.0C01", ["PEM"], Now, Now.AddDays(90), null, null, null, null, null);
        Assert.False(await store.AddCertificateAsync(certificate, stuck with { Status = "valid", CertificateId = "late" }, default));
        Assert.Null(await store.GetCertificateAsync("late", default));
    }

    [Fact]
    public async Task Two_instances_never_both_win_one_transition()
    {
        var database = await NewDatabaseAsync();
        var a = await OpenAsync(database);
        var b = await OpenAsync(database);
        var order = await OrderAsync(a, "o1");
        var challenge = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? a : b).TransitionChallengeAsync("c-o1", "pending", "processing", null, null, default)));
        Assert.Single(challenge, r => r);
        Assert.True(await b.TransitionOrderAsync("pending", order with { Status = "ready" }, default));
        var finalize = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? a : b).TransitionOrderAsync("ready", order with { Status = "processing" }, default)));
        Assert.Single(finalize, r => r);
        var certificate = new CertificateRecord("cert", "a1", "o1", "0B01", "aki.0B01", ["PEM"], Now, Now.AddDays(90), null, null, null, null, null);
        var issued = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => (i % 2 == 0 ? a : b).AddCertificateAsync(certificate with { Id = "cert" + i, SerialNumber = "0B0" + i, AriCertId = "aki." + i }, order with { Status = "valid", CertificateId = "cert" + i }, default)));
        Assert.Single(issued, r => r);
        var winner = (await a.GetOrderAsync("o1", default))!.CertificateId!;
        Assert.NotNull(await b.GetCertificateAsync(winner, default));
    }

    [Fact]
    public async Task Replaces_revocations_and_renewal_windows()
    {
        var store = await OpenAsync();
        var c1 = await CertificateAsync(store, "c1", "0A01");
        await CertificateAsync(store, "c2", "0A02");
        await CertificateAsync(store, "c3", "0A03");
        Assert.Equal(["PEM1", "PEM2"], (await store.GetCertificateAsync("c1", default))!.ChainsPem);
        Assert.Equal("c3", (await store.FindCertificateByAriIdAsync("aki.0A03", default))!.Id);

        var replacing = new OrderRecord("r1", "a1", "pending", Now.AddDays(1), [AcmeIdentifier.Dns("x.example.com")], [], "classic", c1.AriCertId, null, null);
        Assert.True(await store.CreateOrderAsync(replacing, [], [], c1.Id, default));
        Assert.False(await store.CreateOrderAsync(replacing with { Id = "r2" }, [], [], c1.Id, default));
        Assert.Null(await store.GetOrderAsync("r2", default));
        Assert.Equal("r1", (await store.GetCertificateAsync("c1", default))!.ReplacedByOrderId);

        Assert.True(await store.RevokeAsync("c2", 4, Now, default));
        Assert.False(await store.RevokeAsync("c2", 1, Now, default));
        var revoked = Assert.Single(await store.ListRevokedAsync(default));
        Assert.Equal(new AcmeRevokedCertificate("0A02", Now, 4), revoked);
        Assert.Equal((Now, 4), ((await store.GetCertificateAsync("c2", default))!.RevokedAt, (await store.GetCertificateAsync("c2", default))!.RevocationReason));

        // 100,000 serial numbers (and duplicates) in one set-based update.
        var serials = Enumerable.Range(0, 100_000).Select(i => i.ToString("X8", CultureInfo.InvariantCulture)).Append("0A01").Append("0A03").Append("0A03").ToList();
        Assert.Equal(2, await store.MoveRenewalWindowsAsync(serials, Now, Now.AddHours(1), default));
        var moved = (await store.FindCertificateBySerialAsync("0A03", default))!;
        Assert.Equal((Now, Now.AddHours(1)), (moved.WindowStart, moved.WindowEnd));
        Assert.Null((await store.FindCertificateBySerialAsync("0A02", default))!.WindowStart);
        Assert.Equal(0, await store.MoveRenewalWindowsAsync([], Now, Now.AddHours(1), default));
    }
}

/// <summary>The contract on the SQLite store.</summary>
public sealed class SqliteStoreContractTests : StoreContractTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    private protected override Task<string> NewDatabaseAsync() =>
        Task.FromResult(Path.Combine(_directory.Path, Guid.NewGuid().ToString("N") + ".db"));

    private protected override IAcmeServerStore Open(string database) => new SqliteAcmeServerStore(database);

    public void Dispose() => _directory.Dispose();
}

/// <summary>The contract on the PostgreSQL store, against a real server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreContractTests(PostgresFixture postgres) : StoreContractTests, IAsyncLifetime
{
    private readonly List<PostgresAcmeServerStore> _stores = [];

    private protected override Task<string> NewDatabaseAsync() => postgres.CreateDatabaseAsync();

    private protected override IAcmeServerStore Open(string database)
    {
        var store = new PostgresAcmeServerStore(database);
        _stores.Add(store);
        return store;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }
}
