using Microsoft.Extensions.Options;

namespace Pki.Acme;

/// <summary>Settings of an <see cref="AcmeClient"/>.</summary>
public sealed class AcmeClientOptions
{
    /// <summary>Let's Encrypt's production directory.</summary>
    public static readonly Uri LetsEncryptProduction = new("https://acme-v02.api.letsencrypt.org/directory");

    /// <summary>Let's Encrypt's staging directory.</summary>
    public static readonly Uri LetsEncryptStaging = new("https://acme-staging-v02.api.letsencrypt.org/directory");

    /// <summary>The directory URL (RFC 8555 section 7.1.1). Must be https.</summary>
    public Uri? DirectoryUri { get; set; }

    /// <summary>
    /// Allows an http:// directory. For tests against local servers only: ACME over plain HTTP
    /// exposes every request to tampering.
    /// </summary>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>The largest response body read, in bytes (default 1 MiB); larger answers fail with <see cref="AcmeProtocolError.ResponseTooLarge"/>.</summary>
    public int MaxResponseBytes { get; set; } = 1024 * 1024;

    /// <summary>How often a request rejected with badNonce is sent again with a fresh nonce (default 5).</summary>
    public int BadNonceRetries { get; set; } = 5;

    /// <summary>The first wait between polls of an authorization or order when the server gives no Retry-After (default 50 ms); it doubles up to <see cref="PollMaxDelay"/>.</summary>
    public TimeSpan PollInitialDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest wait between polls without Retry-After (default 5 s).</summary>
    public TimeSpan PollMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest Retry-After honoured while polling (default 10 min); larger values are clamped to it.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The shortest Retry-After honoured while polling (default 1 s); a shorter positive one is
    /// raised to it. A Retry-After of zero or a date in the past is treated as absent: polling then
    /// backs off from <see cref="PollInitialDelay"/>, so a server cannot make the client poll in a loop.
    /// </summary>
    public TimeSpan MinRetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to poll one authorization or order before giving up (default 5 min).</summary>
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The deadline of one HTTP exchange as a whole (default 30 s): connecting, sending, the
    /// response headers and the whole body, the HEAD to newNonce included. Unlike
    /// <see cref="HttpClient.Timeout"/>, which stops at the headers, it also ends a body that stalls
    /// or trickles. Expiry throws <see cref="AcmeTransportException"/> with
    /// <see cref="AcmeTransportFailureKind.Timeout"/>. The timer runs on the client's TimeProvider.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a nonce from an earlier response is kept for reuse (default 1 min). Servers forget
    /// nonces after a while; an older one is dropped and a fresh one fetched with HEAD newNonce,
    /// which costs one round trip instead of a signed request refused with badNonce.
    /// </summary>
    public TimeSpan NonceMaxAge { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How many alternate chains (<c>Link: rel="alternate"</c>, RFC 8555 section 7.4.2) a download
    /// fetches at most (default 10); further links are ignored and logged. 0 fetches none.
    /// </summary>
    public int MaxAlternateChains { get; set; } = 10;

    /// <summary>The User-Agent sent with every request (RFC 8555 section 6.1 asks clients to send one).</summary>
    public string UserAgent { get; set; } = "Pki.Acme/" + typeof(AcmeClientOptions).Assembly.GetName().Version?.ToString(3);

    /// <summary>Checks the options; the exception names the first bad value.</summary>
    /// <exception cref="AcmeConfigurationException">A value cannot work.</exception>
    public void Validate()
    {
        var failure = ValidateOptions.Check(this);
        if (failure is not null)
        {
            throw new AcmeConfigurationException(failure);
        }
    }
}

/// <summary>Validates <see cref="AcmeClientOptions"/> at start-up (Options pattern).</summary>
internal sealed class ValidateOptions : IValidateOptions<AcmeClientOptions>
{
    private static readonly TimeSpan MaxRequestTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxNonceMaxAge = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, AcmeClientOptions options)
    {
        var failure = Check(options);
        return failure is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failure);
    }

    internal static string? Check(AcmeClientOptions options)
    {
        if (options.DirectoryUri is null)
        {
            return "AcmeClientOptions.DirectoryUri is required (e.g. " + AcmeClientOptions.LetsEncryptStaging + ").";
        }

        if (!options.DirectoryUri.IsAbsoluteUri)
        {
            return $"AcmeClientOptions.DirectoryUri '{options.DirectoryUri}' must be an absolute URL.";
        }

        var scheme = options.DirectoryUri.Scheme;
        if (scheme != Uri.UriSchemeHttps && !(scheme == Uri.UriSchemeHttp && options.AllowInsecureHttp))
        {
            return $"AcmeClientOptions.DirectoryUri '{options.DirectoryUri}' must use https (RFC 8555 section 6.1); AllowInsecureHttp permits http for local tests only.";
        }

        if (options.MaxResponseBytes < 4096)
        {
            return $"AcmeClientOptions.MaxResponseBytes must be at least 4096; it is {options.MaxResponseBytes}.";
        }

        if (options.BadNonceRetries is < 0 or > 100)
        {
            return $"AcmeClientOptions.BadNonceRetries must be between 0 and 100; it is {options.BadNonceRetries}.";
        }

        if (options.PollInitialDelay <= TimeSpan.Zero || options.PollMaxDelay < options.PollInitialDelay)
        {
            return $"AcmeClientOptions.PollInitialDelay ({options.PollInitialDelay}) must be positive and not above PollMaxDelay ({options.PollMaxDelay}).";
        }

        if (options.PollTimeout <= TimeSpan.Zero || options.MaxRetryAfter <= TimeSpan.Zero)
        {
            return "AcmeClientOptions.PollTimeout and MaxRetryAfter must be positive.";
        }

        if (options.MinRetryAfter <= TimeSpan.Zero || options.MinRetryAfter > options.MaxRetryAfter)
        {
            return $"AcmeClientOptions.MinRetryAfter ({options.MinRetryAfter}) must be positive and not above MaxRetryAfter ({options.MaxRetryAfter}).";
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > MaxRequestTimeout)
        {
            return $"AcmeClientOptions.RequestTimeout must be positive and at most {MaxRequestTimeout}; it is {options.RequestTimeout}.";
        }

        if (options.NonceMaxAge <= TimeSpan.Zero || options.NonceMaxAge > MaxNonceMaxAge)
        {
            return $"AcmeClientOptions.NonceMaxAge must be positive and at most {MaxNonceMaxAge}; it is {options.NonceMaxAge}.";
        }

        if (options.MaxAlternateChains is < 0 or > 100)
        {
            return $"AcmeClientOptions.MaxAlternateChains must be between 0 and 100; it is {options.MaxAlternateChains}.";
        }

        return null;
    }
}
