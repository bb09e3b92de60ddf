using System.Net.Sockets;
using Pki.TestSupport;
using Xunit.Abstractions;

namespace Pki.TestSupport.Tests;

public sealed class KnotServerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Serves_the_given_zone_on_udp_and_the_servfail_zone_fails()
    {
        await using var knot = await KnotServer.StartAsync(
        [
            new KnotZone("test", "$ORIGIN test.\n$TTL 60\n@ SOA ns1.test. h.test. 1 3600 600 86400 60\n@ NS ns1.test.\nns1 A 127.0.0.1\nhost A 127.0.0.9\n"),
            new KnotZone("broken.test", null),
        ]);
        knot.Process.Output = output;

        var answer = await QueryAsync(knot.Port, "host.test", type: 1);
        Assert.Equal(0, answer[3] & 0x0F); // NOERROR
        Assert.Equal(new byte[] { 127, 0, 0, 9 }, answer[^4..]);

        var servfail = await QueryAsync(knot.Port, "x.broken.test", type: 1);
        Assert.Equal(2, servfail[3] & 0x0F); // SERVFAIL
    }

    // A minimal DNS query over UDP, to test the fixture without depending on a DNS library.
    private static async Task<byte[]> QueryAsync(int port, string name, ushort type)
    {
        var query = new List<byte> { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            query.Add((byte)label.Length);
            query.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        query.AddRange(new byte[] { 0, (byte)(type >> 8), (byte)type, 0, 1 });
        using var udp = new UdpClient();
        udp.Connect("127.0.0.1", port);
        await udp.SendAsync(query.ToArray());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var result = await udp.ReceiveAsync(cts.Token);
        return result.Buffer;
    }
}
