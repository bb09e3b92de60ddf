using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Pki.Acme.AspNetCore.Tests;

/// <summary>The ClientHello reader of the tls-alpn-01 path, on ClientHellos that .NET's own TLS client (OpenSSL) sends.</summary>
public sealed class TlsClientHelloTests
{
    private static readonly byte[] AcmeTls1 = Encoding.ASCII.GetBytes("acme-tls/1");

    [Theory]
    [InlineData(new[] { "acme-tls/1" }, true)]
    [InlineData(new[] { "h2", "acme-tls/1" }, true)]
    [InlineData(new[] { "h2", "http/1.1" }, false)]
    [InlineData(new string[0], false)]
    public async Task The_protocols_offered_in_a_real_ClientHello_are_read(string[] protocols, bool offersAcme)
    {
        var record = await CaptureClientHelloAsync(protocols);

        Assert.Equal(record.Length, TlsClientHello.RecordLength(record));
        Assert.Equal(offersAcme, TlsClientHello.OffersProtocol(record, AcmeTls1));
        Assert.Equal((true, offersAcme), TlsClientHello.Inspect(new ReadOnlySequence<byte>(record), AcmeTls1));
        Assert.Equal((true, offersAcme), TlsClientHello.Inspect(Segmented(record, 7), AcmeTls1));
    }

    [Theory]
    [InlineData("www.example.test", "www.example.test")]
    [InlineData("127.0.0.1", null)] // no SNI for an address (RFC 6066 section 3)
    public async Task The_SNI_name_of_a_real_ClientHello_is_read_before_the_handshake(string targetHost, string? serverName)
    {
        var record = await CaptureClientHelloAsync(["h2", "acme-tls/1"], targetHost);

        Assert.True(TlsClientHello.TryRead(record, AcmeTls1, out var offers, out var name));
        Assert.True(offers);
        Assert.Equal(serverName, name);
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(record);
        var hello = await TlsClientHello.PeekAsync(pipe.Reader, AcmeTls1, CancellationToken.None);
        Assert.Equal((true, serverName), (hello.OffersAcmeTls1, hello.ServerName));
        Assert.Null(hello.Challenge);
        Assert.Equal(record, (await pipe.Reader.ReadAsync()).Buffer.ToArray()); // left for the handshake
    }

    [Fact]
    public async Task A_partial_record_asks_for_more_and_a_record_that_cannot_tell_answers_null()
    {
        var record = await CaptureClientHelloAsync(["acme-tls/1"]);
        for (var length = 0; length < record.Length; length++)
        {
            Assert.Equal((false, (bool?)null), TlsClientHello.Inspect(new ReadOnlySequence<byte>(record, 0, length), AcmeTls1));
            Assert.Null(TlsClientHello.OffersProtocol(record.AsSpan(0, length), AcmeTls1));
        }

        // The handshake message continues in a next record: cannot tell from this one.
        var cut = record[..^20];
        cut[3] = (byte)((cut.Length - 5) >> 8);
        cut[4] = (byte)(cut.Length - 5);
        Assert.Null(TlsClientHello.OffersProtocol(cut, AcmeTls1));

        // Not a handshake record (plain HTTP on the TLS port), or not a ClientHello.
        Assert.Equal((true, (bool?)null), TlsClientHello.Inspect(new ReadOnlySequence<byte>("GET / HTTP/1.1\r\n"u8.ToArray()), AcmeTls1));
        var serverHello = (byte[])record.Clone();
        serverHello[5] = 2;
        Assert.Null(TlsClientHello.OffersProtocol(serverHello, AcmeTls1));
        Assert.Equal(0, TlsClientHello.RecordLength([22, 3, 1, 0xFF, 0xFF]));
    }

    [Property(MaxTest = 300)]
    public bool Arbitrary_bytes_never_throw_and_never_claim_a_protocol_they_do_not_contain(byte[] bytes)
    {
        _ = TlsClientHello.Inspect(new ReadOnlySequence<byte>(bytes), AcmeTls1);
        var record = new byte[] { 22, 3, 1, (byte)(bytes.Length >> 8), (byte)bytes.Length, 1, 0, (byte)(bytes.Length >> 8), (byte)bytes.Length }.Concat(bytes).ToArray();
        return TlsClientHello.OffersProtocol(record, AcmeTls1) != true || Contains(record, AcmeTls1);
    }

