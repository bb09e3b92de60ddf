using System.Net;
using Microsoft.Extensions.Time.Testing;
using Pki.TestSupport;

namespace Pki.Acme.Tests.Unit;

/// <summary>
/// Every HTTP exchange has a deadline over the whole response, body included, and its failures
/// are typed (issue #11: a stalled body hung GetDirectoryAsync although HttpClient.Timeout was 2 s).
/// </summary>
public sealed class TransportDeadlineTests
{
    /// <summary>What a test waits at most before it fails instead of hanging (a regression hangs).</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    private static string DirectoryJson(int port) =>
        $$"""{"newNonce":"http://127.0.0.1:{{port}}/nonce","newAccount":"http://127.0.0.1:{{port}}/acct","newOrder":"http://127.0.0.1:{{port}}/order","revokeCert":"http://127.0.0.1:{{port}}/revoke","keyChange":"http://127.0.0.1:{{port}}/key"}""";

    private static AcmeClient PlainHttpClient(HttpClient http, Uri directory, TimeSpan requestTimeout) =>
        new(http, new AcmeClientOptions { DirectoryUri = directory, AllowInsecureHttp = true, RequestTimeout = requestTimeout });

    [Fact]
    public async Task The_deadline_covers_the_headers_and_runs_on_the_time_provider()
    {
        var time = new FakeTimeProvider();
        using var handler = new StallingHandler(stallBody: false);
        var client = new AcmeClient(new HttpClient(handler), new AcmeClientOptions { DirectoryUri = StubAcmeServer.Directory }, timeProvider: time);

        var fetch = client.GetDirectoryAsync();
        await handler.Started.Task.WaitAsync(Guard);
        time.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(50);
        Assert.False(fetch.IsCompleted); // 29 s of the default 30 s

        time.Advance(TimeSpan.FromSeconds(1));
        var ex = await Assert.ThrowsAsync<AcmeTransportException>(() => fetch.WaitAsync(Guard));
        Assert.Equal(AcmeTransportFailureKind.Timeout, ex.Kind);
        Assert.Equal(StubAcmeServer.Directory, ex.RequestUri);
        Assert.Equal("ACME GET https://acme.test/dir timed out after 30 s (AcmeClientOptions.RequestTimeout) while waiting for the response.", ex.Message);
    }

    [Fact]
    public async Task The_deadline_covers_a_body_that_never_ends()
    {
        var time = new FakeTimeProvider();
        using var handler = new StallingHandler(stallBody: true);
        var client = new AcmeClient(new HttpClient(handler), new AcmeClientOptions { DirectoryUri = StubAcmeServer.Directory, RequestTimeout = TimeSpan.FromSeconds(5) }, timeProvider: time);

        var fetch = client.GetDirectoryAsync();
        await handler.BodyRead.Task.WaitAsync(Guard);
        time.Advance(TimeSpan.FromSeconds(5));

        var ex = await Assert.ThrowsAsync<AcmeTransportException>(() => fetch.WaitAsync(Guard));
        Assert.Equal(AcmeTransportFailureKind.Timeout, ex.Kind);
        Assert.Equal("ACME GET https://acme.test/dir timed out after 5 s (AcmeClientOptions.RequestTimeout) while reading the response body.", ex.Message);
    }

