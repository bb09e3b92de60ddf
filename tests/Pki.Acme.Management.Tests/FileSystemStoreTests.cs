using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Pki.Acme.Management.Tests;

public sealed class FileSystemStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Writes_atomically_and_reads_back_leaving_no_temporary_files()
    {
        var store = new FileSystemCertificateStore(_dir.Path);
        Assert.Null(await store.ReadAsync("certificates/www/current.json", default));

        await store.WriteAsync("certificates/www/current.json", Encoding.UTF8.GetBytes("one"), isSecret: false, default);
        await store.WriteAsync("certificates/www/current.json", Encoding.UTF8.GetBytes("two"), isSecret: false, default);

        Assert.Equal("two", Encoding.UTF8.GetString((await store.ReadAsync("certificates/www/current.json", default))!));
        Assert.Single(Directory.GetFiles(Path.Combine(_dir.Path, "data", "certificates", "www")));
        Assert.True(await store.DeleteAsync("certificates/www/current.json", default));
        Assert.False(await store.DeleteAsync("certificates/www/current.json", default));
    }

    [Fact]
    public async Task Secrets_are_owner_only_from_creation_and_directories_are_private()
    {
        var store = new FileSystemCertificateStore(_dir.Path);
        await store.WriteAsync("accounts/a.json", Encoding.UTF8.GetBytes("secret"), isSecret: true, default);
        await store.WriteAsync("public/chain.pem", Encoding.UTF8.GetBytes("public"), isSecret: false, default);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir.Path, "data", "accounts", "a.json")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(_dir.Path, "data", "public", "chain.pem")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_dir.Path, "data", "accounts")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../etc/passwd")]
    [InlineData("a//b")]
    [InlineData("/abs")]
    [InlineData(".hidden")]
    [InlineData("a b")]
    public async Task Rejects_keys_that_are_not_store_keys(string key)
    {
        var store = new FileSystemCertificateStore(_dir.Path);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => store.ReadAsync(key, default));
        Assert.Equal("key", ex.ParamName);
    }

    [Fact]
    public void A_store_without_a_path_is_a_configuration_error()
    {
        var ex = Assert.Throws<AcmeManagementConfigurationException>(() => new FileSystemCertificateStore(new FileSystemCertificateStoreOptions()));
        Assert.Equal("FileSystemCertificateStoreOptions.Path is required: the directory that keeps account keys, certificate keys and chains.", ex.Message);
    }

    [Fact]
    public async Task A_lease_is_exclusive_until_released()
    {
        var store = new FileSystemCertificateStore(_dir.Path);
        var first = await store.TryAcquireLeaseAsync("certificate-www", "one", TimeSpan.FromMinutes(5), default);
        Assert.NotNull(first);
        Assert.Null(await store.TryAcquireLeaseAsync("certificate-www", "two", TimeSpan.FromMinutes(5), default));
        Assert.NotNull(await store.TryAcquireLeaseAsync("certificate-other", "two", TimeSpan.FromMinutes(5), default));

        await first!.DisposeAsync();
        var second = await store.TryAcquireLeaseAsync("certificate-www", "two", TimeSpan.FromMinutes(5), default);
        Assert.Equal("two", second!.Owner);
    }

    [Fact]
    public async Task A_stale_lease_is_taken_over_and_its_old_holder_learns_it_lost()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new FileSystemCertificateStore(_dir.Path, time);
        var crashed = await store.TryAcquireLeaseAsync("certificate-www", "crashed", TimeSpan.FromMinutes(1), default);
        Assert.True(await crashed!.RenewAsync(TimeSpan.FromMinutes(1), default));

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Null(await store.TryAcquireLeaseAsync("certificate-www", "taker", TimeSpan.FromMinutes(1), default));
        time.Advance(TimeSpan.FromSeconds(2));
        var taker = await store.TryAcquireLeaseAsync("certificate-www", "taker", TimeSpan.FromMinutes(1), default);

        Assert.Equal("taker", taker!.Owner);
        Assert.False(await crashed.RenewAsync(TimeSpan.FromMinutes(1), default));
        await crashed.ReleaseAsync(default); // must not release the taker's lease
        Assert.Null(await store.TryAcquireLeaseAsync("certificate-www", "third", TimeSpan.FromMinutes(1), default));
    }

    [Fact]
    public async Task Concurrent_contenders_get_exactly_one_lease()
    {
        var store = new FileSystemCertificateStore(_dir.Path);
        var leases = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => store.TryAcquireLeaseAsync("certificate-race", "owner" + i, TimeSpan.FromMinutes(1), default))));
        Assert.Single(leases, l => l is not null);
    }

    [Fact]
    public async Task A_new_holder_removes_what_a_process_killed_mid_write_left_beside_the_lease()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new FileSystemCertificateStore(_dir.Path, time);
        Assert.NotNull(await store.TryAcquireLeaseAsync("certificate-www", "crashed", TimeSpan.FromMinutes(1), default));
        var lockFile = Path.Combine(_dir.Path, "leases", "certificate-www.lock");

        // Killed mid-renewal: the renewal's temporary file was never renamed.
        await File.WriteAllTextAsync(lockFile + ".tmp-crashed", "v2\n1\n" + time.GetUtcNow().AddMinutes(1).UtcTicks + "\ncrashed");

        time.Advance(TimeSpan.FromSeconds(61));
        var taker = await store.TryAcquireLeaseAsync("certificate-www", "taker", TimeSpan.FromMinutes(1), default);

        Assert.NotNull(taker);
        Assert.Equal(2, taker!.Token);
        var left = Directory.GetFiles(Path.GetDirectoryName(lockFile)!).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["certificate-www.lock", "certificate-www.lock.mutex"], left);
        Assert.True(await taker.RenewAsync(TimeSpan.FromMinutes(1), default));
    }

    [Fact]
    public async Task Tokens_only_grow_across_releases_takeovers_and_store_instances()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var tokens = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var store = new FileSystemCertificateStore(_dir.Path, time);
            var lease = await store.TryAcquireLeaseAsync("certificate-www", "owner" + i, TimeSpan.FromMinutes(1), default);
            tokens.Add(lease!.Token);
            if (i % 2 == 0)
            {
                await lease.ReleaseAsync(default);
            }
            else
            {
                time.Advance(TimeSpan.FromMinutes(2)); // abandoned: expires and is taken over
            }
        }

        Assert.Equal([1L, 2, 3, 4, 5], tokens);
    }

    [Fact]
    public async Task A_holder_that_lost_its_lease_can_neither_write_renew_nor_release_under_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var old = await new FileSystemCertificateStore(_dir.Path, time).TryAcquireLeaseAsync("certificate-www", "old", TimeSpan.FromMinutes(1), default);
        Assert.True(await old!.TryWriteAsync("certificates/www/current.json", Encoding.UTF8.GetBytes("old"), isSecret: true, default));

        // The old holder pauses (GC, partition) past its expiry; another instance takes over and writes.
        time.Advance(TimeSpan.FromMinutes(2));
        var store = new FileSystemCertificateStore(_dir.Path, time);
        var current = await store.TryAcquireLeaseAsync("certificate-www", "new", TimeSpan.FromMinutes(1), default);
        Assert.True(current!.Token > old.Token);
        Assert.True(await current.TryWriteAsync("certificates/www/current.json", Encoding.UTF8.GetBytes("new"), isSecret: true, default));

        // The old holder wakes up: every operation under its stale token is refused.
        Assert.False(await old.TryWriteAsync("certificates/www/current.json", Encoding.UTF8.GetBytes("late"), isSecret: true, default));
        Assert.False(await old.RenewAsync(TimeSpan.FromMinutes(1), default));
        await old.ReleaseAsync(default);
        await old.DisposeAsync();

        Assert.Equal("new", Encoding.UTF8.GetString((await store.ReadAsync("certificates/www/current.json", default))!));
        Assert.Null(await store.TryAcquireLeaseAsync("certificate-www", "third", TimeSpan.FromMinutes(1), default));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir.Path, "data", "certificates", "www", "current.json")));
    }

    [Fact]
    public async Task An_expired_but_untaken_lease_is_still_its_holders()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new FileSystemCertificateStore(_dir.Path, time);
        var lease = await store.TryAcquireLeaseAsync("certificate-www", "slow", TimeSpan.FromMinutes(1), default);
        time.Advance(TimeSpan.FromMinutes(5));

        // Nobody took it over, so no one else can have written: the token still fences correctly.
        Assert.True(await lease!.TryWriteAsync("certificates/www/current.json", Encoding.UTF8.GetBytes("v"), isSecret: true, default));
        Assert.True(await lease.RenewAsync(TimeSpan.FromMinutes(1), default));
        Assert.Null(await store.TryAcquireLeaseAsync("certificate-www", "other", TimeSpan.FromMinutes(1), default));
    }

    [Fact]
    public async Task Expired_lease_takeover_has_exactly_one_winner_among_12_store_instances_over_300_rounds()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var stores = Enumerable.Range(0, 12).Select(_ => new FileSystemCertificateStore(_dir.Path, time)).ToArray();
        var crashed = new FileSystemCertificateStore(_dir.Path, time);
        var lastToken = 0L;
        for (var round = 0; round < 300; round++)
        {
            // A holder crashes and leaves its lease to expire.
            var abandoned = await crashed.TryAcquireLeaseAsync("certificate-race", "crashed", TimeSpan.FromSeconds(30), default);
            Assert.NotNull(abandoned);
            time.Advance(TimeSpan.FromMinutes(1));

            using var start = new ManualResetEventSlim();
            var contenders = stores.Select((store, i) => Task.Run(async () =>
            {
                start.Wait();
                return await store.TryAcquireLeaseAsync("certificate-race", $"owner{i}", TimeSpan.FromSeconds(30), default);
            })).ToArray();
            start.Set();
            var leases = await Task.WhenAll(contenders);

            var winner = Assert.Single(leases, l => l is not null);
            Assert.True(winner!.Token > abandoned!.Token && abandoned.Token > lastToken, $"round {round}: tokens {lastToken}, {abandoned.Token}, {winner.Token}");
            Assert.False(await abandoned.RenewAsync(TimeSpan.FromSeconds(30), default));
            lastToken = winner.Token;
            time.Advance(TimeSpan.FromMinutes(1)); // the winner is done with it too: the next round starts from an expired lease
        }
    }
}
