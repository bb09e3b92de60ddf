namespace Pki.Smime;

/// <summary>What to certify: the profile, the validated mailboxes and subject data, and the subscriber key.</summary>
public sealed record SmimeCertificateRequest
{
    /// <summary>The profile (type and generation); its reserved policy OID goes into the certificate.</summary>
    public required SmimeProfile Profile { get; init; }

    /// <summary>
    /// The validated mailbox addresses (at least one). ASCII local parts become rfc822Name entries (domain
    /// in A-labels); non-ASCII local parts become SmtpUTF8Mailbox otherName entries (RFC 9598, domain in U-labels).
    /// </summary>
    public required IReadOnlyList<string> Mailboxes { get; init; }

    /// <summary>The subscriber public key (from a key, a SubjectPublicKeyInfo or a verified PKCS#10 request).</summary>
    public required SmimePublicKey PublicKey { get; init; }

    /// <summary>The validated subject data; empty means an empty subject (Mailbox-validated only).</summary>
    public SmimeSubject Subject { get; init; } = new();

    /// <summary>The intended key use; null means dual use for RSA and ECDSA keys and signing for EdDSA keys.</summary>
    public SmimeKeyPurpose? KeyPurpose { get; init; }

    /// <summary>The validity period; null means <see cref="SmimeBuilderOptions.DefaultValidity"/>.</summary>
    public TimeSpan? Validity { get; init; }

    /// <summary>
    /// Extended key usages besides id-kp-emailProtection (Multipurpose and Legacy only, e.g. clientAuth
    /// <c>1.3.6.1.5.5.7.3.2</c>); Strict refuses any.
    /// </summary>
    public IReadOnlyList<string> AdditionalExtendedKeyUsages { get; init; } = [];
}

/// <summary>Options for <see cref="SmimeCertificateBuilder"/>.</summary>
public sealed record SmimeBuilderOptions
{
    /// <summary>Validity when the request gives none: 365 days, well below the 825-day maximum (section 6.3.2 advises against the maximum).</summary>
    public TimeSpan DefaultValidity { get; init; } = TimeSpan.FromDays(365);

    /// <summary>
    /// Allow Legacy-generation profiles. Legacy SHALL NOT be issued after 2025-07-15 (section 7.1.6.1, SMC08);
    /// set this only to produce historic or test material.
    /// </summary>
    public bool AllowLegacyGeneration { get; init; }
}