    [Fact]
    public async Task The_callers_own_cancellation_stays_an_OperationCanceledException()
    {
        using var handler = new StallingHandler(stallBody: true);
        var client = new AcmeClient(new HttpClient(handler), new AcmeClientOptions { DirectoryUri = StubAcmeServer.Directory }, timeProvider: new FakeTimeProvider());
        using var caller = new CancellationTokenSource();

        var fetch = client.GetDirectoryAsync(caller.Token);
        await handler.BodyRead.Task.WaitAsync(Guard);
        await caller.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetch.WaitAsync(Guard));
        Assert.Equal(caller.Token, ex.CancellationToken);
    }

    [Fact]
    public async Task A_real_body_stall_behind_the_proxy_ends_at_the_deadline_although_HttpClient_Timeout_never_fires()
    {
        await using var server = LoopbackTcpServer.Http(_ => LoopbackTcpServer.HttpResponse(200, DirectoryJson(0)));
        await using var proxy = new FaultProxy("127.0.0.1", server.Port) { Fault = Fault.StallAfterHeaders(bodyBytes: 20) };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var client = PlainHttpClient(http, new Uri($"http://127.0.0.1:{proxy.Port}/dir"), TimeSpan.FromSeconds(3));
        using var guard = new CancellationTokenSource(Guard);

        var ex = await Assert.ThrowsAsync<AcmeTransportException>(() => client.GetDirectoryAsync(guard.Token));

        Assert.Equal(AcmeTransportFailureKind.Timeout, ex.Kind);
        Assert.EndsWith("timed out after 3 s (AcmeClientOptions.RequestTimeout) while reading the response body.", ex.Message, StringComparison.Ordinal);
        Assert.True(proxy.BytesToClient > 20, "the headers and 20 body bytes came through, then the body stalled");
    }

    [Fact]
    public async Task A_server_that_does_not_speak_http_is_an_InvalidResponse()
    {
        await using var server = new LoopbackTcpServer(async (stream, ct) =>
        {
            await LoopbackTcpServer.ReadRequestHeadAsync(stream, ct);
            await stream.WriteAsync("SSH-2.0-OpenSSH_9.6\r\n\r\n"u8.ToArray(), ct);
        });
        using var http = new HttpClient();
        var directory = new Uri($"http://127.0.0.1:{server.Port}/dir");

        var ex = await Assert.ThrowsAsync<AcmeTransportException>(() => PlainHttpClient(http, directory, TimeSpan.FromSeconds(10)).GetDirectoryAsync());

        Assert.Equal(AcmeTransportFailureKind.InvalidResponse, ex.Kind);
        Assert.Equal(directory, ex.RequestUri);
        Assert.StartsWith($"ACME GET {directory} failed while waiting for the response: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connection_is_ConnectionFailed()
    {
        using var http = new HttpClient();
        var directory = new Uri($"http://127.0.0.1:{FreePorts.Tcp()}/dir");

        var ex = await Assert.ThrowsAsync<AcmeTransportException>(() => PlainHttpClient(http, directory, TimeSpan.FromSeconds(10)).GetDirectoryAsync());

        Assert.Equal(AcmeTransportFailureKind.ConnectionFailed, ex.Kind);
        Assert.Contains("Connection refused", ex.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(ex.InnerException);
    }

    [Fact]
    public async Task A_503_the_proxy_answers_itself_is_a_problem_with_its_retry_after()
    {
        await using var server = LoopbackTcpServer.Http(_ => LoopbackTcpServer.HttpResponse(200, DirectoryJson(0)));
        await using var proxy = new FaultProxy("127.0.0.1", server.Port) { Fault = Fault.HttpResponse(503, retryAfter: "7", body: "busy", contentType: "text/plain") };
        using var http = new HttpClient();

        var ex = await Assert.ThrowsAsync<AcmeProblemException>(() => PlainHttpClient(http, new Uri($"http://127.0.0.1:{proxy.Port}/dir"), TimeSpan.FromSeconds(10)).GetDirectoryAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), ex.RetryAfter);
        Assert.Equal(1, proxy.ResponsesSynthesized);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(601)]
    public void RequestTimeout_must_be_positive_and_bounded(int seconds)
    {
        var ex = Assert.Throws<AcmeConfigurationException>(() => new AcmeClient(new HttpClient(), new AcmeClientOptions { DirectoryUri = StubAcmeServer.Directory, RequestTimeout = TimeSpan.FromSeconds(seconds) }));
        Assert.Equal($"AcmeClientOptions.RequestTimeout must be positive and at most 00:10:00; it is {TimeSpan.FromSeconds(seconds)}.", ex.Message);
    }

    /// <summary>Never answers (headers), or answers the directory's headers and never ends the body.</summary>
    private sealed class StallingHandler(bool stallBody) : HttpMessageHandler
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource BodyRead { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            if (!stallBody)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            var content = new StreamContent(new StallingStream(BodyRead));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        }
    }

    private sealed class StallingStream(TaskCompletionSource reading) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            reading.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
