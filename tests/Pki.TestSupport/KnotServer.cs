using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Pki.TestSupport;

/// <summary>A zone for <see cref="KnotServer"/>; a null <see cref="ZoneText"/> declares the zone without a file, so it answers SERVFAIL.</summary>
/// <param name="Name">Zone apex without the trailing dot, e.g. <c>example.test</c>.</param>
/// <param name="ZoneText">Zone file text (RFC 1035 master format), or null for a SERVFAIL zone.</param>
public sealed record KnotZone(string Name, string? ZoneText);

/// <summary>A TSIG key that may send RFC 2136 dynamic updates to every zone.</summary>
/// <param name="Name">Key name, e.g. <c>update-key</c>.</param>
/// <param name="Algorithm">Knot algorithm name, e.g. <c>hmac-sha256</c>.</param>
/// <param name="SecretBase64">The shared secret, base64.</param>
public sealed record KnotTsigKey(string Name, string Algorithm, string SecretBase64);

/// <summary>
/// Knot DNS (knotd, Debian package <c>knot</c>) serving the given zones on 127.0.0.1 at a free
/// port (UDP and TCP), started in a fresh temporary directory and killed on dispose.
/// </summary>
public sealed class KnotServer : IAsyncDisposable
{
    private KnotServer(ExternalProcess process, string directory, int port)
    {
        Process = process;
        Directory = directory;
        Port = port;
    }

    /// <summary>The knotd process (its log, its output helper).</summary>
    public ExternalProcess Process { get; }

    /// <summary>The temporary directory holding config, zones and state.</summary>
    public string Directory { get; }

    /// <summary>The port knotd listens on (UDP and TCP) on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>127.0.0.1 and <see cref="Port"/>.</summary>
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>Writes the config and zones, starts knotd and waits until every zone with a file is loaded.</summary>
    public static async Task<KnotServer> StartAsync(IReadOnlyList<KnotZone> zones, KnotTsigKey? updateKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(zones);
        var directory = Path.Combine(Path.GetTempPath(), "pki-knot-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "zones"));
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "run"));
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "db"));
        var port = FreePorts.TcpAndUdp();
        foreach (var zone in zones.Where(z => z.ZoneText is not null))
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "zones", zone.Name + ".zone"), zone.ZoneText, cancellationToken).ConfigureAwait(false);
        }

        var config = BuildConfig(directory, port, zones, updateKey);
        var configPath = Path.Combine(directory, "knot.conf");
        await File.WriteAllTextAsync(configPath, config, cancellationToken).ConfigureAwait(false);
        var process = await ExternalProcess.StartAsync(
            new ExternalProcessOptions
            {
                FileName = FindKnotd(),
                Arguments = ["-c", configPath],
                DisplayName = $"knotd:{port}",
                ReadyWhenLogMatches = new Regex("server started", RegexOptions.CultureInvariant),
                StartTimeout = TimeSpan.FromSeconds(20),
            },
            cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var zone in zones.Where(z => z.ZoneText is not null))
            {
                var loaded = new Regex(@"\[" + Regex.Escape(zone.Name.TrimEnd('.')) + @"\.\] (loaded|zone file parsed)", RegexOptions.CultureInvariant);
                await process.WaitForLogAsync(loaded, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new KnotServer(process, directory, port);
    }

    private static string BuildConfig(string directory, int port, IReadOnlyList<KnotZone> zones, KnotTsigKey? updateKey)
    {
        var sb = new StringBuilder();
        sb.Append("server:\n")
          .Append("    rundir: \"").Append(directory).Append("/run\"\n")
          .Append("    listen: 127.0.0.1@").Append(port).Append('\n')
          .Append("database:\n")
          .Append("    storage: \"").Append(directory).Append("/db\"\n")
          .Append("log:\n  - target: stderr\n    any: info\n");
        if (updateKey is not null)
        {
            sb.Append("key:\n  - id: ").Append(updateKey.Name).Append("\n    algorithm: ").Append(updateKey.Algorithm)
              .Append("\n    secret: ").Append(updateKey.SecretBase64).Append('\n')
              .Append("acl:\n  - id: update\n    key: ").Append(updateKey.Name).Append("\n    action: update\n");
        }

        sb.Append("template:\n  - id: default\n")
          .Append("    storage: \"").Append(directory).Append("/zones\"\n")
          .Append("    file: \"%s.zone\"\n")
          .Append("    zonefile-sync: -1\n")
          .Append("    journal-content: none\n");
        if (updateKey is not null)
        {
            sb.Append("    acl: update\n");
        }

        sb.Append("zone:\n");
        foreach (var zone in zones)
        {
            sb.Append("  - domain: ").Append(zone.Name.TrimEnd('.')).Append('\n');
        }

        return sb.ToString();
    }

    private static string FindKnotd()
    {
        foreach (var candidate in new[] { "/usr/sbin/knotd", "/usr/local/sbin/knotd", "/usr/bin/knotd" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return "knotd";
    }

    /// <summary>Stops knotd and removes the temporary directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync().ConfigureAwait(false);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Leave it for the OS's temp cleanup.
        }
    }
}
