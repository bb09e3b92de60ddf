using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Pki.TestSupport;

/// <summary>
/// Free loopback ports for test peers. A port is handed out once per process and reserved across
/// processes (the net8.0 and net10.0 test hosts run at the same time) by holding an exclusive lock
/// on a file named after it until the process exits.
/// </summary>
public static class FreePorts
{
    private static readonly ConcurrentDictionary<int, FileStream> Handed = new();
    private static readonly string LockDirectory = Path.Combine(Path.GetTempPath(), "pki-test-ports");

    /// <summary>A loopback TCP port that nothing listens on now and that this process has not handed out before.</summary>
    public static int Tcp() => Next(udpToo: false);

    /// <summary>A port free for both TCP and UDP on 127.0.0.1 (DNS servers listen on both).</summary>
    public static int TcpAndUdp() => Next(udpToo: true);

    private static int Next(bool udpToo)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            using var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
            if (udpToo)
            {
                try
                {
                    using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                }
                catch (SocketException)
                {
                    continue;
                }
            }

            tcp.Stop();
            if (!Handed.ContainsKey(port) && TryReserve(port, out var reservation))
            {
                Handed[port] = reservation;
                return port;
            }
        }

        throw new InvalidOperationException("No free loopback port found after 200 attempts.");
    }

    private static bool TryReserve(int port, out FileStream reservation)
    {
        Directory.CreateDirectory(LockDirectory);
        try
        {
            // FileShare.None takes an exclusive advisory lock on Unix; it is released when this process exits.
            reservation = new FileStream(Path.Combine(LockDirectory, port.ToString(System.Globalization.CultureInfo.InvariantCulture)), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            reservation = null!;
            return false;
        }
    }
}
