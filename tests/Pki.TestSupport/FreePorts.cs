using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Pki.TestSupport;

/// <summary>Free loopback ports for test peers; a port is handed out once per test run.</summary>
public static class FreePorts
{
    private static readonly ConcurrentDictionary<int, byte> Handed = new();

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
            if (Handed.TryAdd(port, 0))
            {
                return port;
            }
        }

        throw new InvalidOperationException("No free loopback port found after 200 attempts.");
    }
}
