using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Pki.TestSupport;

namespace Pki.Ari.Tests;

/// <summary>
/// A renewalInfo server over real HTTP on loopback (Pebble 2.4 has no ARI). Each CertID path gets
/// a scripted answer; requests are counted so tests can prove when the client did not poll.
/// </summary>
public sealed class AriServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, Answer> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly Task _loop;

    public sealed record Answer(int Status, string Body, string? RetryAfter = null, string ContentType = "application/json");

    public AriServer()
    {
        Port = FreePorts.Tcp();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public Uri RenewalInfoUrl => new($"http://127.0.0.1:{Port}/renewalInfo");

    public void Set(AriCertId id, Answer answer) => _answers[id.Value] = answer;

    public int Requests(AriCertId id) => _requests.TryGetValue(id.Value, out var n) ? n : 0;

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var id = context.Request.Url!.AbsolutePath["/renewalInfo/".Length..];
            _requests.AddOrUpdate(id, 1, (_, n) => n + 1);
            var answer = context.Request.HttpMethod == "GET" && _answers.TryGetValue(id, out var a) ? a : new Answer(404, """{"type":"urn:ietf:params:acme:error:malformed"}""", ContentType: "application/problem+json");
            var body = Encoding.UTF8.GetBytes(answer.Body);
            context.Response.StatusCode = answer.Status;
            context.Response.ContentType = answer.ContentType;
            if (answer.RetryAfter is not null)
            {
                context.Response.AddHeader("Retry-After", answer.RetryAfter);
            }

            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Close alone: on Linux, Stop then Close unregisters the prefixes twice, and the second time
        // the managed HttpListener binds the port again to find its endpoint, which fails with
        // "Address already in use" once another test has taken the freed port.
        _listener.Close();
        await _loop;
    }
}
