using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Pki.TestSupport;

namespace Pki.Caa.Tests;

/// <summary>
/// Issue #11, point 10: a name server that answers with the wrong transaction ID, or with bytes
/// that do not parse, is an indeterminate result (ICaaResolver never throws for DNS failures).
/// </summary>
public sealed class DnsCaaResolverFaultTests
{
    [Fact]
    public async Task An_answer_with_the_wrong_transaction_id_is_indeterminate_not_an_exception()
    {
        var port = FreePorts.TcpAndUdp();
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
        using var stop = new CancellationTokenSource();
        var answered = 0;
        var server = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                UdpReceiveResult query;
                try
                {
                    query = await udp.ReceiveAsync(stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                // The question copied back as a response (QR set, no records), under another ID.
                var reply = query.Buffer.ToArray();
                BinaryPrimitives.WriteUInt16BigEndian(reply, (ushort)(BinaryPrimitives.ReadUInt16BigEndian(reply) ^ 0x5A5A));
                reply[2] |= 0x80;
                reply[3] = 0x80;
                await udp.SendAsync(reply, query.RemoteEndPoint, stop.Token);
                Interlocked.Increment(ref answered);
            }
        });
        var options = new DnsCaaResolverOptions { Timeout = TimeSpan.FromSeconds(5), Retries = 1, UseTcpFallback = false };
        options.NameServers.Add($"127.0.0.1:{port}");

        var result = await new DnsCaaResolver(options).QueryCaaAsync("example.test", CancellationToken.None);

        await stop.CancelAsync();
        await server;
        Assert.Equal(CaaQueryStatus.MalformedResponse, result.Status);
        Assert.False(result.IsSuccess);
        Assert.Matches(@"^127\.0\.0\.1:\d+ answered the CAA query for example\.test with transaction ID \d+ instead of \d+$", result.Detail);
        Assert.Equal(2, Volatile.Read(ref answered)); // the first try and one retry
    }

    [Fact]
    public async Task An_answer_that_does_not_parse_is_indeterminate_not_an_exception()
    {
        var port = FreePorts.Tcp();
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        var server = Task.Run(async () =>
        {
            for (var i = 0; i < 2; i++)
            {
                using var client = await listener.AcceptTcpClientAsync();
                using var stream = client.GetStream();
                var length = new byte[2];
                await stream.ReadExactlyAsync(length);
                var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                await stream.ReadExactlyAsync(query);

                // Same ID, a response that promises one answer record and ends after the question.
                var questionEnd = 12;
                while (query[questionEnd] != 0)
                {
                    questionEnd += query[questionEnd] + 1;
                }

                var reply = query.AsSpan(0, questionEnd + 1 + 4).ToArray();
                reply[2] |= 0x80;
                reply[3] = 0x80;
                reply[6] = 0;
                reply[7] = 1;
                reply[10] = reply[11] = 0;
                var framed = new byte[reply.Length + 2];
                BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)reply.Length);
                reply.CopyTo(framed, 2);
                await stream.WriteAsync(framed);
            }
        });
        var options = new DnsCaaResolverOptions { Timeout = TimeSpan.FromSeconds(5), Retries = 0, UseTcpOnly = true };
        options.NameServers.Add($"127.0.0.1:{port}");

        CaaQueryResult result;
        try
        {
            result = await new DnsCaaResolver(options).QueryCaaAsync("example.test", CancellationToken.None);
        }
        finally
        {
            listener.Stop();
        }

        Assert.Equal(CaaQueryStatus.MalformedResponse, result.Status);
        Assert.StartsWith($"127.0.0.1:{port} sent an answer for example.test that cannot be parsed: ", result.Detail, StringComparison.Ordinal);
        _ = server.Exception; // the server's second accept ends with the listener
    }
}
