using System.Net;
using System.Text;

namespace Pki.Acme.Tests.Unit;

/// <summary>
/// An in-memory ACME server for the error paths a real CA does not produce on demand: each
/// request goes to a route by method and path; every response carries a fresh Replay-Nonce
/// unless the route says otherwise.
/// </summary>
public sealed class StubAcmeServer : HttpMessageHandler
{
    public static readonly Uri Directory = new("https://acme.test/dir");
    private int _nonce;

    public Dictionary<string, Func<HttpRequestMessage, HttpResponseMessage>> Routes { get; } = new(StringComparer.Ordinal);

    public List<(string Method, string Path, string? Body)> Requests { get; } = [];

    public StubAcmeServer()
    {
        Routes["GET /dir"] = _ => Json(HttpStatusCode.OK, """
            {"newNonce":"https://acme.test/nonce","newAccount":"https://acme.test/acct","newOrder":"https://acme.test/order",
             "revokeCert":"https://acme.test/revoke","keyChange":"https://acme.test/key-change",
             "meta":{"termsOfService":"https://acme.test/tos","caaIdentities":["acme.test"],"profiles":{"classic":"The usual","shortlived":"Six days"}}}
            """);
        Routes["HEAD /nonce"] = _ => new HttpResponseMessage(HttpStatusCode.OK);
        Routes["POST /acct"] = _ => Json(HttpStatusCode.Created, """{"status":"valid"}""", location: "https://acme.test/acct/1");
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json, string mediaType = "application/json", string? location = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, mediaType) };
        if (location is not null)
        {
            response.Headers.Location = new Uri(location);
        }

        return response;
    }

    public static HttpResponseMessage Problem(HttpStatusCode status, string type, string detail, string? extra = null) =>
        Json(status, $$"""{"type":"{{type}}","detail":"{{detail}}","status":{{(int)status}}{{extra}}}""", "application/problem+json");

    public AcmeClient CreateClient(Action<AcmeClientOptions>? configure = null, TimeProvider? time = null, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        var options = new AcmeClientOptions { DirectoryUri = Directory };
        configure?.Invoke(options);
        return new AcmeClient(new HttpClient(this, disposeHandler: false), options, logger, time);
    }

    public int Count(string route) => Requests.Count(r => $"{r.Method} {r.Path}" == route);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var key = $"{request.Method.Method} {request.RequestUri!.AbsolutePath}";
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests)
        {
            Requests.Add((request.Method.Method, request.RequestUri.AbsolutePath, body));
        }

        if (!Routes.TryGetValue(key, out var route))
        {
            return Json(HttpStatusCode.NotFound, """{"type":"about:blank","detail":"no route"}""", "application/problem+json");
        }

        var response = route(request);
        if (!response.Headers.Contains("Replay-Nonce") && !response.Headers.Contains("X-No-Nonce"))
        {
            response.Headers.Add("Replay-Nonce", "nonce" + Interlocked.Increment(ref _nonce));
        }

        response.Headers.Remove("X-No-Nonce");
        return response;
    }
}
