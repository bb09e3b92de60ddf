using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Pki.TestSupport.Tests;

/// <summary>Every fault of <see cref="FaultProxy"/>, each against a real loopback server.</summary>
public sealed class FaultProxyTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private static byte[] Pattern(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)(i % 251))];

    /// <summary>A server that sends <paramref name="data"/> on connect, then waits for the client to close.</summary>
    private static LoopbackTcpServer Sender(byte[] data) => new(async (stream, ct) =>
    {
        await stream.WriteAsync(data, ct);
        while (await stream.ReadAsync(new byte[256], ct) > 0)
        {
        }
    });

    private static LoopbackTcpServer Echo() => new(async (stream, ct) =>
    {
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read), ct);
        }
    });

    private static LoopbackTcpServer HttpOk(string body) =>
        LoopbackTcpServer.Http(_ => LoopbackTcpServer.HttpResponse(200, body, "text/plain"));

    private static async Task<TcpClient> ConnectAsync(FaultProxy proxy)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, proxy.Port);
        return client;
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await stream.ReadExactlyAsync(buffer, guard.Token);
        return buffer;
    }

    /// <summary>Nothing arrives for a while, and the connection is not closed (a read would return 0).</summary>
    private static async Task AssertNothingArrivesAsync(Stream stream)
    {
        using var quiet = new CancellationTokenSource(Quiet);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await stream.ReadAtLeastAsync(new byte[64], 1, throwOnEndOfStream: false, quiet.Token));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), what);
    }

    [Fact]
    public async Task Pass_forwards_both_ways_and_counts_connections_and_bytes()
    {
        await using var echo = Echo();
        await using var proxy = new FaultProxy("127.0.0.1", echo.Port);
        var data = Pattern(5000);

        using (var client = await ConnectAsync(proxy))
        {
            var stream = client.GetStream();
            await stream.WriteAsync(data);
            Assert.Equal(data, await ReadExactlyAsync(stream, data.Length));
        }

        await WaitUntilAsync(() => proxy.BytesToClient == 5000, "bytes to client counted");
        Assert.Equal(5000, proxy.BytesToServer);
        Assert.Equal(1, proxy.ConnectionsAccepted);
        Assert.Equal(1, echo.ConnectionsAccepted);
        Assert.Equal([FaultKind.Pass], proxy.AppliedFaults);
        await WaitUntilAsync(() => proxy.ActiveConnections == 0, "the closed connection is forgotten");
    }

    [Fact]
    public async Task StallAfter_forwards_the_first_bytes_then_holds_the_connection_open_until_lifted()
    {
        var data = Pattern(10_000);
        await using var server = Sender(data);
        await using var proxy = new FaultProxy("127.0.0.1", server.Port) { Fault = Fault.StallAfter(1000) };
        using var client = await ConnectAsync(proxy);
        var stream = client.GetStream();

        Assert.Equal(data[..1000], await ReadExactlyAsync(stream, 1000));
        await AssertNothingArrivesAsync(stream);
        Assert.Equal(1, proxy.ActiveConnections);
        Assert.Equal(1000, proxy.BytesToClient);

        // The held connection follows the proxy: lifting the fault lets the rest through.
        proxy.Fault = Fault.Pass;
        Assert.Equal(data[1000..], await ReadExactlyAsync(stream, 9000));
    }

    [Fact]
    public async Task StallAfterHeaders_delivers_the_headers_and_stalls_the_body()
    {
        var body = new string('b', 1000);
        await using var server = HttpOk(body);
        await using var proxy = new FaultProxy("127.0.0.1", server.Port) { Fault = Fault.StallAfterHeaders(10) };
        using var http = new HttpClient();

        using var response = await http.GetAsync(proxy.Map(new Uri($"http://127.0.0.1:{server.Port}/x")), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1000, response.Content.Headers.ContentLength);

        var stream = await response.Content.ReadAsStreamAsync();
        Assert.Equal("bbbbbbbbbb", Encoding.ASCII.GetString(await ReadExactlyAsync(stream, 10)));
        await AssertNothingArrivesAsync(stream);
    }

    [Fact]
    public async Task Trickle_sends_one_chunk_per_interval_of_the_time_provider()
    {
        var time = new FakeTimeProvider();
        var data = Pattern(20);
        await using var server = Sender(data);
        await using var proxy = new FaultProxy("127.0.0.1", server.Port, time) { Fault = Fault.Trickle(5, TimeSpan.FromSeconds(1)) };
        using var client = await ConnectAsync(proxy);
        var stream = client.GetStream();

        Assert.Equal(data[..5], await ReadExactlyAsync(stream, 5));
        await AssertNothingArrivesAsync(stream); // the next chunk waits for the (fake) interval

        var received = new List<byte>(data[..5]);
        var advances = 0;
        var buffer = new byte[64];
        while (received.Count < data.Length && advances < 100)
        {
            var read = stream.ReadAsync(buffer).AsTask();
            while (!read.IsCompleted && advances < 100)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                advances++;
                await Task.WhenAny(read, Task.Delay(20));
            }

            received.AddRange(buffer[..await read]);
        }

        Assert.Equal(data, received);
        Assert.True(advances >= 3, $"three more chunks need three more intervals; took {advances}");
    }

    [Fact]
    public async Task Reset_accepts_then_sends_rst_without_contacting_the_target()
    {
        await using var server = Echo();
        await using var proxy = new FaultProxy("127.0.0.1", server.Port) { Fault = Fault.Reset };

        // The RST may already be there when the connect completes, or show on the first read.
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var client = await ConnectAsync(proxy);
            var stream = client.GetStream();
            await stream.WriteAsync(Pattern(10));
            await ReadExactlyAsync(stream, 1);
        });
        var socketError = Assert.IsType<SocketException>(ex as SocketException ?? Assert.IsType<IOException>(ex).InnerException);
        Assert.Equal(SocketError.ConnectionReset, socketError.SocketErrorCode);
        Assert.Equal(1, proxy.ConnectionsReset);
        Assert.Equal(0, server.ConnectionsAccepted);
    }

    [Fact]
    public async Task BlackHole_accepts_and_never_answers_nor_closes()
    {
        await using var server = Echo();
        await using var proxy = new FaultProxy("127.0.0.1", server.Port) { Fault = Fault.BlackHole };
        using var client = await ConnectAsync(proxy);
        var stream = client.GetStream();
        await stream.WriteAsync(Pattern(100));

        await AssertNothingArrivesAsync(stream);
        Assert.Equal(1, proxy.ActiveConnections);
        Assert.Equal(0, server.ConnectionsAccepted);
    }

    [Fact]
    public async Task HttpResponse_answers_itself_with_the_status_retry_after_and_body()
    {
        await using var server = HttpOk("real");
        await using var proxy = new FaultProxy("127.0.0.1", server.Port) { Fault = Fault.HttpResponse(503, retryAfter: "7") };
        using var http = new HttpClient();
        var url = proxy.Map(new Uri($"http://127.0.0.1:{server.Port}/dir"));

        using (var response = await http.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter!.Delta);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            Assert.Contains("injected by FaultProxy", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        proxy.Fault = Fault.HttpResponse(429, retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT", body: "slow down", contentType: "text/plain");
        using (var post = await http.PostAsync(url, new StringContent(new string('x', 5000))))
        {
            Assert.Equal((HttpStatusCode)429, post.StatusCode);
            Assert.Equal(new DateTimeOffset(2015, 10, 21, 7, 28, 0, TimeSpan.Zero), post.Headers.RetryAfter!.Date);
            Assert.Equal("slow down", await post.Content.ReadAsStringAsync());
        }

        using (var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url)))
        {
            Assert.Equal((HttpStatusCode)429, head.StatusCode);
        }

        Assert.Equal(3, proxy.ResponsesSynthesized);
        Assert.Equal(0, server.ConnectionsAccepted);
    }

    [Fact]
    public async Task Live_pooled_connections_follow_the_fault_so_keep_alive_cannot_dodge_it()
    {
        await using var server = HttpOk("real");
        await using var proxy = new FaultProxy("127.0.0.1", server.Port);
        using var http = new HttpClient();
        var url = proxy.Map(new Uri($"http://127.0.0.1:{server.Port}/"));

        Assert.Equal("real", await http.GetStringAsync(url));
        Assert.Equal("real", await http.GetStringAsync(url));
        Assert.Equal(1, proxy.ConnectionsAccepted); // kept alive

        // A stall reaches the pooled connection: the next request on it never gets its answer.
        proxy.Fault = Fault.StallAfter(0);
        using (var stalled = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => http.GetStringAsync(url, stalled.Token));
        }

        Assert.Equal(1, proxy.ConnectionsAccepted);

        // Lifted: a new connection passes again.
        proxy.Fault = Fault.Pass;
        Assert.Equal("real", await http.GetStringAsync(url));

        // A canned answer closes the pooled connection, so the next request gets the canned answer.
        proxy.Fault = Fault.HttpResponse(503);
        using (var response = await http.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        proxy.Fault = Fault.Pass;
        Assert.Equal("real", await http.GetStringAsync(url));

        // A reset kills the pooled connection and every new one.
        // HttpClient reports it as HttpRequestException, or, when the reset lands while the pooled connection is
        // being reused, as the raw SocketException/IOException (seen under load on 2 cores).
        proxy.Fault = Fault.Reset;
        var reset = await Record.ExceptionAsync(() => http.GetStringAsync(url));
        Assert.True(reset is HttpRequestException or IOException or System.Net.Sockets.SocketException, reset?.ToString() ?? "no exception");
        Assert.True(proxy.ConnectionsReset >= 1);
    }

    [Fact]
    public async Task Random_draws_per_connection_reproducibly_from_its_seed_and_weights()
    {
        await using var server = Echo();
        var chaos = Fault.Random(1234, (Fault.Pass, 3), (Fault.Reset, 1), (Fault.BlackHole, 0));

        async Task<IReadOnlyList<FaultKind>> RunAsync()
        {
            await using var proxy = new FaultProxy("127.0.0.1", server.Port) { Fault = chaos };
            for (var i = 1; i <= 40; i++)
            {
                try
                {
                    using var client = await ConnectAsync(proxy);
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
                {
                    // A drawn reset can arrive before the connect completes.
                }

                await WaitUntilAsync(() => proxy.ConnectionsAccepted == i, "accepted in order");
            }

            var applied = proxy.AppliedFaults;
            await WaitUntilAsync(() => proxy.ConnectionsReset == applied.Count(k => k == FaultKind.Reset), "every drawn reset was sent");
            return applied;
        }

        var first = await RunAsync();
        var second = await RunAsync();

        Assert.Equal(40, first.Count);
        Assert.Equal(first, second);
        Assert.Contains(FaultKind.Pass, first);
        Assert.Contains(FaultKind.Reset, first);
        Assert.DoesNotContain(FaultKind.BlackHole, first); // weight 0
        Assert.Throws<ArgumentException>(() => Fault.Random(1, (Fault.Random(2, (Fault.Pass, 1)), 1)));
        Assert.Throws<ArgumentException>(() => Fault.Random(1, (Fault.Pass, 0)));
    }

    [Fact]
    public async Task Dispose_closes_the_listener_and_every_connection()
    {
        await using var server = Echo();
        var proxy = new FaultProxy("127.0.0.1", server.Port);
        using var forwarded = await ConnectAsync(proxy);
        using var held = await ConnectAsync(proxy);
        await WaitUntilAsync(() => proxy.ActiveConnections == 2, "both accepted");
        proxy.Fault = Fault.BlackHole;

        await proxy.DisposeAsync();

        foreach (var client in new[] { forwarded, held })
        {
            try
            {
                Assert.Equal(0, await client.GetStream().ReadAsync(new byte[16]));
            }
            catch (IOException)
            {
                // Reset: closed too.
            }
        }

        using var late = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => late.ConnectAsync(IPAddress.Loopback, proxy.Port));
    }

    [Fact]
    public void Faults_describe_themselves_and_refuse_bad_parameters()
    {
        Assert.Equal("StallAfter(200)", Fault.StallAfter(200).ToString());
        Assert.Equal("HttpResponse(429, Retry-After: 0)", Fault.HttpResponse(429, "0").ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => Fault.StallAfter(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Fault.Trickle(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Fault.HttpResponse(99));
    }
}

/// <summary>TLS passes through the proxy: a real Pebble behind it.</summary>
public sealed class FaultProxyPebbleTests : IAsyncLifetime
{
    private PebbleServer _pebble = null!;

    public async Task InitializeAsync() => _pebble = await PebbleServer.StartAsync();

    public async Task DisposeAsync() => await _pebble.DisposeAsync();

    [Fact]
    public async Task Https_passes_through_and_pebble_builds_its_urls_from_the_proxy_address()
    {
        await using var proxy = FaultProxy.For(_pebble.DirectoryUri);
        using var http = _pebble.CreateHttpClient();

        var directory = await http.GetStringAsync(proxy.Map(_pebble.DirectoryUri));

        Assert.Contains($"\"newNonce\": \"https://127.0.0.1:{proxy.Port}/nonce-plz\"", directory, StringComparison.Ordinal);
        Assert.True(proxy.BytesToClient > directory.Length, "the TLS records came through the proxy");
    }

    [Fact]
    public async Task Tls_stalls_trickles_and_resets_for_real()
    {
        await using var proxy = FaultProxy.For(_pebble.DirectoryUri);
        var url = proxy.Map(_pebble.DirectoryUri);

        // Stalled in the middle of the handshake: the request never completes.
        proxy.Fault = Fault.StallAfter(100);
        using (var http = _pebble.CreateHttpClient())
        using (var stalled = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => http.GetStringAsync(url, stalled.Token));
        }

        Assert.Equal(100, proxy.BytesToClient);

        // Trickled: slow, but every byte arrives intact.
        proxy.Fault = Fault.Trickle(256, TimeSpan.FromMilliseconds(5));
        using (var http = _pebble.CreateHttpClient())
        {
            Assert.Contains("newNonce", await http.GetStringAsync(url), StringComparison.Ordinal);
        }

        proxy.Fault = Fault.Reset;
        using (var http = _pebble.CreateHttpClient())
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(url));
        }
    }
}
