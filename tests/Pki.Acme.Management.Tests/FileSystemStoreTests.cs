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
    public async Task A_new_holder_removes_what_a_crashed_holder_left_beside_the_lock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new FileSystemCertificateStore(_dir.Path, time);
        Assert.NotNull(await store.TryAcquireLeaseAsync("certificate-www", "crashed", TimeSpan.FromMinutes(1), default));
        var leases = Path.Combine(_dir.Path, "leases");
        var lockFile = Path.Combine(leases, "certificate-www.lock");

        // Killed mid-renewal and mid-takeover: a renewal never renamed, a moved-aside expired lease,
        // and a contender's moved-aside copy of a lease that is still valid (it may be putting it back).
        var expiry = time.GetUtcNow().AddMinutes(1).UtcTicks;
        await File.WriteAllTextAsync(lockFile + ".tmp-crashed", expiry + "\ncrashed");
        await File.WriteAllTextAsync(lockFile + ".stale-old", time.GetUtcNow().UtcTicks + "\nolder");
        await File.WriteAllTextAsync(lockFile + ".stale-live", time.GetUtcNow().AddHours(2).UtcTicks + "\nsomeone");
        await File.WriteAllTextAsync(lockFile + ".new-partial", string.Empty); // a writer may still be filling it

        time.Advance(TimeSpan.FromSeconds(61));
        var taker = await store.TryAcquireLeaseAsync("certificate-www", "taker", TimeSpan.FromMinutes(1), default);

        Assert.NotNull(taker);
        var left = Directory.GetFiles(leases).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["certificate-www.lock", "certificate-www.lock.new-partial", "certificate-www.lock.stale-live"], left);
        Assert.True(await taker!.RenewAsync(TimeSpan.FromMinutes(1), default));
    }
}
