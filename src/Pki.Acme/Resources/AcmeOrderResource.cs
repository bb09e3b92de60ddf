using System.Text;
using System.Text.Json.Serialization;
using Pki.Acme.Internal;

namespace Pki.Acme;

/// <summary>Status values of ACME objects (RFC 8555 section 7.1.6).</summary>
public static class AcmeStatus
{
    /// <summary>Waiting: an order or authorization whose challenges are not yet validated, or a challenge not yet tried.</summary>
    public const string Pending = "pending";

    /// <summary>An order whose authorizations are all valid: it can be finalized with a CSR now.</summary>
    public const string Ready = "ready";

    /// <summary>The CA is validating a challenge or issuing a finalized order: poll (honouring Retry-After).</summary>
    public const string Processing = "processing";

    /// <summary>Done: a validated challenge or authorization, or an order whose certificate can be downloaded.</summary>
    public const string Valid = "valid";

    /// <summary>Failed for good (the object's <c>error</c> says why); a new order is needed.</summary>
    public const string Invalid = "invalid";

    /// <summary>An account or authorization deactivated by its owner; it cannot be used again.</summary>
    public const string Deactivated = "deactivated";

    /// <summary>An authorization past its <c>expires</c> time; it cannot be used again.</summary>
    public const string Expired = "expired";

    /// <summary>An authorization or account revoked by the CA.</summary>
    public const string Revoked = "revoked";
}

/// <summary>An order object (RFC 8555 section 7.1.3).</summary>
public sealed record AcmeOrderResource
{
    /// <summary>pending, ready, processing, valid or invalid.</summary>
    [JsonPropertyName("status")]
    public string Status { get; init; } = string.Empty;

    /// <summary>When the server will stop honouring the order.</summary>
    [JsonPropertyName("expires")]
    public DateTimeOffset? Expires { get; init; }

    /// <summary>The identifiers the order is for.</summary>
    [JsonPropertyName("identifiers")]
    public IReadOnlyList<AcmeIdentifier> Identifiers { get; init; } = [];

    /// <summary>The notBefore the order asked for (null: the CA chooses); CAs may refuse the field.</summary>
    [JsonPropertyName("notBefore")]
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>The notAfter the order asked for (null: the CA chooses); CAs may refuse the field.</summary>
    [JsonPropertyName("notAfter")]
    public DateTimeOffset? NotAfter { get; init; }

    /// <summary>Why the order failed, when it did.</summary>
    [JsonPropertyName("error")]
    public AcmeProblem? Error { get; init; }

    /// <summary>One authorization URL per identifier to prove; fetch each with <see cref="AcmeClient.GetAuthorizationAsync"/>.</summary>
    [JsonPropertyName("authorizations")]
    public IReadOnlyList<Uri> Authorizations { get; init; } = [];

    /// <summary>The URL to post the CSR to once the order is <c>ready</c> (<see cref="AcmeClient.FinalizeOrderAsync"/>).</summary>
    [JsonPropertyName("finalize")]
    public Uri? Finalize { get; init; }

    /// <summary>The issued certificate, once valid.</summary>
    [JsonPropertyName("certificate")]
    public Uri? Certificate { get; init; }

    /// <summary>The certificate profile (draft-ietf-acme-profiles), when requested.</summary>
    [JsonPropertyName("profile")]
    public string? Profile { get; init; }

    /// <summary>The CertID of the certificate this order replaces (RFC 9773).</summary>
    [JsonPropertyName("replaces")]
    public string? Replaces { get; init; }

    private bool PrintMembers(StringBuilder builder)
    {
        builder
            .Member("Status", Status, first: true)
            .Member("Expires", Expires)
            .Member("Identifiers", RecordText.List(Identifiers))
            .Member("NotBefore", NotBefore)
            .Member("NotAfter", NotAfter)
            .Member("Error", Error)
            .Member("Authorizations", RecordText.List(Authorizations))
            .Member("Finalize", Finalize)
            .Member("Certificate", Certificate)
            .Member("Profile", Profile)
            .Member("Replaces", Replaces);
        return true;
    }
}

/// <summary>An order with its URL and the Retry-After the server sent with it (used when polling).</summary>
/// <param name="Location">The order URL.</param>
/// <param name="Resource">The order object.</param>
/// <param name="RetryAfter">The Retry-After the server sent with it, if any.</param>
public sealed record AcmeOrder(Uri Location, AcmeOrderResource Resource, TimeSpan? RetryAfter = null);

/// <summary>An authorization object (RFC 8555 section 7.1.4).</summary>
public sealed record AcmeAuthorizationResource
{
    /// <summary>The identifier this authorization is for (without <c>*.</c> for wildcards).</summary>
    [JsonPropertyName("identifier")]
    public AcmeIdentifier Identifier { get; init; } = new();

