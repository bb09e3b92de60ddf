using System.Security.Cryptography;
using System.Numerics;
using Pki.Smime.Internal;
using Pki.Smime.Linting;

namespace Pki.Smime;

/// <summary>
/// Builds subscriber certificates that meet S/MIME BR section 7.1 for a chosen profile. Input that cannot
/// make a compliant certificate is refused with <see cref="SmimeComplianceException"/> naming the rule.
/// Every certificate is linted before it is signed (section 4.3.1.2) and not signed on any error.
/// </summary>
public sealed class SmimeCertificateBuilder
{
    private readonly SmimeBuilderOptions _options;
    private readonly TimeProvider _time;
    private readonly RandomNumberGenerator _random;

    /// <summary>Creates a builder; it holds no per-certificate state and may be shared between threads.</summary>
    /// <param name="options">Default validity and Legacy handling.</param>
    /// <param name="timeProvider">Clock for notBefore; the system clock by default.</param>
    /// <param name="random">CSPRNG for serial numbers; a shared system CSPRNG by default (tests may inject a deterministic one).</param>
    /// <exception cref="ArgumentOutOfRangeException">The default validity is not positive.</exception>
    public SmimeCertificateBuilder(SmimeBuilderOptions? options = null, TimeProvider? timeProvider = null, RandomNumberGenerator? random = null)
    {
        _options = options ?? new SmimeBuilderOptions();
        if (_options.DefaultValidity <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.DefaultValidity, "DefaultValidity must be positive.");
        }

