using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Pki.TestSupport;

/// <summary>
/// A throwaway PostgreSQL cluster (Debian package <c>postgresql</c>) in a fresh temporary directory:
/// <c>initdb</c> with trust authentication for the user <c>pki</c>, the postmaster as a child process
/// on 127.0.0.1 at a free port with its socket in that directory. <c>fsync</c> is off (a test cluster:
/// data survives a killed server, not a crashed machine); commits are still written to the WAL
/// before they return, so <see cref="KillAsync"/> then <see cref="RestartAsync"/> keeps them.
/// PostgreSQL refuses to run as root, so as root the binaries run as the <c>postgres</c> user
/// (<c>runuser</c>) on a directory chowned to it. Stopped (fast shutdown) and removed on dispose.
/// </summary>
public sealed partial class PostgresServer : IAsyncDisposable
{
    private static readonly Regex Ready = new("database system is ready to accept connections", RegexOptions.CultureInvariant);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly string _binDirectory;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private ITestOutputHelper? _output;
    private int _disposed;

    private PostgresServer(string directory, string binDirectory, int port)
    {
        Directory = directory;
        _binDirectory = binDirectory;
        Port = port;
    }

    /// <summary>The running postmaster (null between <see cref="KillAsync"/> and <see cref="RestartAsync"/>).</summary>
    public ExternalProcess? Process { get; private set; }

    /// <summary>The temporary directory: <c>data/</c> (the cluster) and the Unix socket.</summary>
    public string Directory { get; }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The superuser the cluster was created with (trust authentication, no password).</summary>
    public static string UserName => "pki";

    /// <summary>An Npgsql connection string to the <c>postgres</c> database.</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    /// <summary>Where the postmaster's log lines go (set it from the test class constructor).</summary>
    public ITestOutputHelper? Output
    {
        get => _output;
        set
        {
            _output = value;
            if (Process is { } process)
            {
                process.Output = value;
            }
        }
    }

    /// <summary>An Npgsql connection string to <paramref name="database"/> on this cluster.</summary>
    public string ConnectionStringFor(string database) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username={UserName};Database={database};Pooling=false;Timeout=15;Command Timeout=30";

