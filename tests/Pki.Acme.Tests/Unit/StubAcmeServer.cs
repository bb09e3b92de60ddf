using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Pki.Acme.Tests.Unit;

/// <summary>
/// An in-memory ACME server for the error paths a real CA does not produce on demand: each
/// request goes to a route by method and path; every response carries a fresh Replay-Nonce
/// unless the route says otherwise.
/// </summary>
public sealed class StubAcmeServer : HttpMessageHandler
{
    public static readonly Uri Directory = new("https://acme.test/dir");
    private readonly ConcurrentDictionary<string, DateTimeOffset> _issued = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _used = new(StringComparer.Ordinal);
    private int _nonce;
    private int _badNonces;

    /// <summary>
    /// When set, a POST whose nonce is not one of the last <c>NonceWindow</c> nonces issued (to
    /// anyone), or was used before, is refused with badNonce: a server that remembers a bounded
    /// window of recent nonces, as Boulder's nonce service does.
    /// </summary>
    public int? NonceWindow { get; set; }

    /// <summary>When set, a POST whose nonce was issued longer ago than this (by <see cref="NonceClock"/>) is refused with badNonce.</summary>
    public TimeSpan? NonceLifetime { get; set; }

    public TimeProvider NonceClock { get; set; } = TimeProvider.System;

    /// <summary>Awaited before a request is routed: lets a test hold requests so that they are truly concurrent.</summary>
    public Func<HttpRequestMessage, Task>? BeforeRoute { get; set; }

    /// <summary>badNonce answers given because of <see cref="NonceWindow"/> or <see cref="NonceLifetime"/>.</summary>
    public int BadNonceAnswers => Volatile.Read(ref _badNonces);

    /// <summary>The nonces signed into POSTs, in order.</summary>
    public List<string> SignedNonces { get; } = [];

    /// <summary>Other clients of the server take <paramref name="count"/> nonces, pushing older ones out of the window.</summary>
    public void IssueNoncesToOthers(int count) => Interlocked.Add(ref _nonce, count);

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

        if (BeforeRoute is { } gate)
        {
            await gate(request);
        }

        if (!Routes.TryGetValue(key, out var route))
        {
            return Json(HttpStatusCode.NotFound, """{"type":"about:blank","detail":"no route"}""", "application/problem+json");
        }

        var response = request.Method == HttpMethod.Post && body is not null && !AcceptNonce(body)
            ? Problem(HttpStatusCode.BadRequest, "urn:ietf:params:acme:error:badNonce", "stale or unknown nonce")
            : route(request);
        if (!response.Headers.Contains("Replay-Nonce") && !response.Headers.Contains("X-No-Nonce"))
        {
            var nonce = "nonce" + Interlocked.Increment(ref _nonce);
            _issued[nonce] = NonceClock.GetUtcNow();
            response.Headers.Add("Replay-Nonce", nonce);
        }

        response.Headers.Remove("X-No-Nonce");
        return response;
    }

    private bool AcceptNonce(string jws)
    {
        using var document = JsonDocument.Parse(jws);
        var encoded = document.RootElement.GetProperty("protected").GetString()!.Replace('-', '+').Replace('_', '/');
        using var header = JsonDocument.Parse(Convert.FromBase64String(encoded.PadRight(encoded.Length + ((4 - (encoded.Length % 4)) % 4), '=')));
        var nonce = header.RootElement.TryGetProperty("nonce", out var n) ? n.GetString() ?? string.Empty : string.Empty;
        lock (SignedNonces)
        {
            SignedNonces.Add(nonce);
        }

        if (NonceWindow is null && NonceLifetime is null)
        {
            return true;
        }

        var ok = _issued.TryGetValue(nonce, out var issuedAt)
            && (NonceWindow is not { } window || int.Parse(nonce["nonce".Length..], System.Globalization.CultureInfo.InvariantCulture) > Volatile.Read(ref _nonce) - window)
            && (NonceLifetime is not { } lifetime || NonceClock.GetUtcNow() - issuedAt <= lifetime)
            && _used.TryAdd(nonce, true);
        if (!ok)
        {
            Interlocked.Increment(ref _badNonces);
        }

        return ok;
    }
}
