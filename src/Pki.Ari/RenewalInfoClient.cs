using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pki.Ari;

/// <summary>
/// Fetches renewal information (RFC 9773 section 4.2): an unauthenticated GET of
/// <c>{renewalInfo}/{CertID}</c>. Never throws for what the server does: every answer becomes a
/// <see cref="RenewalInfoResult"/> saying when to ask again, so callers always have a decision.
/// </summary>
public sealed partial class RenewalInfoClient
{
    private readonly HttpClient _http;
    private readonly RenewalInfoOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates the client over <paramref name="httpClient"/>, which stays the caller's (not disposed here).</summary>
    /// <exception cref="AriException">The options cannot work.</exception>
    public RenewalInfoClient(HttpClient httpClient, RenewalInfoOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _options = options ?? new RenewalInfoOptions();
        _options.Validate();
        _http = httpClient;
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The options in force (validated at construction; not changed afterwards).</summary>
    public RenewalInfoOptions Options => _options;

    /// <summary>Fetches the renewal information of <paramref name="certId"/> from the directory's <paramref name="renewalInfoUrl"/>.</summary>
    /// <param name="renewalInfoUrl">The directory's <c>renewalInfo</c> URL.</param>
    /// <param name="certId">The certificate.</param>
    /// <param name="consecutiveTransientFailures">How many transient failures preceded this request (for the backoff).</param>
    /// <param name="cancellationToken">Cancels the request (throws <see cref="OperationCanceledException"/>).</param>
    /// <remarks>
    /// The whole exchange, body included, is bounded by <see cref="RenewalInfoOptions.RequestTimeout"/>;
    /// a server that stalls or trickles yields a <see cref="RenewalInfoStatus.TransientFailure"/>.
    /// </remarks>
    public async Task<RenewalInfoResult> GetAsync(Uri renewalInfoUrl, AriCertId certId, int consecutiveTransientFailures = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(renewalInfoUrl);
        ArgumentNullException.ThrowIfNull(certId);
        var url = new Uri(renewalInfoUrl.AbsoluteUri.TrimEnd('/') + "/" + certId.Value);
        var now = _time.GetUtcNow();

        // One deadline for the whole exchange: HttpClient.Timeout stops at the headers.
#if NET8_0_OR_GREATER
        using var timer = new CancellationTokenSource(_options.RequestTimeout, _time);
#else
        using var timer = _time.CreateCancellationTokenSource(_options.RequestTimeout);
#endif
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        HttpResponseMessage response;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Transient(now, consecutiveTransientFailures, timer.IsCancellationRequested ? $"GET {url} timed out after {_options.RequestTimeout.TotalSeconds:0.###} s (RequestTimeout)" : $"GET {url} timed out (HttpClient.Timeout)");
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return Transient(now, consecutiveTransientFailures, timer.IsCancellationRequested ? $"GET {url} timed out after {_options.RequestTimeout.TotalSeconds:0.###} s (RequestTimeout)" : $"GET {url} failed: {ex.Message}");
        }
        catch (OperationCanceledException ex) when (ex.CancellationToken != cancellationToken)
        {
            // The caller cancelled; name the caller's token rather than the linked one.
            throw new OperationCanceledException(ex.Message, ex, cancellationToken);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status >= 500 || status == 429)
            {
                var retryAfter = RetryAfter(response, now);
                var result = Transient(now, consecutiveTransientFailures, $"GET {url} answered HTTP {status}");
                return retryAfter is { } wait ? result with { NextPollAt = now + Clamp(wait) } : result;
            }

            if (status is < 200 or > 299)
            {
                return Failure(RenewalInfoStatus.LongTermFailure, now + _options.LongTermRetry, $"GET {url} answered HTTP {status}");
            }

            byte[] body;
            try
            {
                body = await ReadBoundedAsync(response, deadline.Token).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                return Failure(RenewalInfoStatus.Invalid, now + _options.LongTermRetry, $"GET {url}: {ex.Message}");
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                return Transient(now, consecutiveTransientFailures, timer.IsCancellationRequested ? $"GET {url}: the body did not arrive within {_options.RequestTimeout.TotalSeconds:0.###} s (RequestTimeout)" : $"GET {url}: reading the body failed: {ex.Message}");
            }
            catch (OperationCanceledException ex) when (ex.CancellationToken != cancellationToken)
            {
                throw new OperationCanceledException(ex.Message, ex, cancellationToken);
            }

            var (window, explanation, problem) = Parse(body);
            if (problem is not null)
            {
                return Failure(RenewalInfoStatus.Invalid, now + _options.LongTermRetry, $"GET {url}: {problem}");
            }

            var next = now + (RetryAfter(response, now) is { } ra ? Clamp(ra) : _options.DefaultPollInterval);
            return new RenewalInfoResult(RenewalInfoStatus.Ok, window, explanation, next, null);
        }
    }

    /// <summary>Parses a renewalInfo body; returns a problem text instead of throwing.</summary>
    internal static (RenewalWindow? Window, Uri? Explanation, string? Problem) Parse(ReadOnlySpan<byte> body)
    {
        RenewalInfoWire? wire;
        try
        {
            wire = JsonSerializer.Deserialize(body, AriJsonContext.Default.RenewalInfoWire);
        }
        catch (JsonException ex)
        {
            return (null, null, "the body is not a valid renewalInfo object: " + ex.Message);
        }

        if (wire?.SuggestedWindow is not { Start: { } start, End: { } end })
        {
            return (null, null, "the body has no suggestedWindow with both start and end");
        }

        // Section 4.2: a window whose end is not after its start is invalid.
        if (end <= start)
        {
            return (null, null, $"suggestedWindow end {end:O} is not after start {start:O}");
        }

        Uri? explanation = null;
        if (wire.ExplanationUrl is { } text && !(Uri.TryCreate(text, UriKind.Absolute, out explanation) && explanation.Scheme is "https" or "http"))
        {
            return (null, null, $"explanationURL '{text}' is not an absolute http(s) URL");
        }

        return (new RenewalWindow(start, end), explanation, null);
    }

    private RenewalInfoResult Transient(DateTimeOffset now, int failures, string problem)
    {
        // Exponential backoff, capped: 1, 2, 4, ... times TransientBackoff.
        var factor = Math.Pow(2, Math.Min(Math.Max(failures, 0), 30));
        var wait = TimeSpan.FromTicks((long)Math.Min(_options.TransientBackoff.Ticks * factor, _options.MaxTransientBackoff.Ticks));
        return Failure(RenewalInfoStatus.TransientFailure, now + wait, problem);
    }

    private RenewalInfoResult Failure(RenewalInfoStatus status, DateTimeOffset next, string problem)
    {
        LogFailure(_logger, status, problem);
        return new RenewalInfoResult(status, null, null, next, problem);
    }

    private TimeSpan Clamp(TimeSpan wait) =>
        wait < _options.MinRetryAfter ? _options.MinRetryAfter : wait > _options.MaxRetryAfter ? _options.MaxRetryAfter : wait;

    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => null,
        };

    private async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await BoundedHttpBody.ReadAsync(response.Content, _options.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (ResponseTooLargeException ex)
        {
            throw new InvalidDataException("the body " + ex.Message, ex);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "renewalInfo answer not usable ({Status}): {Problem}")]
    private static partial void LogFailure(ILogger logger, RenewalInfoStatus status, string problem);
}
