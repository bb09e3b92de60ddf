using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Pki.Acme.Internal;

/// <summary>
/// HTTP for ACME: bounded reads, a deadline over every whole exchange (body included),
/// content-type checks, problem documents, the nonce pool (RFC 8555 section 7.2: every
/// response's Replay-Nonce is kept, the newest used first) and transparent, bounded badNonce
/// retries (section 6.5) that sign again with the nonce the badNonce answer carried.
/// </summary>
internal sealed class AcmeTransport
{
    public const string JoseJson = "application/jose+json";
    public const string Json = "application/json";
    public const string ProblemJson = "application/problem+json";
    public const string PemChain = "application/pem-certificate-chain";

    private static readonly Regex LinkPattern = new(@"<(?<target>[^>]*)>\s*(?<params>(?:;\s*[^;,]*)*)", RegexOptions.CultureInvariant | RegexOptions.Compiled);
    private static readonly Regex RelPattern = new(@"rel\s*=\s*""?(?<rel>[^"";,\s]+)""?", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Compiled);

    private readonly HttpClient _http;
    private readonly AcmeClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly NoncePool _nonces;

    public AcmeTransport(HttpClient http, AcmeClientOptions options, ILogger logger, TimeProvider time)
    {
        _http = http;
        _options = options;
        _logger = logger;
        _time = time;
        _nonces = new NoncePool(time, options.NonceMaxAge);
    }

    /// <summary>Nonces currently pooled (for tests and diagnostics).</summary>
    public int PooledNonces => _nonces.Count;

