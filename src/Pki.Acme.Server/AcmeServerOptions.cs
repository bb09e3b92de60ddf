using Microsoft.Extensions.Options;

namespace Pki.Acme.Server;

/// <summary>The settings of the embedded ACME (RFC 8555) server, validated at start-up.</summary>
public sealed class AcmeServerOptions
{
    /// <summary>
    /// The external URL of the host (scheme, host, optional path base) without the ACME prefix, e.g.
    /// <c>https://acme.example.com</c>; null to build URLs from each request (fine behind no proxy).
    /// </summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>The terms of service URL shown in the directory's <c>meta</c>; when set, new accounts must agree to them.</summary>
    public Uri? TermsOfService { get; set; }

    /// <summary>The CA's website shown in the directory's <c>meta</c>.</summary>
    public Uri? Website { get; set; }

    /// <summary>
    /// The CAA issuer domain names of this CA (e.g. <c>ca.example.net</c>): shown in the directory's <c>meta.caaIdentities</c> and
    /// recognised as this CA in CAA <c>issue</c>/<c>issuewild</c> records before every issuance (added to
    /// <see cref="AcmeServerValidationOptions.CaaIdentities"/>). Required while <see cref="AcmeServerValidationOptions.EnforceCaa"/> is on.
    /// </summary>
    public IList<string> CaaIdentities { get; } = new List<string>();

    /// <summary>Whether new accounts must carry an external account binding (RFC 8555 section 7.3.4).</summary>
    public bool ExternalAccountRequired { get; set; }

    /// <summary>The external account keys: key id to HMAC-SHA256 key bytes. Each binds one account, once. Never logged.</summary>
    public IDictionary<string, byte[]> ExternalAccountKeys { get; } = new Dictionary<string, byte[]>(StringComparer.Ordinal);

    /// <summary>How long a nonce may be used (default 5 minutes).</summary>
    public TimeSpan NonceLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an order stays usable (default 7 days).</summary>
    public TimeSpan OrderLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long an authorization stays usable (default 7 days).</summary>
    public TimeSpan AuthorizationLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The largest request body accepted (default 64 KiB).</summary>
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>The SQLite database file; default <c>Pki.Acme.Server/acme-server.db</c> under the local application data folder.</summary>
    public string DatabasePath { get; set; } = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
        "Pki.Acme.Server",
        "acme-server.db");

    /// <summary>The Retry-After sent with pending and processing resources (default 3 seconds).</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long the answer to a client's challenge response waits for the validation (default 1 second; zero answers at
    /// once). A validation that finishes within it is answered with the challenge already <c>valid</c> or
    /// <c>invalid</c> (RFC 8555 section 7.5.1: the response is the challenge as it is then), which spares the client a
    /// poll and its Retry-After; a longer one is answered <c>processing</c> when the wait is up and goes on.
    /// </summary>
    public TimeSpan ChallengeResponseWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The embedded CA: its root and intermediate (PEM, PFX, or generated on first start into <see cref="AcmeServerCaOptions.StateDirectory"/>,
    /// by default a <c>ca</c> folder beside <see cref="DatabasePath"/>) and its issuance profiles.
    /// </summary>
    public AcmeServerCaOptions Ca { get; } = new();

    /// <summary>The validation authority: challenge ports, resolvers, timeouts and retries, CAA enforcement.</summary>
    public AcmeServerValidationOptions Validation { get; } = new();

    /// <summary>The Retry-After sent with renewal information (RFC 9773 section 4.3, default 6 hours).</summary>
    public TimeSpan RenewalInfoRetryAfter { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// Whether every SQLite commit reaches the disk before the response goes out (<c>PRAGMA synchronous=FULL</c>, the default).
    /// False uses <c>synchronous=NORMAL</c>: the database still survives a crash of the process and never corrupts, but the
    /// last commits may be lost if the machine itself crashes or loses power. Issuance is faster with it off (the README
    /// has the figures). No effect on PostgreSQL.
    /// </summary>
    public bool SqliteSyncEveryCommit { get; set; } = true;
}

/// <summary>Start-up validation of <see cref="AcmeServerOptions"/>.</summary>
internal sealed class AcmeServerOptionsValidator : IValidateOptions<AcmeServerOptions>
{
    public ValidateOptionsResult Validate(string? name, AcmeServerOptions options)
    {
        var failures = new List<string>();
        if (options.BaseUrl is { } baseUrl && (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttps && baseUrl.Scheme != Uri.UriSchemeHttp) || !string.IsNullOrEmpty(baseUrl.Query) || !string.IsNullOrEmpty(baseUrl.Fragment)))
        {
            failures.Add($"AcmeServerOptions.BaseUrl '{baseUrl}' must be an absolute http(s) URL without query or fragment.");
        }

        CheckAbsolute(options.TermsOfService, nameof(AcmeServerOptions.TermsOfService), failures);
        CheckAbsolute(options.Website, nameof(AcmeServerOptions.Website), failures);
        foreach (var caa in options.CaaIdentities)
        {
            if (string.IsNullOrWhiteSpace(caa) || !IdnName.TryToAscii(caa, out _))
            {
                failures.Add($"AcmeServerOptions.CaaIdentities contains '{caa}', which is not a domain name.");
            }
        }

        if (options.ExternalAccountRequired && options.ExternalAccountKeys.Count == 0)
        {
            failures.Add("AcmeServerOptions.ExternalAccountRequired is true but ExternalAccountKeys is empty: no account could ever be created.");
        }

        foreach (var (keyId, key) in options.ExternalAccountKeys)
        {
            if (string.IsNullOrEmpty(keyId) || key is null || key.Length < 16)
            {
                // The key itself is never named.
                failures.Add($"AcmeServerOptions.ExternalAccountKeys['{keyId}'] must have a non-empty key id and a key of at least 16 bytes.");
            }
        }

        CheckPositive(options.NonceLifetime, nameof(AcmeServerOptions.NonceLifetime), failures);
        CheckPositive(options.OrderLifetime, nameof(AcmeServerOptions.OrderLifetime), failures);
        CheckPositive(options.AuthorizationLifetime, nameof(AcmeServerOptions.AuthorizationLifetime), failures);
        CheckPositive(options.RetryAfter, nameof(AcmeServerOptions.RetryAfter), failures);
        CheckPositive(options.RenewalInfoRetryAfter, nameof(AcmeServerOptions.RenewalInfoRetryAfter), failures);
        if (options.ChallengeResponseWait < TimeSpan.Zero || options.ChallengeResponseWait > TimeSpan.FromSeconds(30))
        {
            failures.Add($"AcmeServerOptions.ChallengeResponseWait {options.ChallengeResponseWait} must be between zero and 30 seconds.");
        }
        if (options.MaxRequestBytes is < 1024 or > 16 * 1024 * 1024)
        {
            failures.Add($"AcmeServerOptions.MaxRequestBytes {options.MaxRequestBytes} must be between 1024 and 16 MiB.");
        }

        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            failures.Add("AcmeServerOptions.DatabasePath must name the SQLite database file.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckAbsolute(Uri? uri, string name, List<string> failures)
    {
        if (uri is not null && !uri.IsAbsoluteUri)
        {
            failures.Add($"AcmeServerOptions.{name} '{uri}' must be an absolute URL.");
        }
    }

    private static void CheckPositive(TimeSpan value, string name, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"AcmeServerOptions.{name} {value} must be positive.");
        }
    }
}
