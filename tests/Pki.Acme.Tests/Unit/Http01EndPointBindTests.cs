using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Pki.Acme.Tests.Unit;

/// <summary>
/// Issue #13: an http-01 responder bound to one address answers whatever Host the CA sends (an
/// HttpListener prefix on 127.0.0.1 answers 404 to <c>Host: www.example.com</c>), and a malformed,
/// oversized or stalled request gets a typed answer or a closed connection, never a crash.
/// </summary>
public sealed class Http01EndPointBindTests
{
    private const string Token = IssuanceStub.ValidToken;
    private const string KeyAuthorization = Token + ".thumbprint";

    private static InMemoryHttp01TokenStore Store()
    {
        var store = new InMemoryHttp01TokenStore();
        store.Add(Token, KeyAuthorization);
        return store;
    }

    [Fact]
    public async Task A_responder_bound_to_loopback_answers_a_real_domain_name_in_the_Host_header()
    {
        await using var responder = Http01Responder.Start(Store(), new IPEndPoint(IPAddress.Loopback, 0));
        var endPoint = responder.LocalEndPoint!;
        Assert.Equal(IPAddress.Loopback, endPoint.Address);
        Assert.NotEqual(0, endPoint.Port);

        var answer = await SendAsync(endPoint, $"GET {Http01Endpoint.PathPrefix}{Token} HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: validator\r\nAccept: */*\r\n\r\n");

        Assert.Equal(
            $"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {KeyAuthorization.Length}\r\nConnection: close\r\n\r\n{KeyAuthorization}",
            answer);
    }

    [Theory]
    [InlineData("GET /.well-known/acme-challenge/unknown-token HTTP/1.1\r\nHost: www.example.com\r\n\r\n", "HTTP/1.1 404 Not Found\r\n")]
    [InlineData("GET /.well-known/acme-challenge/..%2Fetc HTTP/1.1\r\nHost: www.example.com\r\n\r\n", "HTTP/1.1 404 Not Found\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n", "HTTP/1.1 404 Not Found\r\n")]
    [InlineData("POST /.well-known/acme-challenge/" + Token + " HTTP/1.1\r\nHost: www.example.com\r\n\r\n", "HTTP/1.1 404 Not Found\r\n")]
    [InlineData("GET http://www.example.com/.well-known/acme-challenge/" + Token + "?x=1 HTTP/1.0\r\n\r\n", "HTTP/1.1 200 OK\r\n")]
    [InlineData("HEAD /.well-known/acme-challenge/" + Token + " HTTP/1.1\r\nHost: www.example.com\r\n\r\n", "HTTP/1.1 200 OK\r\n")]
    [InlineData("NONSENSE\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n")]
    [InlineData("GET /.well-known/acme-challenge/" + Token + " SPDY/3\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n")]
    [InlineData("GET  /x HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n")]
    [InlineData("GET /\u00e9 HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n")]
    public async Task Every_request_gets_a_typed_answer(string request, string statusLine)
    {
        await using var responder = Http01Responder.Start(Store(), new IPEndPoint(IPAddress.Loopback, 0));

        var answer = await SendAsync(responder.LocalEndPoint!, request);

        Assert.StartsWith(statusLine, answer, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", answer, StringComparison.Ordinal);
        Assert.Equal(request.StartsWith("GET http:", StringComparison.Ordinal), answer.EndsWith(KeyAuthorization, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_oversized_request_head_is_refused_with_431_and_the_responder_keeps_serving()
    {
        await using var responder = Http01Responder.Start(Store(), new IPEndPoint(IPAddress.Loopback, 0));
        var head = $"GET {Http01Endpoint.PathPrefix}{Token} HTTP/1.1\r\nHost: www.example.com\r\nX-Pad: ";
        var oversized = head + new string('a', Http01Responder.MaxRequestHeadBytes - head.Length); // no end of head within the limit

        var refused = await SendAsync(responder.LocalEndPoint!, oversized);
        var served = await SendAsync(responder.LocalEndPoint!, $"GET {Http01Endpoint.PathPrefix}{Token} HTTP/1.1\r\nHost: www.example.com\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n", refused, StringComparison.Ordinal);
        Assert.EndsWith(KeyAuthorization, served, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_that_stalls_past_the_read_deadline_is_closed_unanswered()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var responder = Http01Responder.Start(Store(), new IPEndPoint(IPAddress.Loopback, 0), timeProvider: time);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, responder.LocalEndPoint!.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /.well-known/acme-challenge/"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var read = reader.ReadToEndAsync();
        await Task.WhenAny(read, Task.Delay(200));
        Assert.False(read.IsCompleted, "The responder closed a connection whose request was still arriving, before its deadline.");

        // The connection's deadline is set on the fake clock when the responder accepts it; advance
        // until it has passed (each step is past the whole deadline), without asserting any timing.
        for (var i = 0; i < 600 && !read.IsCompleted; i++)
        {
            time.Advance(Http01Responder.RequestReadTimeout + TimeSpan.FromSeconds(1));
            await Task.WhenAny(read, Task.Delay(50));
        }

        Assert.Equal(string.Empty, await read);
    }

    [Fact]
    public async Task A_port_in_use_is_a_configuration_error_naming_the_endpoint()
    {
        await using var first = Http01Responder.Start(Store(), new IPEndPoint(IPAddress.Loopback, 0));
        var taken = first.LocalEndPoint!;

        var failure = Assert.Throws<AcmeConfigurationException>(() => Http01Responder.Start(Store(), taken));

        Assert.StartsWith($"The http-01 responder could not listen on {taken}: ", failure.Message, StringComparison.Ordinal);
    }

    private static async Task<string> SendAsync(IPEndPoint endPoint, string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endPoint.Address, endPoint.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync();
    }
}
