using Pki.Acme;

namespace Pki.Acme.Server;

// The seams between the three parts of the server (issue #14). The protocol part (Protocol/, Storage/)
// speaks RFC 8555 and keeps state; it asks a challenge validator (Validation/) whether a challenge
// is met, the CAA policy (Validation/) whether the CA may issue, and the issuer backend (Ca/) for the
// certificate. Each part is tested on its own against these contracts and end to end together.

/// <summary>Validates one challenge type (http-01, dns-01, tls-alpn-01) the way the CA's validation authority does.</summary>
internal interface IAcmeChallengeValidator
{
    /// <summary>The challenge type this validator handles, e.g. <c>http-01</c>.</summary>
    string Type { get; }

    /// <summary>Whether the identifier supports this challenge type (tls-alpn-01/http-01 for ip, not dns-01; no wildcard except dns-01).</summary>
    bool Supports(AcmeIdentifier identifier);

    /// <summary>
    /// Fetches the proof for <paramref name="identifier"/> and compares it with the expected key authorization
    /// (<c>token.thumbprint</c>). Never throws for what the client's side did wrong (unreachable, wrong content,
    /// DNS error): that is an invalid outcome with a problem document (connection, dns, unauthorized, incorrectResponse, tls).
    /// Throws <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    Task<AcmeChallengeCheck> ValidateAsync(AcmeIdentifier identifier, string token, string keyAuthorization, CancellationToken cancellationToken);
}

/// <summary>The outcome of one validation: valid, or invalid with the RFC 8555 problem to store on the challenge.</summary>
/// <param name="IsValid">True when the proof matched.</param>
/// <param name="Error">The problem (type <c>urn:ietf:params:acme:error:*</c>, detail, identifier) when not valid.</param>
/// <param name="IsRetryable">True when the failure was transient (timeout, connection refused) and a bounded retry may help.</param>
internal sealed record AcmeChallengeCheck(bool IsValid, AcmeProblem? Error, bool IsRetryable = false)
{
    public static AcmeChallengeCheck Valid { get; } = new(true, null);
}

/// <summary>One identifier of an order and the challenge type that validated its authorization (RFC 8657 validationmethods).</summary>
internal sealed record AcmeCaaCheckItem(AcmeIdentifier Identifier, string ValidationMethod);

/// <summary>The CA's CAA check before issuance (RFC 8659, RFC 8657), fail-closed.</summary>
internal interface IAcmeCaaPolicy
{
    /// <summary>
    /// Null when every identifier may be issued for by this CA for <paramref name="accountUrl"/>; otherwise a
    /// <c>urn:ietf:params:acme:error:caa</c> problem (status 403) whose subproblems name each refused identifier
    /// and whose detail names the deciding record (or the DNS failure, which refuses: fail-closed).
    /// </summary>
    Task<AcmeProblem?> CheckAsync(IReadOnlyList<AcmeCaaCheckItem> items, Uri accountUrl, CancellationToken cancellationToken);
}

/// <summary>A named issuance profile as advertised in the directory's <c>meta.profiles</c>.</summary>
internal sealed record AcmeProfileDescription(string Name, string Description);

/// <summary>The certificate chains for one issuance: the default first, alternates after (served through <c>Link: rel="alternate"</c>).</summary>
/// <param name="SerialNumber">The leaf's serial number, upper-case hex without leading zero bytes stripped beyond DER (as <c>X509Certificate2.SerialNumber</c>).</param>
/// <param name="ChainsPem">Each chain as PEM, leaf first, without the root.</param>
/// <param name="NotBefore">Leaf notBefore.</param>
/// <param name="NotAfter">Leaf notAfter.</param>
/// <param name="AuthorityKeyIdentifier">The leaf's AKI keyIdentifier bytes (for the ARI certificate identifier).</param>
/// <param name="SerialDer">The leaf serial's DER INTEGER content bytes (for the ARI certificate identifier).</param>
internal sealed record AcmeIssuedChains(
    string SerialNumber,
    IReadOnlyList<string> ChainsPem,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    byte[] AuthorityKeyIdentifier,
    byte[] SerialDer);

/// <summary>The embedded CA as the protocol part sees it.</summary>
internal interface IAcmeCertificateIssuerBackend
{
    /// <summary>The profiles, default first.</summary>
    IReadOnlyList<AcmeProfileDescription> Profiles { get; }

    /// <summary>
    /// Issues for a CSR whose names the protocol part already checked against the order. Checks the CSR itself
    /// (signature, key type and size policy, key not equal to <paramref name="accountKeySpki"/>) and throws
    /// <see cref="AcmeIssuanceRejectedException"/> with the problem type to return when it refuses.
    /// </summary>
    Task<AcmeIssuedChains> IssueAsync(byte[] csrDer, IReadOnlyList<AcmeIdentifier> identifiers, string profile, byte[] accountKeySpki, CancellationToken cancellationToken);

    /// <summary>
    /// Called after the store recorded a revocation (RFC 5280 reason code): the CA re-signs the issuer's CRL from
    /// <see cref="IAcmeRevocationSource"/> so the next download shows it.
    /// </summary>
    Task RevokeAsync(string serialNumber, int reason, DateTimeOffset revokedAt, CancellationToken cancellationToken);
}

/// <summary>One revoked certificate as the CRL lists it.</summary>
internal sealed record AcmeRevokedCertificate(string SerialNumber, DateTimeOffset RevokedAt, int Reason);

/// <summary>
/// The revocations the server's store holds (the store is the one source of truth, shared by every instance):
/// the CA builds its CRL from it.
/// </summary>
internal interface IAcmeRevocationSource
{
    /// <summary>Every revoked certificate this CA issued.</summary>
    Task<IReadOnlyList<AcmeRevokedCertificate>> ListRevokedAsync(CancellationToken cancellationToken);
}

/// <summary>The CA refused a finalize request; <see cref="ProblemType"/> is the RFC 8555 type to return (badCSR, badPublicKey, rejectedIdentifier, invalidProfile).</summary>
internal sealed class AcmeIssuanceRejectedException : Exception
{
    public AcmeIssuanceRejectedException(string problemType, string message)
        : base(message) => ProblemType = problemType;

    public string ProblemType { get; }

    public static AcmeIssuanceRejectedException BadCsr(string message) => new(AcmeProblemTypes.BadCsr, message);

    public static AcmeIssuanceRejectedException BadPublicKey(string message) => new(AcmeProblemTypes.BadPublicKey, message);

    public static AcmeIssuanceRejectedException RejectedIdentifier(string message) => new(AcmeProblemTypes.RejectedIdentifier, message);

    public static AcmeIssuanceRejectedException InvalidProfile(string message) => new(AcmeProblemTypes.InvalidProfile, message);
}
