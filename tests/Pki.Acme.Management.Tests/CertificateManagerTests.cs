using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Pki.Acme.Management.Tests;

[Collection(TwoPebblesCollection.Name)]
public sealed class CertificateManagerTests(TwoPebblesFixture fixture)
{
    private CertificateManager CreateManager(string storePath, string name, string identifier, IssuerSelectionPolicy policy = IssuerSelectionPolicy.OrderedFailover, TimeProvider? time = null, Action<CertificateManagerOptions>? configure = null)
    {
        var store = new FileSystemCertificateStore(storePath);
        var pool = new AcmeIssuerPool([fixture.CreateIssuer(fixture.A, "a"), fixture.CreateIssuer(fixture.B, "b")], store, new AcmeIssuerPoolOptions { Policy = policy }, timeProvider: time);
        var options = new CertificateManagerOptions { LeasePollInterval = TimeSpan.FromMilliseconds(100) };
        options.Certificates.Add(new ManagedCertificateOptions { Name = name, Identifiers = { identifier } });
        configure?.Invoke(options);
        return new CertificateManager(pool, store, [fixture.Solver], options, time);
    }

    [Fact]
    public async Task Issues_on_first_need_persists_and_a_new_instance_loads_without_ordering()
    {
        using var dir = TwoPebblesFixture.NewStoreDirectory();
        var identifier = TwoPebblesFixture.UniqueName("www");
        var manager = CreateManager(dir.Path, "www", identifier);

        var issued = await manager.GetCertificateAsync("www");

        Assert.Equal(CertificateSource.Issued, issued.Source);
        Assert.Equal("a", issued.Issuer);
        Assert.True(issued.Certificate.HasPrivateKey);
        Assert.True(issued.Covers(identifier));
        Assert.Same(issued, manager.GetCurrent("www"));
        Assert.Same(issued, manager.FindForServerName(identifier.ToUpperInvariant()));
        var current = Path.Combine(dir.Path, "data", "certificates", "www", "current.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(current));
        Assert.False(File.Exists(Path.Combine(dir.Path, "data", "certificates", "www", "pending.json")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(dir.Path, "data", "certificates")));

        var restarted = CreateManager(dir.Path, "www", identifier);
        var loaded = await restarted.GetCertificateAsync("www");
        Assert.Equal(CertificateSource.Store, loaded.Source);
        Assert.Equal(issued.Certificate.Thumbprint, loaded.Certificate.Thumbprint);
        var status = Assert.Single(restarted.GetStatus());
        Assert.Equal(issued.NotAfter, status.NotAfter);
        Assert.NotNull(status.RenewAt);
        Assert.Null(status.LastError);
    }

    [Fact]
    public async Task Round_robin_alternates_CAs_across_renewals()
    {
        using var dir = TwoPebblesFixture.NewStoreDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var manager = CreateManager(dir.Path, "rr", TwoPebblesFixture.UniqueName("rr"), IssuerSelectionPolicy.RoundRobin, time);
        var changes = new List<string>();
        manager.CertificateChanged += (_, e) => changes.Add(e.Certificate.Issuer);

        var first = await manager.GetCertificateAsync("rr");
        var issuers = new List<string> { first.Issuer };
        for (var i = 0; i < 3; i++)
        {
            // Fake time past the renewal point (two thirds of the lifetime): the pass renews.
            time.Advance(TimeSpan.FromMinutes(50));
            await manager.RenewDueAsync();
            issuers.Add(manager.GetCurrent("rr")!.Issuer);
        }

        Assert.Equal(issuers, changes);
        for (var i = 1; i < issuers.Count; i++)
        {
            Assert.NotEqual(issuers[i - 1], issuers[i]);
        }
    }

    [Fact]
    public async Task RenewBefore_brings_renewal_forward_of_the_CA_window_and_says_why()
    {
        using var dir = TwoPebblesFixture.NewStoreDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var identifier = TwoPebblesFixture.UniqueName("early");

        // Control: three minutes into a one-hour certificate nothing is due.
        var plain = CreateManager(dir.Path, "plain", identifier, time: time);
        var plainFirst = await plain.GetCertificateAsync("plain");

        // 58 minutes before expiry of a one-hour certificate: due two minutes after issuance.
        var early = CreateManager(dir.Path, "early", identifier, time: time, configure: o => o.Certificates[0].RenewBefore = TimeSpan.FromMinutes(58));
        var first = await early.GetCertificateAsync("early");
        var status = Assert.Single(early.GetStatus());
        Assert.Equal(first.NotAfter - TimeSpan.FromMinutes(58), status.RenewAt);
        Assert.Contains("RenewBefore", status.RenewalExplanation, StringComparison.Ordinal);

        time.Advance(TimeSpan.FromMinutes(3));
        await early.RenewDueAsync();
        await plain.RenewDueAsync();
        Assert.NotEqual(first.Certificate.Thumbprint, early.GetCurrent("early")!.Certificate.Thumbprint);
        Assert.Equal(plainFirst.Certificate.Thumbprint, plain.GetCurrent("plain")!.Certificate.Thumbprint);
    }

    [Fact]
    public void A_RenewBefore_that_is_not_positive_is_a_configuration_error()
    {
        var options = new ManagedCertificateOptions { Name = "bad", Identifiers = { "bad.example.com" }, RenewBefore = TimeSpan.Zero };
        var ex = Assert.Throws<AcmeManagementConfigurationException>(options.Validate);
        Assert.Contains("RenewBefore must be positive", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_managers_on_one_store_place_exactly_one_order()
    {
        using var dir = TwoPebblesFixture.NewStoreDirectory();
        var identifier = TwoPebblesFixture.UniqueName("farm");
        var first = CreateManager(dir.Path, "farm", identifier);
        var second = CreateManager(dir.Path, "farm", identifier);

        var results = await Task.WhenAll(first.GetCertificateAsync("farm"), second.GetCertificateAsync("farm"));

        Assert.Single(results, r => r.Source == CertificateSource.Issued);
        Assert.Single(results, r => r.Source == CertificateSource.Store);
        Assert.Equal(results[0].Certificate.Thumbprint, results[1].Certificate.Thumbprint);
    }

    [Fact]
    public async Task A_forced_renewal_replaces_the_certificate_with_a_fresh_key()
    {
        using var dir = TwoPebblesFixture.NewStoreDirectory();
        var manager = CreateManager(dir.Path, "force", TwoPebblesFixture.UniqueName("force"));
        var before = await manager.GetCertificateAsync("force");

        var after = await manager.RenewNowAsync("force");

        Assert.NotEqual(before.Certificate.SerialNumber, after.Certificate.SerialNumber);
        Assert.NotEqual(before.Certificate.GetPublicKey(), after.Certificate.GetPublicKey());
    }

    [Fact]
    public async Task A_failure_is_reported_in_the_status_and_RenewDue_says_when_to_retry()
    {
        using var dir = TwoPebblesFixture.NewStoreDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new FileSystemCertificateStore(dir.Path);
        var pool = new AcmeIssuerPool([fixture.CreateIssuer(fixture.A, "a")], store, timeProvider: time);
        var options = new CertificateManagerOptions { MinAttemptInterval = TimeSpan.FromMinutes(7), StorePollInterval = TimeSpan.FromMinutes(10) };
        options.Certificates.Add(new ManagedCertificateOptions { Name = "broken", Identifiers = { TwoPebblesFixture.UniqueName("broken") } });
        var manager = new CertificateManager(pool, store, [new Http01ChallengeSolver(new InMemoryHttp01TokenStore())], options, time);

        var next = await manager.RenewDueAsync();

        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(7), next);
        var status = Assert.Single(manager.GetStatus());
        Assert.StartsWith("No CA issued a certificate for broken-", status.LastError, StringComparison.Ordinal);
        Assert.Equal(1, status.ConsecutiveFailures);
        Assert.Equal(next, status.NextAttemptAt);
        Assert.Equal(time.GetUtcNow(), status.LastErrorAt);
        Assert.Null(manager.GetCurrent("broken"));

        // The key saved for the failed attempt is reused by the next one: nothing is orphaned.
        var pending = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(dir.Path, "data", "certificates", "broken", "pending.json")));
        Assert.Contains("BEGIN PRIVATE KEY", pending.RootElement.GetProperty("keyPem").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_certificate_names_throw_a_typed_exception()
    {
        using var dir = TwoPebblesFixture.NewStoreDirectory();
        var manager = CreateManager(dir.Path, "www", "www.example.test");
        var ex = await Assert.ThrowsAsync<AcmeManagementConfigurationException>(() => manager.GetCertificateAsync("nope"));
        Assert.Equal("No managed certificate is called 'nope'; configured: www.", ex.Message);
    }
}
