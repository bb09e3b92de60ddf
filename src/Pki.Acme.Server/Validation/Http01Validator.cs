using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Pki.Acme.Server;

/// <summary>
/// http-01 (RFC 8555 section 8.3): <c>GET http://{host}:{Http01Port}/.well-known/acme-challenge/{token}</c>, the host's
/// addresses from the validation authority's resolver (an ip identifier is connected to as it is). At most
/// <see cref="MaxRedirects"/> redirects, only to http or https on port 80, 443 or the configured http-01 port; the body is
/// read up to <see cref="AcmeServerValidationOptions.MaxResponseBytes"/> and must equal the key authorization once
/// surrounding whitespace is trimmed. https after a redirect accepts any certificate (the proof is the body).
/// </summary>
internal sealed class Http01Validator : AcmeChallengeValidatorBase, IDisposable
{
    /// <summary>The most redirects followed.</summary>
    public const int MaxRedirects = 10;

    private readonly HttpClient _client;

    public Http01Validator(AcmeServerValidationOptions options, AcmeValidationDns dns, TimeProvider time, ILogger logger)
        : base(options, dns, time, logger)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            // Every validation resolves and connects afresh.
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectTimeout = options.Timeout,
            ConnectCallback = ConnectAsync,
            SslOptions = new SslClientAuthenticationOptions
            {
#pragma warning disable CA5359 // The validator checks the proof, not trust in the certificate (RFC 8737 section 3; https after an http-01 redirect).
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
#pragma warning restore CA5359
            },
        };
        _client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("Pki.Acme.Server-validation/1.0");
    }

    public override string Type => "http-01";

    public override bool Supports(AcmeIdentifier identifier) =>
        identifier is not null && identifier.Type is AcmeIdentifier.DnsType or AcmeIdentifier.IpType && !identifier.IsWildcard;

    public void Dispose() => _client.Dispose();

    protected override async Task AttemptAsync(AcmeIdentifier identifier, string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        var host = identifier.Type == AcmeIdentifier.IpType ? IPAddress.Parse(identifier.Value).ToString() : AcmeValidationDns.ToAsciiName(identifier.Value);
        var authority = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        var uri = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{authority}:{Options.Http01Port}/.well-known/acme-challenge/{Uri.EscapeDataString(token)}"));
        for (var redirects = 0; ; redirects++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            HttpResponseMessage response;
            try
            {
                response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw Classify(uri, ex);
            }

            using (response)
            {
                if (IsRedirect(response.StatusCode))
                {
                    uri = NextLocation(uri, response, redirects);
                    continue;
                }

                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw AcmeValidationFailure.Unauthorized(string.Create(CultureInfo.InvariantCulture, $"{uri} answered HTTP {(int)response.StatusCode} instead of 200 with the key authorization."));
                }

                byte[] body;
                try
                {
                    body = await BoundedHttpBody.ReadAsync(response.Content, Options.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
                }
                catch (ResponseTooLargeException ex)
                {
                    throw AcmeValidationFailure.IncorrectResponse($"The response from {uri} {ex.Message}.");
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException)
                {
                    throw AcmeValidationFailure.Connection($"Reading the response from {uri} failed: {ex.Message}");
                }

                var text = Encoding.UTF8.GetString(body).Trim();
                if (!string.Equals(text, keyAuthorization, StringComparison.Ordinal))
                {
                    throw AcmeValidationFailure.IncorrectResponse($"The key authorization from {uri} is wrong: expected \"{keyAuthorization}\", got \"{Shorten(text)}\".");
                }

                return;
            }
        }
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static AcmeValidationFailure Classify(Uri uri, HttpRequestException ex)
    {
        if (AcmeValidationFailure.Find(ex) is { } failure)
        {
            return failure;
        }

        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException)
            {
                return AcmeValidationFailure.Tls($"TLS with {uri.Host}:{uri.Port} after a redirect failed: {e.Message}");
            }
        }

        return AcmeValidationFailure.Connection($"The request to {uri} failed: {AcmeValidationFailure.Innermost(ex).Message}");
    }

    private static string Shorten(string text) => text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 100), "...");

    private Uri NextLocation(Uri uri, HttpResponseMessage response, int redirects)
    {
        if (redirects >= MaxRedirects)
        {
            throw AcmeValidationFailure.Connection($"Too many redirects: {uri} redirects again after {MaxRedirects}.");
        }

        var location = response.Headers.Location
            ?? throw AcmeValidationFailure.Connection(string.Create(CultureInfo.InvariantCulture, $"{uri} answered HTTP {(int)response.StatusCode} without a Location header."));
        var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
        if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
        {
            throw AcmeValidationFailure.Connection($"{uri} redirects to {next}; only http and https are followed.");
        }

        if (next.Port != 80 && next.Port != 443 && next.Port != Options.Http01Port)
        {
            throw AcmeValidationFailure.Connection(string.Create(CultureInfo.InvariantCulture, $"{uri} redirects to {next}; only ports 80, 443 and {Options.Http01Port} are followed."));
        }

        return next;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = await Dns.ResolveAsync(host, cancellationToken).ConfigureAwait(false);
        return await AcmeValidationDns.ConnectAsync(host, addresses, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
    }
}
