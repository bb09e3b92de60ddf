using System.Security.Cryptography;
using System.Text;
using Pki.Acme.Internal;

namespace Pki.Acme;

/// <summary>What to issue in one <see cref="AcmeCertificateIssuer.IssueAsync"/> call. An immutable record: derive variants with <c>with</c>.</summary>
public sealed record AcmeIssuanceRequest
{
    /// <summary>The identifiers (DNS names, wildcards, IP addresses), at least one; the first DNS name of at most 64 characters becomes the subject CN.</summary>
    public IReadOnlyList<AcmeIdentifier> Identifiers { get; init; } = [];

    /// <summary>The type of a freshly generated certificate key (ignored with <see cref="CertificateKey"/> or <see cref="Csr"/>).</summary>
    public AcmeCertificateKeyType KeyType { get; init; } = AcmeCertificateKeyType.EcP256;

    /// <summary>Your own certificate key (ECDSA, or RSA of 2048 bits or more); it stays yours: the issuer neither disposes nor keeps it. Null: a key of <see cref="KeyType"/> is generated.</summary>
    public AsymmetricAlgorithm? CertificateKey { get; init; }

    /// <summary>Your own DER CSR, sent as it is; then no key is generated and <see cref="AcmeIssuedCertificate.PrivateKeyPem"/> is null. It must name exactly <see cref="Identifiers"/>.</summary>
    public ReadOnlyMemory<byte>? Csr { get; init; }

    /// <summary>Prefer the chain whose topmost certificate is issued by (or is) this common name; the default chain when none matches or when null.</summary>
    public string? PreferredChain { get; init; }

    /// <summary>A certificate profile the directory offers; the order fails with <see cref="AcmeConfigurationException"/> before it is sent when the directory does not offer it. Null: the CA's default.</summary>
    public string? Profile { get; init; }

    /// <summary>
    /// The RFC 9773 CertID of the certificate this one replaces (see <c>Pki.Ari.AriRenewal.GetReplaces</c>).
    /// When the CA refuses it (RFC 9773 section 5: 409 <c>alreadyReplaced</c>, or a 403 about the
    /// replaced certificate) the order is placed once more without it. Null: a plain new order.
    /// </summary>
    public string? Replaces { get; init; }

    /// <summary>Requested notBefore; null leaves it to the CA. A chain is verified at this instant when it lies in the future.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Requested notAfter; null leaves it to the CA.</summary>
    public DateTimeOffset? NotAfter { get; init; }

    /// <summary>Receives progress events, in addition to the log; called on whichever thread reaches the stage, concurrently for different authorizations.</summary>
    public IProgress<AcmeIssuanceProgress>? Progress { get; init; }

    /// <summary>
    /// Awaited right after the order is created and before any challenge is presented, e.g. to
    /// persist the order URL so a restarted process can resume it. If it throws, issuance stops.
    /// </summary>
    public Func<AcmeOrder, CancellationToken, Task>? OrderCreated { get; init; }

    /// <summary>How long each solver's cleanup may take after success, failure or cancellation (default 30 s); it runs on its own budget, not the caller's token.</summary>
    public TimeSpan CleanupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    private bool PrintMembers(StringBuilder builder)
    {
        builder
            .Member("Identifiers", RecordText.List(Identifiers), first: true)
            .Member("KeyType", KeyType)
            .Member("CertificateKey", RecordText.Key(CertificateKey))
            .Member("Csr", Csr is { } csr ? $"{csr.Length} bytes" : null)
            .Member("PreferredChain", PreferredChain)
            .Member("Profile", Profile)
            .Member("Replaces", Replaces)
            .Member("NotBefore", NotBefore)
            .Member("NotAfter", NotAfter)
            .Member("Progress", RecordText.Set(Progress))
            .Member("OrderCreated", RecordText.Set(OrderCreated))
            .Member("CleanupTimeout", CleanupTimeout);
        return true;
    }
}