    public Task<AcmeResponse> GetAsync(Uri url, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url), cancellationToken);

    /// <summary>
    /// Signs and posts a request, taking a nonce from the pool (or newNonce), and sends it again
    /// with a fresh nonce when the server answers badNonce, at most <see cref="AcmeClientOptions.BadNonceRetries"/> times.
    /// </summary>
    public async Task<AcmeResponse> PostAsync(Uri url, AcmeKey key, string? kid, ReadOnlyMemory<byte> payload, bool postAsGet, Uri newNonceUrl, CancellationToken cancellationToken)
    {
        PooledNonce? fromBadNonce = null;
        for (var attempt = 0; ; attempt++)
        {
            var nonce = fromBadNonce ?? await GetNonceAsync(newNonceUrl, cancellationToken).ConfigureAwait(false);
            var body = JwsWriter.Sign(key, kid, nonce.Value, url, payload.Span, postAsGet);
            var retryNonce = attempt < _options.BadNonceRetries ? new NonceSlot() : null;
            try
            {
                return await SendAsync(
                    () => new HttpRequestMessage(HttpMethod.Post, url) { Content = JoseContent(body) },
                    cancellationToken,
                    retryNonce).ConfigureAwait(false);
            }
            catch (AcmeProblemException ex) when (ex.Type == AcmeProblemTypes.BadNonce && retryNonce is not null)
            {
                // Section 6.5: the badNonce answer carries a fresh nonce; it is the best one to sign
                // with next. Pooled nonces obtained before the refused one are probably as stale.
                _nonces.DropObtainedNoLaterThan(nonce);
                fromBadNonce = retryNonce.Nonce;
                Log.BadNonceRetry(_logger, url, attempt + 1, _options.BadNonceRetries);
                AcmeDiagnostics.BadNonceRetries.Add(1);
            }
        }
    }

    /// <summary>Receives the Replay-Nonce of a badNonce answer so the retry uses it rather than the pool.</summary>
    private sealed class NonceSlot
    {
        public PooledNonce? Nonce { get; set; }
    }

    private static ByteArrayContent JoseContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(JoseJson);
        return content;
    }

    private async Task<PooledNonce> GetNonceAsync(Uri newNonceUrl, CancellationToken cancellationToken)
    {
        if (_nonces.TryTake(out var pooled))
        {
            return pooled;
        }

        // RFC 8555 section 7.2: HEAD newNonce; the nonce is in Replay-Nonce.
        using var request = new HttpRequestMessage(HttpMethod.Head, newNonceUrl);
        request.Headers.UserAgent.ParseAdd(_options.UserAgent);
        using var deadline = new RequestDeadline(_time, _options.RequestTimeout, cancellationToken);
        using var response = await SendForHeadersAsync(request, deadline, cancellationToken).ConfigureAwait(false);
        Log.Exchange(_logger, "HEAD", newNonceUrl, (int)response.StatusCode);
        if (!response.IsSuccessStatusCode)
        {
            throw new AcmeProtocolException(AcmeProtocolError.UnexpectedStatus, newNonceUrl, $"newNonce answered HTTP {(int)response.StatusCode}");
        }

        if (!TryReadNonce(response, out var nonce))
        {
            throw new AcmeProtocolException(AcmeProtocolError.MissingNonce, newNonceUrl, "newNonce answered without a valid Replay-Nonce header");
        }

        return _nonces.Fresh(nonce);
    }

    private static bool TryReadNonce(HttpResponseMessage response, out string nonce)
    {
        nonce = string.Empty;
        if (!response.Headers.TryGetValues("Replay-Nonce", out var values))
        {
            return false;
        }

        var value = values.FirstOrDefault()?.Trim();

        // Section 6.5.1: the value MUST be an octet string encoded with base64url.
        if (string.IsNullOrEmpty(value) || value!.Length > 512 || !value.All(IsBase64UrlChar))
        {
            return false;
        }

        nonce = value;
        return true;
    }

    private static bool IsBase64UrlChar(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';

    private async Task<AcmeResponse> SendAsync(Func<HttpRequestMessage> createRequest, CancellationToken cancellationToken, NonceSlot? badNonceSlot = null)
    {
        using var request = createRequest();
        request.Headers.UserAgent.ParseAdd(_options.UserAgent);
        var url = request.RequestUri!;

        // One deadline for the whole exchange: HttpClient.Timeout stops at the headers.
        using var deadline = new RequestDeadline(_time, _options.RequestTimeout, cancellationToken);
        using (var response = await SendForHeadersAsync(request, deadline, cancellationToken).ConfigureAwait(false))
        {
            Log.Exchange(_logger, request.Method.Method, url, (int)response.StatusCode);
            AcmeDiagnostics.Requests.Add(1, new KeyValuePair<string, object?>("http.request.method", request.Method.Method), new KeyValuePair<string, object?>("http.response.status_code", (int)response.StatusCode));
            var hasNonce = TryReadNonce(response, out var nonce);
            byte[] body;
            try
            {
                body = await ReadBoundedAsync(response, url, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransportFailure(ex, cancellationToken))
            {
                throw TransportFailure(request, ex, deadline, "reading the response body");
            }
            catch (OperationCanceledException ex) when (IsCallersCancellation(ex, cancellationToken))
            {
                throw new OperationCanceledException(ex.Message, ex, cancellationToken);
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var retryAfter = ReadRetryAfter(response);
            if ((int)response.StatusCode >= 400)
            {
                var error = ToError(url, response.StatusCode, mediaType, body, retryAfter);
                if (hasNonce && badNonceSlot is not null && error is AcmeProblemException { Type: AcmeProblemTypes.BadNonce })
                {
                    badNonceSlot.Nonce = _nonces.Fresh(nonce);
                }
                else if (hasNonce)
                {
                    _nonces.Add(nonce);
                }

                throw error;
            }

            if (hasNonce)
            {
                _nonces.Add(nonce);
            }

            if ((int)response.StatusCode is < 200 or > 299)
            {
                throw new AcmeProtocolException(AcmeProtocolError.UnexpectedStatus, url, $"Unexpected HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            var location = response.Headers.Location is { } l ? RequireSecureUrl(l.IsAbsoluteUri ? l : new Uri(url, l), "Location header", url) : null;
            return new AcmeResponse(url, response.StatusCode, mediaType, body, location, retryAfter, ReadLinks(response, url));
        }
    }

    /// <summary>Sends <paramref name="request"/> and waits for the response headers within the deadline.</summary>
    private async Task<HttpResponseMessage> SendForHeadersAsync(HttpRequestMessage request, RequestDeadline deadline, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportFailure(ex, cancellationToken))
        {
            throw TransportFailure(request, ex, deadline, "waiting for the response");
        }
        catch (OperationCanceledException ex) when (IsCallersCancellation(ex, cancellationToken))
        {
            throw new OperationCanceledException(ex.Message, ex, cancellationToken);
        }
    }

    /// <summary>The caller cancelled, and the exception names the linked deadline token: it should name the caller's.</summary>
    private static bool IsCallersCancellation(OperationCanceledException ex, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested && ex.CancellationToken != cancellationToken;

    /// <summary>A failure of the exchange itself; the caller's own cancellation is not one (it stays an OperationCanceledException).</summary>
    private static bool IsTransportFailure(Exception ex, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && ex is HttpRequestException or IOException or SocketException or OperationCanceledException;

    private static AcmeTransportException TransportFailure(HttpRequestMessage request, Exception ex, RequestDeadline deadline, string phase)
    {
        var url = request.RequestUri!;
        var method = request.Method.Method;
        if (deadline.Expired)
        {
            return new AcmeTransportException(AcmeTransportFailureKind.Timeout, url, $"ACME {method} {url} timed out after {deadline.Timeout.TotalSeconds:0.###} s (AcmeClientOptions.RequestTimeout) while {phase}.", ex);
        }

        if (ex is OperationCanceledException)
        {
            // Neither the caller nor the deadline: HttpClient.Timeout, which covers the headers only.
            return new AcmeTransportException(AcmeTransportFailureKind.Timeout, url, $"ACME {method} {url} timed out (HttpClient.Timeout) while {phase}.", ex);
        }

        // The useful part ("UntrustedRoot", "Connection refused") is often in the inner exception.
        var reasons = new List<string>();
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (!e.Message.Contains("see inner exception", StringComparison.OrdinalIgnoreCase))
            {
                reasons.Add(e.Message);
            }
        }

        return new AcmeTransportException(Classify(ex), url, $"ACME {method} {url} failed while {phase}: {string.Join(": ", reasons.Distinct())}", ex);
    }

    private static AcmeTransportFailureKind Classify(Exception ex)
    {
        // A socket error is a broken connection even when it happened during the TLS handshake.
        if (Chain(ex).Any(e => e is SocketException))
        {
            return AcmeTransportFailureKind.ConnectionFailed;
        }

        if (Chain(ex).Any(e => e is AuthenticationException))
        {
            return AcmeTransportFailureKind.TlsFailed;
        }

#if NET8_0_OR_GREATER
        if (ex is HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse or HttpRequestError.ConfigurationLimitExceeded })
        {
            return AcmeTransportFailureKind.InvalidResponse;
        }

        return AcmeTransportFailureKind.ConnectionFailed;
#else
        // Without HttpRequestError: a failure with no I/O error under it is the handler refusing what it read.
        return Chain(ex).Any(e => e is IOException) ? AcmeTransportFailureKind.ConnectionFailed : AcmeTransportFailureKind.InvalidResponse;
#endif
    }

    private static IEnumerable<Exception> Chain(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, Uri url, CancellationToken cancellationToken)
    {
        try
        {
            return await BoundedHttpBody.ReadAsync(response.Content, _options.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (ResponseTooLargeException ex)
        {
            throw new AcmeProtocolException(AcmeProtocolError.ResponseTooLarge, url, "The response " + ex.Message);
        }
    }

    private TimeSpan? ReadRetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header is null)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header.Date is { } date)
        {
            var wait = date - _time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <summary>
    /// A URL the server handed out must be https (RFC 8555 section 6.1), or http with
    /// <see cref="AcmeClientOptions.AllowInsecureHttp"/>: the client sends signed requests to it.
    /// </summary>
    public Uri RequireSecureUrl(Uri target, string what, Uri source)
    {
        if (target.IsAbsoluteUri && (target.Scheme == Uri.UriSchemeHttps || (target.Scheme == Uri.UriSchemeHttp && _options.AllowInsecureHttp)))
        {
            return target;
        }

        throw new AcmeProtocolException(AcmeProtocolError.InsecureUrl, source, $"The {what} URL '{IdentifierKeys.Printable(target.OriginalString, 200)}' is not an absolute https URL");
    }

    private List<(Uri, string)> ReadLinks(HttpResponseMessage response, Uri baseUri)
    {
        var links = new List<(Uri, string)>();
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return links;
        }

        foreach (var value in values)
        {
            foreach (Match match in LinkPattern.Matches(value))
            {
                var rel = RelPattern.Match(match.Groups["params"].Value);
                if (rel.Success && Uri.TryCreate(baseUri, match.Groups["target"].Value, out var target))
                {
                    links.Add((RequireSecureUrl(target, $"Link rel=\"{rel.Groups["rel"].Value}\"", baseUri), rel.Groups["rel"].Value));
                }
            }
        }

        return links;
    }

    private static AcmeException ToError(Uri url, HttpStatusCode status, string? mediaType, byte[] body, TimeSpan? retryAfter)
    {
        if (string.Equals(mediaType, ProblemJson, StringComparison.OrdinalIgnoreCase) || string.Equals(mediaType, Json, StringComparison.OrdinalIgnoreCase))
        {
            AcmeProblem? problem;
            try
            {
                problem = JsonSerializer.Deserialize(body, AcmeJsonContext.Default.AcmeProblem);
            }
            catch (JsonException ex)
            {
                return new AcmeProtocolException(AcmeProtocolError.MalformedJson, url, $"HTTP {(int)status} with a problem document that is not valid JSON: {ex.Message}", ex);
            }

            if (problem is null || string.IsNullOrEmpty(problem.Type))
            {
                return new AcmeProtocolException(AcmeProtocolError.MalformedJson, url, $"HTTP {(int)status} with a problem document that has no 'type'");
            }

            return new AcmeProblemException(problem, url, status, retryAfter);
        }

        if (status is HttpStatusCode.ServiceUnavailable or (HttpStatusCode)429)
        {
            // No problem document, but the caller still needs the status and Retry-After to back off.
            var synthetic = new AcmeProblem
            {
                Type = status == HttpStatusCode.ServiceUnavailable ? "about:blank" : AcmeProblemTypes.RateLimited,
                Detail = $"HTTP {(int)status} without a problem document",
                Status = (int)status,
            };
            return new AcmeProblemException(synthetic, url, status, retryAfter);
        }

        return new AcmeProtocolException(AcmeProtocolError.UnexpectedStatus, url, $"HTTP {(int)status} with Content-Type '{mediaType ?? "(none)"}' instead of a problem document: {Snippet(body)}");
    }

    /// <summary>A short, printable excerpt of a body for error messages.</summary>
    public static string Snippet(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200));
        var printable = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        return printable.Length == 0 ? "(empty body)" : "'" + printable + (body.Length > 200 ? "...'" : "'");
    }

    /// <summary>Parses a JSON response body into <typeparamref name="T"/>, checking the content type first.</summary>
    public static T ReadJson<T>(AcmeResponse response, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (!string.Equals(response.MediaType, Json, StringComparison.OrdinalIgnoreCase))
        {
            throw new AcmeProtocolException(AcmeProtocolError.UnexpectedContentType, response.RequestUri, $"Expected Content-Type '{Json}', got '{response.MediaType ?? "(none)"}'");
        }

        try
        {
            return JsonSerializer.Deserialize(response.Body, typeInfo)
                ?? throw new AcmeProtocolException(AcmeProtocolError.MalformedJson, response.RequestUri, "The body is JSON null");
        }
        catch (JsonException ex)
        {
            throw new AcmeProtocolException(AcmeProtocolError.MalformedJson, response.RequestUri, $"The body is not a valid {typeof(T).Name}: {ex.Message}", ex);
        }
    }
}
