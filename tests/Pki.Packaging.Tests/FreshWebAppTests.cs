using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using Pki.TestSupport;
using Xunit.Abstractions;

namespace Pki.Packaging.Tests;

/// <summary>
/// Issue #13's first hour, for real: a fresh <c>dotnet new web</c> project, with the packed
/// Pki.Acme.AspNetCore from a local feed and the Pki.Acme.AspNetCore README's one-call Pebble example
/// as its whole <c>Program.cs</c>, gets a certificate from a local Pebble and serves it over HTTPS.
/// The only edits to the README text are this run's ports and directory (Pebble runs on free ports).
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed partial class FreshWebAppTests(PackedPackages packed, ITestOutputHelper output)
{
    private const string Domain = "webapp.example.test";
    private static readonly TimeSpan StepDeadline = TimeSpan.FromSeconds(480);
    private static readonly TimeSpan ServeDeadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_fresh_web_project_following_the_readme_gets_automatic_https_from_a_local_pebble()
    {
        await using var pebble = await PebbleServer.StartAsync();
        using var root = await pebble.GetRootAsync();
        using var work = new TempDirectory();
        Directory.CreateDirectory(work.Path);
        var app = Path.Combine(work.Path, "FreshWeb");
        var httpsPort = FreePorts.Tcp();

        // Program.cs: the README block, with this run's Pebble ports and directory.
        var program = ReadmeBlock(Path.Combine(packed.RepositoryRoot, "src", "Pki.Acme.AspNetCore", "README.md"), "https://127.0.0.1:14000/dir");
        program = Replace(program, "http://127.0.0.1:5002", $"http://127.0.0.1:{pebble.HttpPort}");
        program = Replace(program, "https://127.0.0.1:5443", $"https://127.0.0.1:{httpsPort}");
        program = Replace(program, "https://127.0.0.1:14000/dir", pebble.DirectoryUri.ToString());
        Assert.Contains($"\"{Domain}\"", program, StringComparison.Ordinal);

        // A consumer's restore: the packed packages from a local feed (Pki.* only from there), the rest
        // from the repository's own source, into a package cache of its own so no earlier 0.1.0 is reused.
        File.WriteAllText(Path.Combine(work.Path, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packed.PackageFolder}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local"><package pattern="Pki.*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        var environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = Path.Combine(work.Path, "nuget-packages"),
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        };

        Step("dotnet", ["new", "web", "-o", app, "-n", "FreshWeb", "--framework", "net10.0", "--no-update-check"], work.Path, environment);
        Step("dotnet", ["add", app, "package", "Pki.Acme.AspNetCore", "--version", "0.1.0"], work.Path, environment);
        File.WriteAllText(Path.Combine(app, "Program.cs"), program);
        Step("dotnet", ["build", app, "-c", "Release", "-nologo", "-v", "minimal"], work.Path, environment);

        // Run it as a user would, trusting Pebble's listener certificate the way the README says
        // (OpenSSL's SSL_CERT_FILE, which .NET on Linux reads), with its data folder in the work folder.
        var trust = Path.Combine(work.Path, "pebble-trust.pem");
        File.WriteAllText(trust, pebble.ListenerCertificate.ExportCertificatePem());
        var dataHome = Path.Combine(work.Path, "data");
        using var process = StartApp(Path.Combine(app, "bin", "Release", "net10.0", "FreshWeb.dll"), app, trust, dataHome);
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var (leaf, body) = await WaitForHttpsAsync(httpsPort, root, process, log);
            Assert.Equal("Hello over HTTPS", body);
            Assert.Contains(Domain, leaf.GetNameInfo(X509NameType.DnsName, forIssuer: false), StringComparison.Ordinal);

            // The default store: under the app's local data folder, owner-only.
            var store = Path.Combine(dataHome, "FreshWeb", "acme");
            Assert.True(Directory.Exists(store), $"no store at {store}");
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(store));
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (log)
            {
                output.WriteLine(log.ToString());
            }
        }
    }

    /// <summary>The README's C# block that contains <paramref name="marker"/>; exactly one must.</summary>
    private static string ReadmeBlock(string readme, string marker)
    {
        var blocks = CsharpBlock().Matches(File.ReadAllText(readme)).Select(m => m.Groups[1].Value).Where(b => b.Contains(marker, StringComparison.Ordinal)).ToList();
        Assert.True(blocks.Count == 1, $"{readme}: expected one C# block naming {marker}, found {blocks.Count}.");
        return blocks[0];
    }

    private static string Replace(string program, string readmeText, string value)
    {
        Assert.True(program.Contains(readmeText, StringComparison.Ordinal), $"The README's Pebble example no longer contains '{readmeText}':\n{program}");
        return program.Replace(readmeText, value, StringComparison.Ordinal);
    }

    private void Step(string fileName, IReadOnlyList<string> arguments, string directory, IReadOnlyDictionary<string, string> environment)
    {
        var text = PackedPackages.Run(fileName, arguments, directory, StepDeadline, environment);
        output.WriteLine($"$ {fileName} {string.Join(' ', arguments)}\n{text}");
    }

    private static Process StartApp(string dll, string directory, string trust, string dataHome)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["SSL_CERT_FILE"] = trust;
        start.Environment["XDG_DATA_HOME"] = dataHome;
        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
    }

    /// <summary>Connects to the app's HTTPS port with SNI <see cref="Domain"/> until it serves a certificate that chains to Pebble's root.</summary>
    private static async Task<(X509Certificate2 Leaf, string Body)> WaitForHttpsAsync(int port, X509Certificate2 root, Process process, StringBuilder log)
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < ServeDeadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with {process.ExitCode}:\n{Snapshot(log)}");
            }

            try
            {
                return await GetOverHttpsAsync(port, root);
            }
            catch (Exception e) when (e is IOException or SocketException or AuthenticationException or HttpRequestException or OperationCanceledException)
            {
                last = e;
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }

        throw new TimeoutException($"No HTTPS with a Pebble-issued certificate for {Domain} within {ServeDeadline.TotalSeconds} s (last: {last?.Message}); the app said:\n{Snapshot(log)}");
    }

    private static async Task<(X509Certificate2 Leaf, string Body)> GetOverHttpsAsync(int port, X509Certificate2 root)
    {
        X509Certificate2? leaf = null;
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                    {
                        return false; // a name mismatch or no certificate
                    }

                    // The served chain must end at this Pebble's root (its intermediates came from the server).
                    using var own = new X509Chain();
                    own.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    own.ChainPolicy.CustomTrustStore.Add(root);
                    own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    own.ChainPolicy.ExtraStore.AddRange(chain?.ChainPolicy.ExtraStore ?? []);
                    leaf = new X509Certificate2(certificate);
                    return own.Build(leaf);
                },
            },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        var body = await http.GetStringAsync(new Uri($"https://{Domain}:{port}/"));
        return (leaf ?? throw new InvalidOperationException("No certificate was seen."), body);
    }

    private static string Snapshot(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CsharpBlock();
}
