using System.Text.Json.Serialization;

namespace Pki.Acme;

/// <summary>
/// An ACME problem document (RFC 8555 section 6.7, RFC 7807): the body of every error response
/// and the <c>error</c> member of failed challenges, authorizations and orders.
/// </summary>
public sealed record AcmeProblem
{
    /// <summary>The problem type, usually an <c>urn:ietf:params:acme:error:*</c> URN (<see cref="AcmeProblemTypes"/>).</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = "about:blank";

    /// <summary>A short, human-readable summary of the problem type (RFC 7807); null when the server sends none.</summary>
    [JsonPropertyName("title")]
    public string? Title { get; init; }

    /// <summary>The human-readable explanation.</summary>
    [JsonPropertyName("detail")]
    public string? Detail { get; init; }

    /// <summary>The HTTP status the server gave for this problem.</summary>
    [JsonPropertyName("status")]
    public int? Status { get; init; }

    /// <summary>A URI identifying this occurrence (RFC 7807), useful in a support request; null when absent.</summary>
    [JsonPropertyName("instance")]
    public string? Instance { get; init; }

    /// <summary>The identifier a subproblem is about (section 6.7.1).</summary>
    [JsonPropertyName("identifier")]
    public AcmeIdentifier? Identifier { get; init; }

    /// <summary>Per-identifier problems (section 6.7.1).</summary>
    [JsonPropertyName("subproblems")]
    public IReadOnlyList<AcmeProblem>? Subproblems { get; init; }

    /// <summary>With <c>badSignatureAlgorithm</c>: the algorithms the server accepts.</summary>
    [JsonPropertyName("algorithms")]
    public IReadOnlyList<string>? Algorithms { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Type}: {Detail ?? Title}";
}

/// <summary>The error types of RFC 8555 section 6.7 (and RFC 9773's alreadyReplaced, and the agreementRequired that Boulder and Pebble send).</summary>
public static class AcmeProblemTypes
{
    private const string Prefix = "urn:ietf:params:acme:error:";

    /// <summary>The request specified an account that does not exist.</summary>
    public const string AccountDoesNotExist = Prefix + "accountDoesNotExist";

    /// <summary>
    /// A new account did not agree to the terms of service. Not in RFC 8555's table (which has
    /// <see cref="UserActionRequired"/> for changed terms), but Boulder and Pebble send it when
    /// <c>termsOfServiceAgreed</c> is missing while the directory has <c>meta.termsOfService</c>.
    /// </summary>
    public const string AgreementRequired = Prefix + "agreementRequired";

    /// <summary>The request specified a certificate to be revoked that has already been revoked.</summary>
    public const string AlreadyRevoked = Prefix + "alreadyRevoked";

    /// <summary>The certificate named in <c>replaces</c> was already replaced (RFC 9773).</summary>
    public const string AlreadyReplaced = Prefix + "alreadyReplaced";

    /// <summary>The CSR is unacceptable (e.g., due to a short key).</summary>
    public const string BadCsr = Prefix + "badCSR";

    /// <summary>The client sent an unacceptable anti-replay nonce.</summary>
    public const string BadNonce = Prefix + "badNonce";

    /// <summary>The JWS was signed by a public key the server does not support.</summary>
    public const string BadPublicKey = Prefix + "badPublicKey";

    /// <summary>The revocation reason provided is not allowed by the server.</summary>
    public const string BadRevocationReason = Prefix + "badRevocationReason";

    /// <summary>The JWS was signed with an algorithm the server does not support.</summary>
    public const string BadSignatureAlgorithm = Prefix + "badSignatureAlgorithm";

    /// <summary>CAA records forbid the CA from issuing a certificate.</summary>
    public const string Caa = Prefix + "caa";

    /// <summary>Specific error conditions are indicated in the subproblems array.</summary>
    public const string Compound = Prefix + "compound";

    /// <summary>The server could not connect to the validation target.</summary>
    public const string Connection = Prefix + "connection";

    /// <summary>There was a problem with a DNS query during identifier validation.</summary>
    public const string Dns = Prefix + "dns";

    /// <summary>The request must include a value for the <c>externalAccountBinding</c> field.</summary>
    public const string ExternalAccountRequired = Prefix + "externalAccountRequired";

    /// <summary>Response received didn't match the challenge's requirements.</summary>
    public const string IncorrectResponse = Prefix + "incorrectResponse";

    /// <summary>A contact URL for an account was invalid.</summary>
    public const string InvalidContact = Prefix + "invalidContact";

    /// <summary>The request message was malformed.</summary>
    public const string Malformed = Prefix + "malformed";

    /// <summary>The request attempted to finalize an order that is not ready to be finalized.</summary>
    public const string OrderNotReady = Prefix + "orderNotReady";

    /// <summary>The order names a profile the server does not offer (draft-ietf-acme-profiles).</summary>
    public const string InvalidProfile = Prefix + "invalidProfile";

    /// <summary>The request exceeds a rate limit.</summary>
    public const string RateLimited = Prefix + "rateLimited";

    /// <summary>The server will not issue certificates for the identifier.</summary>
    public const string RejectedIdentifier = Prefix + "rejectedIdentifier";

    /// <summary>The server experienced an internal error.</summary>
    public const string ServerInternal = Prefix + "serverInternal";

    /// <summary>The server received a TLS error during validation.</summary>
    public const string Tls = Prefix + "tls";

    /// <summary>The client lacks sufficient authorization.</summary>
    public const string Unauthorized = Prefix + "unauthorized";

    /// <summary>A contact URL for an account used an unsupported protocol scheme.</summary>
    public const string UnsupportedContact = Prefix + "unsupportedContact";

    /// <summary>An identifier is of an unsupported type.</summary>
    public const string UnsupportedIdentifier = Prefix + "unsupportedIdentifier";

    /// <summary>Visit the <c>instance</c> URL and take actions specified there.</summary>
    public const string UserActionRequired = Prefix + "userActionRequired";
}
