using Pki.TestSupport;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Pki.Readme.Tests.Runs;

/// <summary>
/// README examples write files next to themselves ("alice.pem", "fullchain.pem") and bind ports 80 and 443
/// as a reader's program would. The tests of this assembly run one at a time (the working directory is
/// process-wide), each such example in a fresh working directory, and the privileged ports are held under a
/// lock file so the net10.0 and net8.0 legs of one <c>dotnet test</c> do not race for them.
/// </summary>
public sealed class SnippetEnvironment : IDisposable
{
    private static readonly string LockPath = Path.Combine(Path.GetTempPath(), "pki-readme-tests-ports-80-443.lock");

    private readonly string _previousDirectory;
    private readonly FileStream? _portLock;

    private SnippetEnvironment(string directory, string previousDirectory, FileStream? portLock)
    {
        Directory = directory;
        _previousDirectory = previousDirectory;
        _portLock = portLock;
    }

    /// <summary>The working directory the example runs in.</summary>
    public string Directory { get; }

    /// <summary>Makes a fresh temporary directory the working directory; with <paramref name="privilegedPorts"/>, first waits (at most 5 min) for ports 80 and 443.</summary>
    public static async Task<SnippetEnvironment> EnterAsync(bool privilegedPorts = false)
    {
        FileStream? portLock = null;
        if (privilegedPorts)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
            while (portLock is null)
            {
                try
                {
                    portLock = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(200);
                }
            }
        }

        var directory = Path.Combine(Path.GetTempPath(), "pki-readme-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = directory;
        return new SnippetEnvironment(directory, previous, portLock);
    }

    /// <summary>Restores the working directory, removes the temporary one and releases the ports.</summary>
    public void Dispose()
    {
        Environment.CurrentDirectory = _previousDirectory;
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleanup.
        }

        _portLock?.Dispose();
    }

    /// <summary>Starts Pebble with its validator pointed at ports 80 and 443, where the README examples listen.</summary>
    public static Task<PebbleServer> StartPebbleOnPrivilegedPortsAsync() =>
        PebbleServer.StartAsync(new PebbleOptions { HttpPort = 80, TlsPort = 443 });
}