    /// <summary>pending, valid, invalid, deactivated, expired or revoked.</summary>
    [JsonPropertyName("status")]
    public string Status { get; init; } = string.Empty;

    /// <summary>When the authorization expires (required for valid ones, section 7.1.4); a valid authorization is reused by later orders until then.</summary>
    [JsonPropertyName("expires")]
    public DateTimeOffset? Expires { get; init; }

    /// <summary>The challenges the CA offers for this identifier; solving any one of them validates it.</summary>
    [JsonPropertyName("challenges")]
    public IReadOnlyList<AcmeChallengeResource> Challenges { get; init; } = [];

    /// <summary>True when the authorization was created for a wildcard name.</summary>
    [JsonPropertyName("wildcard")]
    public bool? Wildcard { get; init; }

    private bool PrintMembers(StringBuilder builder)
    {
        builder
            .Member("Identifier", Identifier, first: true)
            .Member("Status", Status)
            .Member("Expires", Expires)
            .Member("Challenges", RecordText.List(Challenges))
            .Member("Wildcard", Wildcard);
        return true;
    }
}

/// <summary>An authorization with its URL and the Retry-After the server sent with it (used when polling).</summary>
/// <param name="Location">The authorization URL.</param>
/// <param name="Resource">The authorization object.</param>
/// <param name="RetryAfter">The Retry-After the server sent with it, if any.</param>
public sealed record AcmeAuthorization(Uri Location, AcmeAuthorizationResource Resource, TimeSpan? RetryAfter = null);

/// <summary>A challenge object (RFC 8555 section 7.1.5, 8).</summary>
public sealed record AcmeChallengeResource
{
    /// <summary>http-01 (section 8.3): a file under <c>/.well-known/acme-challenge/</c> on port 80.</summary>
    public const string Http01 = "http-01";

    /// <summary>dns-01 (section 8.4): a TXT record at <c>_acme-challenge.</c> the name; the only type for wildcards.</summary>
    public const string Dns01 = "dns-01";

    /// <summary>tls-alpn-01 (RFC 8737): a self-signed certificate served on port 443 for the <c>acme-tls/1</c> ALPN protocol.</summary>
    public const string TlsAlpn01 = "tls-alpn-01";

    /// <summary>The challenge type (<see cref="Http01"/>, <see cref="Dns01"/>, <see cref="TlsAlpn01"/> or one this client does not know).</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = string.Empty;

    /// <summary>The URL to post to (<see cref="AcmeClient.RespondToChallengeAsync"/>) once the challenge is in place.</summary>
    [JsonPropertyName("url")]
    public Uri? Url { get; init; }

    /// <summary>pending, processing, valid or invalid.</summary>
    [JsonPropertyName("status")]
    public string Status { get; init; } = string.Empty;

    /// <summary>When the CA validated it (present on valid challenges).</summary>
    [JsonPropertyName("validated")]
    public DateTimeOffset? Validated { get; init; }

    /// <summary>Why validation failed, as the CA's problem document (present on invalid challenges).</summary>
    [JsonPropertyName("error")]
    public AcmeProblem? Error { get; init; }

    /// <summary>The token (http-01, dns-01, tls-alpn-01).</summary>
    [JsonPropertyName("token")]
    public string? Token { get; init; }

    /// <summary>
    /// The fewest characters a token from the CA may have: 22 base64url characters carry the 128 bits
    /// of entropy RFC 8555 section 8.3 requires. <see cref="AcmeCertificateIssuer.IssueAsync"/>
    /// refuses shorter ones before any solver sees them.
    /// </summary>
    public const int MinTokenLength = 22;

    /// <summary>The most characters a token may have here (256): longer ones are refused as unreasonable, e.g. as file names.</summary>
    public const int MaxTokenLength = 256;

    /// <summary>
    /// True when <paramref name="token"/> is written as RFC 8555 section 8.3 requires: "It MUST NOT
    /// contain any characters outside the base64url alphabet and MUST NOT include base64 padding
    /// characters ('=')", with 1 to <see cref="MaxTokenLength"/> characters. Such a token is safe as
    /// a URL path segment or a file name (no '/', '.', '%' or '\'); an <see cref="IHttp01TokenStore"/>
    /// and anything that serves one SHOULD refuse any other. (Entropy, <see cref="MinTokenLength"/>,
    /// is the CA's duty and checked on what it sends, not here.)
    /// </summary>
    public static bool IsWellFormedToken(string? token)
    {
        if (token is null || token.Length is 0 or > MaxTokenLength)
        {
            return false;
        }

        foreach (var c in token)
        {
            if (c is not ((>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
