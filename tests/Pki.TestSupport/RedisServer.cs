using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Pki.TestSupport;

/// <summary>
/// A throwaway <c>redis-server</c> (Debian package <c>redis-server</c>) on a free loopback port, with
/// no persistence, in its own temporary directory. Killed on dispose.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory;

    private RedisServer(ExternalProcess process, string directory, int port)
    {
        Process = process;
        _directory = directory;
        Port = port;
    }

    /// <summary>The process.</summary>
    public ExternalProcess Process { get; }

    /// <summary>The port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Starts the server and waits until it accepts connections.</summary>
    public static async Task<RedisServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var directory = Path.Combine(Path.GetTempPath(), "pki-redis-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        var port = FreePorts.Tcp();
        var process = await ExternalProcess.StartAsync(
            new ExternalProcessOptions
            {
                FileName = File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server" : "redis-server",
                Arguments = ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--dir", directory, "--protected-mode", "yes"],
                WorkingDirectory = directory,
                DisplayName = $"redis:{port}",
                ReadyWhenLogMatches = new Regex("Ready to accept connections", RegexOptions.CultureInvariant),
                StartTimeout = TimeSpan.FromSeconds(30),
            },
            cancellationToken).ConfigureAwait(false);
        try
        {
            await process.WaitForTcpAsync(new IPEndPoint(IPAddress.Loopback, port), TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new RedisServer(process, directory, port);
    }

    /// <summary>Stops the server and removes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleanup.
        }
    }
}
