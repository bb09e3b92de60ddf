using System.Text.Json;
using System.Text.RegularExpressions;
using Pki.TestSupport;

namespace Pki.Acme.Management.Tests;

/// <summary>A real process, killed mid-order; the next start completes from what it left in the store.</summary>
public sealed class CrashRecoveryTests
{
    [Theory]
    [InlineData("presented", CertificateSource.Issued)]
    [InlineData("saving", CertificateSource.Resumed)]
    public async Task A_process_killed_mid_order_leaves_a_store_from_which_the_next_start_completes(string killPoint, CertificateSource expected)
    {
        await using var pebble = await PebbleServer.StartAsync();
        using var dir = TwoPebblesFixture.NewStoreDirectory();
        var listenerPem = Path.Combine(dir.Path + "-listener.pem");
        await File.WriteAllTextAsync(listenerPem, pebble.ListenerCertificate.ExportCertificatePem());
        var identifier = TwoPebblesFixture.UniqueName("crash");

        var child = await ExternalProcess.StartAsync(new ExternalProcessOptions
        {
            FileName = "dotnet",
            Arguments = [ChildPath(), dir.Path, pebble.DirectoryUri.AbsoluteUri, listenerPem, pebble.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "site", identifier, killPoint],
            DisplayName = "manager-child",
            ReadyWhenLogMatches = new Regex(killPoint == "presented" ? "^PRESENTED$" : "^SAVING$", RegexOptions.Multiline),
            StartTimeout = TimeSpan.FromSeconds(90),
        });
        await child.DisposeAsync(); // kill -9 the whole tree at that point

        var pendingPath = Path.Combine(dir.Path, "data", "certificates", "site", "pending.json");
        var pending = JsonDocument.Parse(await File.ReadAllBytesAsync(pendingPath)).RootElement;
        var savedKey = pending.GetProperty("keyPem").GetString()!;
        var savedOrder = pending.GetProperty("orderUri").GetString()!;
        Assert.False(File.Exists(Path.Combine(dir.Path, "data", "certificates", "site", "current.json")));

        // The next start: same store, same CA, a responder on the validator's port again.
        var tokens = new InMemoryHttp01TokenStore();
        await using var responder = TwoPebblesFixture.StartResponder(tokens, pebble.HttpPort);
        using var http = pebble.CreateHttpClient();
        var issuer = new AcmeIssuer(new AcmeIssuerOptions { Name = "pebble", DirectoryUri = pebble.DirectoryUri, TermsOfServiceAgreed = true }, new AcmeClient(http, new AcmeClientOptions { DirectoryUri = pebble.DirectoryUri }));
        var store = new FileSystemCertificateStore(dir.Path);
        var options = new CertificateManagerOptions { LeaseDuration = TimeSpan.FromSeconds(3), LeasePollInterval = TimeSpan.FromMilliseconds(250) };
        options.Certificates.Add(new ManagedCertificateOptions { Name = "site", Identifiers = { identifier } });
        var manager = new CertificateManager(new AcmeIssuerPool([issuer], store), store, [new Http01ChallengeSolver(tokens)], options);

        var certificate = await manager.GetCertificateAsync("site");

        Assert.Equal(expected, certificate.Source);
        Assert.True(certificate.Covers(identifier));
        var current = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(dir.Path, "data", "certificates", "site", "current.json"))).RootElement;
        Assert.Equal(savedKey, current.GetProperty("keyPem").GetString()); // the key saved before the crash is the one in use
        if (expected == CertificateSource.Resumed)
        {
            Assert.Equal(savedOrder, certificate.OrderUri.AbsoluteUri); // the finished order was downloaded, not placed again
        }
        else
        {
            Assert.NotEqual(savedOrder, certificate.OrderUri.AbsoluteUri);
        }

        Assert.False(File.Exists(pendingPath));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp-*", SearchOption.AllDirectories));
        File.Delete(listenerPem);
    }

    private static string ChildPath()
    {
        // tests/Pki.Acme.Management.Tests/bin/<Configuration>/<tfm>[/<rid>]/ -> Child/bin/<Configuration>/net10.0/
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && directory.Name != "bin")
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).FullName[(directory!.FullName.Length + 1)..].Split(Path.DirectorySeparatorChar)[0];
        var path = Path.Combine(directory.Parent!.FullName, "Child", "bin", configuration, "net10.0", "Pki.Acme.Management.TestChild.dll");
        Assert.True(File.Exists(path), "The child process was not built: " + path);
        return path;
    }
}
