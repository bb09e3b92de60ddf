using System.Reflection;
using System.Runtime.Versioning;
using System.Text;

namespace Pki.Acme.Management.NetStandard.Tests;

/// <summary>The netstandard2.1 build itself: which asset is loaded, and the modes it creates files and directories with.</summary>
public sealed class NetStandardAssetTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_loaded_store_is_the_netstandard21_build()
    {
        var framework = typeof(FileSystemCertificateStore).Assembly.GetCustomAttribute<TargetFrameworkAttribute>();
        Assert.Equal(".NETStandard,Version=v2.1", framework?.FrameworkName);
    }

    [Fact]
    public async Task Secrets_are_0600_public_files_0644_and_every_directory_level_0700_whatever_the_umask()
    {
        var store = new FileSystemCertificateStore(Path.Combine(_dir.Path, "store"));
        await store.WriteAsync("accounts/deep/a.json", Encoding.UTF8.GetBytes("secret"), isSecret: true, default);
        await store.WriteAsync("public/chain.pem", Encoding.UTF8.GetBytes("public"), isSecret: false, default);
        var lease = await store.TryAcquireLeaseAsync("certificate-www", "me", TimeSpan.FromMinutes(1), default);
        Assert.True(await lease!.TryWriteAsync("certificates/www/current.json", Encoding.UTF8.GetBytes("key and chain"), isSecret: true, default));

        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        const UnixFileMode Directory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        var data = Path.Combine(_dir.Path, "store", "data");
        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(data, "accounts", "deep", "a.json")));
        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(data, "certificates", "www", "current.json")));
        Assert.Equal(Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(data, "public", "chain.pem")));
        foreach (var directory in new[] { Path.Combine(_dir.Path, "store"), data, Path.Combine(data, "accounts"), Path.Combine(data, "accounts", "deep"), Path.Combine(_dir.Path, "store", "leases") })
        {
            Assert.Equal(Directory, File.GetUnixFileMode(directory));
        }
    }
}