    /// <summary>Creates the cluster and starts it; about 2 s.</summary>
    /// <exception cref="ExternalProcessException">PostgreSQL is not installed, or initdb or the server failed; the message has its log.</exception>
    public static async Task<PostgresServer> StartAsync(ITestOutputHelper? output = null, CancellationToken cancellationToken = default)
    {
        var binDirectory = FindBinDirectory();
        var directory = Path.Combine(Path.GetTempPath(), "pki-postgres-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var server = new PostgresServer(directory, binDirectory, FreePorts.Tcp()) { _output = output };
        try
        {
            if (IsRoot)
            {
                var chown = await ExternalProcess.RunAsync(new ExternalProcessOptions { FileName = "chown", Arguments = ["postgres:postgres", directory] }, CommandTimeout, output, cancellationToken).ConfigureAwait(false);
                chown.EnsureSuccess();
            }

            var initdb = await server.RunToolAsync("initdb", ["-D", server.DataDirectory, "-A", "trust", "-U", UserName, "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"], cancellationToken).ConfigureAwait(false);
            initdb.EnsureSuccess();
            await server.StartPostmasterAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates an empty database (one per test, for isolation) and returns its connection string.</summary>
    /// <param name="name">Lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters.</param>
    /// <exception cref="ArgumentException">The name is not a plain identifier.</exception>
    /// <exception cref="ExternalProcessException">psql failed (e.g. the database exists); the message has its output.</exception>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException($"Database name '{name}' is not a plain identifier ([a-z_][a-z0-9_]{{0,62}}).", nameof(name));
        }

        var psql = await ExternalProcess.RunAsync(
            new ExternalProcessOptions
            {
                FileName = Path.Combine(_binDirectory, "psql"),
                Arguments = ["-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", UserName, "-d", "postgres", "-c", $"CREATE DATABASE \"{name}\""],
                WorkingDirectory = Directory,
                DisplayName = $"psql:{Port}",
            },
            CommandTimeout,
            _output,
            cancellationToken).ConfigureAwait(false);
        psql.EnsureSuccess();
        return ConnectionStringFor(name);
    }

    /// <summary>
    /// Crashes the server the way a power cut would look to clients: an immediate shutdown (every
    /// connection dropped, no checkpoint). <see cref="RestartAsync"/> brings it back with crash recovery.
    /// </summary>
    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopPostmasterAsync("immediate", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Starts the server again on the same port and data after <see cref="KillAsync"/> (or stops it fast first if it runs).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopPostmasterAsync("fast", cancellationToken).ConfigureAwait(false);
            await StartPostmasterAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private string DataDirectory => Path.Combine(Directory, "data");

    private static bool IsRoot => Environment.UserName == "root";

    private async Task StartPostmasterAsync(CancellationToken cancellationToken)
    {
        var (fileName, arguments) = AsClusterOwner(
            Path.Combine(_binDirectory, "postgres"),
            ["-D", DataDirectory, "-p", Port.ToString(CultureInfo.InvariantCulture), "-k", Directory, "-c", "listen_addresses=127.0.0.1",
             "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=200", "-c", "logging_collector=off"]);
        var process = await ExternalProcess.StartAsync(
            new ExternalProcessOptions
            {
                FileName = fileName,
                Arguments = arguments,
                WorkingDirectory = Directory,
                DisplayName = $"postgres:{Port}",
                ReadyWhenLogMatches = Ready,
                StartTimeout = TimeSpan.FromSeconds(60),
            },
            cancellationToken).ConfigureAwait(false);
        process.Output = _output;
        try
        {
            await process.WaitForTcpAsync(new IPEndPoint(IPAddress.Loopback, Port), TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        Process = process;
    }

    private async Task StopPostmasterAsync(string mode, CancellationToken cancellationToken)
    {
        if (Process is not { } process)
        {
            return;
        }

        Process = null;
        try
        {
            if (!process.HasExited)
            {
                // pg_ctl finds the postmaster through data/postmaster.pid and signals it; -w waits until it is gone.
                await RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", mode, "-w", "-t", "20", "stop"], cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Kills whatever is left of the tree (nothing after a clean stop).
            await process.DisposeAsync().ConfigureAwait(false);
        }
    }

    private Task<ExternalProcessResult> RunToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var (fileName, allArguments) = AsClusterOwner(Path.Combine(_binDirectory, tool), arguments);
        return ExternalProcess.RunAsync(
            new ExternalProcessOptions { FileName = fileName, Arguments = allArguments, WorkingDirectory = Directory, DisplayName = $"{tool}:{Port}" },
            CommandTimeout,
            _output,
            cancellationToken);
    }

    private static (string FileName, IReadOnlyList<string> Arguments) AsClusterOwner(string executable, IReadOnlyList<string> arguments) =>
        IsRoot ? ("runuser", ["-u", "postgres", "--", executable, .. arguments]) : (executable, arguments);

    private static string FindBinDirectory()
    {
        var root = "/usr/lib/postgresql";
        if (System.IO.Directory.Exists(root))
        {
            var newest = System.IO.Directory.GetDirectories(root)
                .Select(d => (Directory: d, Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(d => d.Version >= 0 && File.Exists(Path.Combine(d.Directory, "bin", "initdb")))
                .OrderByDescending(d => d.Version)
                .FirstOrDefault();
            if (newest.Directory is not null)
            {
                return Path.Combine(newest.Directory, "bin");
            }
        }

        foreach (var path in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(path, "initdb")) && File.Exists(Path.Combine(path, "postgres")))
            {
                return path;
            }
        }

        throw new ExternalProcessException("PostgreSQL server binaries (initdb, postgres, pg_ctl) were not found under /usr/lib/postgresql/*/bin or on PATH. Install them first: apt-get install -y postgresql");
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex DatabaseName();

    /// <summary>Stops the cluster (fast shutdown) and removes the temporary directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            await StopPostmasterAsync("fast", CancellationToken.None).ConfigureAwait(false);
        }
        catch (ExternalProcessException)
        {
            // The process tree was killed instead; disposing must not throw.
        }
        finally
        {
            _lifecycle.Release();
        }

        _lifecycle.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleanup.
        }
    }
}