    [Fact]
    public async Task Any_single_byte_change_of_a_real_ClientHello_never_throws_nor_claims_a_protocol_it_lost()
    {
        var record = await CaptureClientHelloAsync(["h2", "acme-tls/1"]);
        var property = Prop.ForAll(
            (from index in Gen.Choose(0, record.Length - 1)
             from value in Gen.Choose(0, 255)
             select (index, value)).ToArbitrary(),
            change =>
            {
                var mutated = (byte[])record.Clone();
                mutated[change.index] = (byte)change.value;
                var offersOnlyWhatItHas = TlsClientHello.OffersProtocol(mutated, AcmeTls1) != true || Contains(mutated, AcmeTls1);
                var namesOnlyWhatItHas = !TlsClientHello.TryRead(mutated, AcmeTls1, out _, out var name) || name is null || Contains(mutated, Encoding.ASCII.GetBytes(name));
                return offersOnlyWhatItHas && namesOnlyWhatItHas;
            });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), property);
    }

    [Fact]
    public async Task Peeking_leaves_the_record_for_the_handshake_and_waits_for_a_record_sent_in_pieces()
    {
        var record = await CaptureClientHelloAsync(["acme-tls/1"]);
        var pipe = new Pipe();
        var peek = TlsClientHello.PeekOffersProtocolAsync(pipe.Reader, AcmeTls1, CancellationToken.None);
        await pipe.Writer.WriteAsync(record.AsMemory(0, 40));
        Assert.False(peek.IsCompleted);
        await pipe.Writer.WriteAsync(record.AsMemory(40));

        Assert.True(await peek);
        var unread = await pipe.Reader.ReadAsync();
        Assert.Equal(record, unread.Buffer.ToArray());
    }

    [Fact]
    public async Task A_client_that_stalls_is_handed_on_unread_when_the_wait_is_cancelled()
    {
        var record = await CaptureClientHelloAsync(["acme-tls/1"]);
        var pipe = new Pipe();
        using var stop = new CancellationTokenSource();
        var peek = TlsClientHello.PeekOffersProtocolAsync(pipe.Reader, AcmeTls1, stop.Token);
        await pipe.Writer.WriteAsync(record.AsMemory(0, 10));
        Assert.False(peek.IsCompleted);
        stop.Cancel();

        Assert.Null(await peek);
        await pipe.Writer.WriteAsync(record.AsMemory(10));
        var unread = await pipe.Reader.ReadAsync();
        Assert.Equal(record, unread.Buffer.ToArray());
    }

    /// <summary>The first TLS record a .NET client sends when it offers <paramref name="protocols"/> by ALPN.</summary>
    private static async Task<byte[]> CaptureClientHelloAsync(string[] protocols, string targetHost = "www.example.test")
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var server = await listener.AcceptTcpClientAsync();
        using var tls = new SslStream(client.GetStream());
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            RemoteCertificateValidationCallback = (_, _, _, _) => false,
        };
        if (protocols.Length > 0)
        {
            options.ApplicationProtocols = [.. protocols.Select(p => new SslApplicationProtocol(p))];
        }

        var handshake = tls.AuthenticateAsClientAsync(options);
        var stream = server.GetStream();
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (received.Count < 5 || received.Count < TlsClientHello.RecordLength(received.Take(5).ToArray()))
        {
            var n = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotEqual(0, n);
            received.AddRange(buffer.Take(n));
        }

        server.Close();
        await Assert.ThrowsAnyAsync<Exception>(() => handshake);
        return [.. received.Take(TlsClientHello.RecordLength(received.Take(5).ToArray()))];
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private static ReadOnlySequence<byte> Segmented(byte[] bytes, int size)
    {
        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < bytes.Length; offset += size)
        {
            var next = new Segment(bytes.AsMemory(offset, Math.Min(size, bytes.Length - offset)), last);
            first ??= next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