        _time = timeProvider ?? TimeProvider.System;
        _random = random ?? SharedRandom.Instance;
    }

    /// <summary>Builds, lints and signs a subscriber certificate.</summary>
    /// <param name="request">Profile, mailboxes, subject data and public key.</param>
    /// <param name="issuer">The issuing CA: its subject, key identifier and URLs go into the certificate, its key signs it.</param>
    /// <returns>The certificate and its lint report (warnings only).</returns>
    /// <exception cref="SmimeComplianceException">The request breaks a rule; <see cref="SmimeComplianceException.Rule"/> names it.</exception>
    /// <exception cref="ArgumentException">A malformed option (validity, OID).</exception>
    public SmimeCertificate Build(SmimeCertificateRequest request, SmimeIssuingCa issuer)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(issuer);
        var draft = CreateDraft(request, issuer);
        return Sign(draft, request.Profile, issuer);
    }

    /// <summary>Section 7.1: fills every field of the to-be-signed certificate from the request.</summary>
    internal CertificateDraft CreateDraft(SmimeCertificateRequest request, SmimeIssuingCa issuer)
    {
        var profile = request.Profile ?? throw new ArgumentException("The request has no profile.", nameof(request));
        ArgumentNullException.ThrowIfNull(request.PublicKey, nameof(request.PublicKey));
        RefuseLegacy(profile);
        var mailboxes = SanMailboxes(request.Mailboxes);
        var keyUsage = KeyUsageFor(request.PublicKey.Algorithm, request.KeyPurpose);
        var (notBefore, notAfter) = ValidityFor(request.Validity);
        var subjectAttributes = NameEncoder.AttributesOf(request.Subject ?? new SmimeSubject()).ToList();

        var draft = new CertificateDraft
        {
            Serial = NewSerial(),
            SignatureAlgorithm = issuer.Key.SignatureAlgorithm,
            Issuer = issuer.Issuer.Subject, // 7.1.4.1: byte-for-byte the issuing CA's subject.
            NotBefore = notBefore,
            NotAfter = notAfter,
            Subject = NameEncoder.Encode(subjectAttributes),
            SubjectPublicKeyInfo = request.PublicKey.SubjectPublicKeyInfo.ToArray(),
        };

        draft.Extensions.Add(ExtensionEncoder.KeyUsage(keyUsage));
        draft.Extensions.Add(ExtensionEncoder.ExtendedKeyUsage([Oids.EmailProtection, .. ValidOids(request.AdditionalExtendedKeyUsages, "extended key usage")]));
        draft.Extensions.Add(ExtensionEncoder.CertificatePolicies([profile.PolicyOid, .. ValidOids(issuer.AdditionalPolicyOids, "policy")], issuer.CpsUri));
        draft.Extensions.Add(ExtensionEncoder.CrlDistributionPoints(issuer.CrlDistributionPoint.AbsoluteUri));
        var access = new List<(string, string)>();
        if (issuer.Ocsp is not null)
        {
            access.Add((Oids.AccessOcsp, issuer.Ocsp.AbsoluteUri));
        }

        if (issuer.CaIssuers is not null)
        {
            access.Add((Oids.AccessCaIssuers, issuer.CaIssuers.AbsoluteUri));
        }

        if (access.Count > 0)
        {
            draft.Extensions.Add(ExtensionEncoder.AuthorityInformationAccess(access));
        }

        draft.Extensions.Add(ExtensionEncoder.AuthorityKeyIdentifier(issuer.Issuer.SubjectKeyIdentifier!));
        draft.Extensions.Add(ExtensionEncoder.SubjectKeyIdentifier(ExtensionEncoder.KeyIdentifier(request.PublicKey.SubjectPublicKeyInfo.Span)));

        // 7.1.2.3 (h): critical only when the subject is empty (RFC 5280 section 4.2.1.6).
        draft.Extensions.Add(ExtensionEncoder.SubjectAltName(mailboxes, critical: subjectAttributes.Count == 0));
        return draft;
    }

    /// <summary>Section 4.3.1.2: lints the to-be-signed content, then signs it when no rule is broken.</summary>
    internal SmimeCertificate Sign(CertificateDraft draft, SmimeProfile profile, SmimeIssuingCa issuer)
    {
        var tbs = draft.EncodeTbs();

        // 4.3.1.2 method 2: "Specify a static value for the signature field" and lint that certificate.
        var report = SmimeLinter.Lint(draft.EncodeCertificate(tbs, []), profile, issuer.Issuer, _options.AllowLegacyGeneration);
        var errors = report.Errors.ToList();
        if (errors.Count > 0)
        {
            throw new SmimeComplianceException(errors);
        }

        var der = draft.EncodeCertificate(tbs, issuer.Key.Sign(tbs));
        return new SmimeCertificate(der, profile, HexText.Of(draft.Serial.ToByteArray(isUnsigned: true, isBigEndian: true)).TrimStart('0').ToUpperInvariant(),
            new DateTimeOffset(draft.NotBefore, TimeSpan.Zero), new DateTimeOffset(draft.NotAfter, TimeSpan.Zero), report);
    }

    /// <summary>Signs any draft with a key, without linting (CA certificates of the test hierarchy).</summary>
    internal static byte[] SignUnchecked(CertificateDraft draft, SmimeKeyPair key)
    {
        var tbs = draft.EncodeTbs();
        return draft.EncodeCertificate(tbs, key.Sign(tbs));
    }

    /// <summary>7.1: positive, below 2^159, at least 64 CSPRNG bits. 126 random bits with the top two bits fixed to 01.</summary>
    internal BigInteger NewSerial()
    {
        var bytes = new byte[16];
        _random.GetBytes(bytes);
        bytes[0] = (byte)((bytes[0] & 0x3F) | 0x40);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    private void RefuseLegacy(SmimeProfile profile)
    {
        if (profile.Generation == SmimeGeneration.Legacy && !_options.AllowLegacyGeneration)
        {
            throw new SmimeComplianceException(SmimeLintRules.LegacyGenerationRefused, "7.1.6.1",
                $"The Legacy profile {profile.PolicyOid} SHALL NOT be issued after 2025-07-15 (SMC08); use Multipurpose or Strict, or set SmimeBuilderOptions.AllowLegacyGeneration for historic or test material.");
        }
    }

    private (DateTime NotBefore, DateTime NotAfter) ValidityFor(TimeSpan? requested)
    {
        var validity = requested ?? _options.DefaultValidity;
        if (validity < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(requested), validity, "The validity period must be at least one second.");
        }

        var now = _time.GetUtcNow().UtcDateTime;
        var notBefore = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

        // RFC 5280 4.1.2.5: notAfter is inclusive, so a period of N seconds ends N - 1 seconds after notBefore.
        var seconds = Math.Ceiling(validity.TotalSeconds);
        return (notBefore, notBefore.AddSeconds(seconds - 1));
    }

    /// <summary>7.1.4.2.1: each mailbox as rfc822Name or SmtpUTF8Mailbox, checked before encoding.</summary>
    private static List<(bool SmtpUtf8, string Value)> SanMailboxes(IReadOnlyList<string>? mailboxes)
    {
        if (mailboxes is null || mailboxes.Count == 0)
        {
            throw new SmimeComplianceException(SmimeLintRules.SanNoMailbox, "7.1.4.2.1", "The request has no mailbox address; at least one is required.");
        }

        var result = new List<(bool, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mailbox in mailboxes)
        {
            if (mailbox is null)
            {
                throw new SmimeComplianceException(SmimeLintRules.SanNoMailbox, "7.1.4.2.1", "The request has a null mailbox address.");
            }

            var (smtpUtf8, value) = MailboxAddress.ToSanForm(mailbox);
            string problem;
            if (smtpUtf8 ? !MailboxAddress.IsValidSmtpUtf8Mailbox(value, out problem) : !MailboxAddress.IsValidRfc822Name(value, out problem))
            {
                throw new SmimeComplianceException(smtpUtf8 ? SmimeLintRules.SanSmtpUtf8Invalid : SmimeLintRules.SanRfc822Invalid, "7.1.4.2.1",
                    $"The mailbox address '{mailbox}' {problem}.");
            }

            if (seen.Add(MailboxAddress.Canonical(value) ?? value))
            {
                result.Add((smtpUtf8, value));
            }
        }

        return result;
    }

    /// <summary>7.1.2.3 (e): the keyUsage row for the key type and intended use.</summary>
    private static int KeyUsageFor(SmimeKeyAlgorithm key, SmimeKeyPurpose? requested)
    {
        var edDsa = key is SmimeKeyAlgorithm.Ed25519 or SmimeKeyAlgorithm.Ed448;
        var purpose = requested ?? (edDsa ? SmimeKeyPurpose.Signing : SmimeKeyPurpose.DualUse);
        if (!Enum.IsDefined(purpose))
        {
            throw new ArgumentOutOfRangeException(nameof(requested), purpose, "Not a key purpose.");
        }

        if (edDsa && purpose != SmimeKeyPurpose.Signing)
        {
            throw new SmimeComplianceException(SmimeLintRules.KeyUsageInvalidBits, "7.1.2.3 e",
                $"{key} keys are for signing only; {purpose} is not in the keyUsage table for id-Ed25519 and id-Ed448.");
        }

        var management = key == SmimeKeyAlgorithm.Rsa ? ExtensionEncoder.KeyEncipherment : ExtensionEncoder.KeyAgreement;
        return purpose switch
        {
            SmimeKeyPurpose.Signing => ExtensionEncoder.DigitalSignature,
            SmimeKeyPurpose.KeyManagement => management,
            _ => ExtensionEncoder.DigitalSignature | management,
        };
    }

    private static IEnumerable<string> ValidOids(IReadOnlyList<string>? oids, string what)
    {
        foreach (var oid in oids ?? [])
        {
            if (oid is null || !Oids.IsValid(oid))
            {
                throw new ArgumentException($"'{oid}' is not a valid {what} OID.", nameof(oids));
            }

            yield return oid;
        }
    }

    private static class SharedRandom
    {
        public static readonly RandomNumberGenerator Instance = RandomNumberGenerator.Create();
    }
}
