using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Parameters;
using Pki.Smime.Internal;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Pki.Smime.Linting;

/// <summary>
/// Checks one parsed certificate against the subscriber rules of S/MIME BR section 7.1. Each check is a
/// small method named after the field or extension, with the section in its comment.
/// </summary>
internal sealed partial class CertificateLinter
{
    private const int KuDigitalSignature = 1 << 7;
    private const int KuNonRepudiation = 1 << 6;
    private const int KuKeyEncipherment = 1 << 5;
    private const int KuDataEncipherment = 1 << 4;
    private const int KuKeyAgreement = 1 << 3;
    private const int KuEncipherOnly = 1 << 0;
    private const int KuDecipherOnly = 1 << 15;

    private static readonly BigInteger SerialLimit = BigInteger.One.ShiftLeft(159);
    private static readonly Dictionary<string, int> RuleOrder =
        SmimeLintRules.All.Select((rule, index) => (rule.Code, index)).ToDictionary(p => p.Code, p => p.index, StringComparer.Ordinal);

    private static readonly HashSet<string> KnownExtensions = new(StringComparer.Ordinal)
    {
        Oids.CertificatePolicies, Oids.CrlDistributionPoints, Oids.AuthorityInfoAccess, Oids.BasicConstraints, Oids.KeyUsage,
        Oids.ExtendedKeyUsage, Oids.AuthorityKeyIdentifier, Oids.SubjectAltName, Oids.SmimeCapabilities, Oids.SubjectDirectoryAttributes,
        Oids.QcStatements, Oids.LegalEntityIdentifier, Oids.LegalEntityRole, Oids.AdobeTimestamp, Oids.AdobeArchiveRevInfo,
        Oids.SubjectKeyIdentifier,
    };

    private static readonly Lazy<X9ECParameters> P256 = new(() => ECNamedCurveTable.GetByName("P-256"));
    private static readonly Lazy<X9ECParameters> P384 = new(() => ECNamedCurveTable.GetByName("P-384"));
    private static readonly Lazy<X9ECParameters> P521 = new(() => ECNamedCurveTable.GetByName("P-521"));

    private readonly ParsedCertificate _cert;
    private readonly IssuerInfo? _issuer;
    private readonly bool _allowLegacy;
    private readonly List<SmimeLintFinding> _findings = [];
    private readonly Dictionary<string, RawExtension> _extensions = new(StringComparer.Ordinal);
    private SmimeProfile? _profile;
    private SmimeKeyAlgorithm? _keyAlgorithm;
    private readonly List<string> _sanMailboxes = [];

    private CertificateLinter(ParsedCertificate cert, IssuerInfo? issuer, bool allowLegacy)
    {
        _cert = cert;
        _issuer = issuer;
        _allowLegacy = allowLegacy;
    }

    /// <summary>Lints a parsed certificate; <paramref name="profile"/> null means "take it from the policy OID".</summary>
    public static SmimeLintReport Run(ParsedCertificate cert, SmimeProfile? profile, IssuerInfo? issuer, bool allowLegacy)
    {
        var linter = new CertificateLinter(cert, issuer, allowLegacy);
        linter.RunAll(profile);
        linter._findings.Sort((a, b) => RuleOrder[a.Code].CompareTo(RuleOrder[b.Code]));
        return new SmimeLintReport { Profile = linter._profile, Findings = linter._findings };
    }

    private void RunAll(SmimeProfile? givenProfile)
    {
        CollectExtensions();
        _profile = CheckPolicies(givenProfile);
        CheckVersionAndSerial();
        CheckValidity();
        CheckIssuer();
        CheckSignatureAlgorithm();
        CheckPublicKey();
        CheckCrlDistributionPoints();
        CheckAuthorityInformationAccess();
        CheckBasicConstraints();
        CheckKeyUsage();
        CheckExtendedKeyUsage();
        CheckAuthorityKeyIdentifier();
        CheckSubjectKeyIdentifier();
        CheckSubjectAltName();
        CheckOptionalExtensions();
        CheckSubject();
    }

    private void Add(string code, string message, string? section = null)
    {
        var rule = SmimeLintRules.Get(code);
        _findings.Add(new SmimeLintFinding(code, rule.Severity, section ?? rule.Section, message));
    }

    private static string NameOf(string oid) => oid switch
    {
        Oids.CertificatePolicies => "certificatePolicies",
        Oids.CrlDistributionPoints => "cRLDistributionPoints",
        Oids.AuthorityInfoAccess => "authorityInformationAccess",
        Oids.BasicConstraints => "basicConstraints",
        Oids.KeyUsage => "keyUsage",
        Oids.ExtendedKeyUsage => "extKeyUsage",
        Oids.AuthorityKeyIdentifier => "authorityKeyIdentifier",
        Oids.SubjectKeyIdentifier => "subjectKeyIdentifier",
        Oids.SubjectAltName => "subjectAltName",
        Oids.SmimeCapabilities => "smimeCapabilities",
        Oids.SubjectDirectoryAttributes => "subjectDirectoryAttributes",
        Oids.QcStatements => "qcStatements",
        Oids.LegalEntityIdentifier => "Legal Entity Identifier",
        Oids.LegalEntityRole => "Legal Entity Identifier role",
        Oids.AdobeTimestamp => "Adobe Time-stamp",
        Oids.AdobeArchiveRevInfo => "Adobe ArchiveRevInfo",
        _ => oid,
    };

    /// <summary>Parses an extension value; a parse failure is an EXT_MALFORMED finding and null.</summary>
    private T? Decode<T>(RawExtension extension, Func<Asn1Object, T> decode)
        where T : class
    {
        try
        {
            return decode(Asn1Object.FromByteArray(extension.Value));
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or InvalidCastException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            Add(SmimeLintRules.ExtensionMalformed, $"The {NameOf(extension.Oid)} extension ({extension.Oid}) cannot be decoded: {ex.Message}");
            return null;
        }
    }

    // RFC 5280 section 4.2: "A certificate MUST NOT include more than one instance of a particular extension."
    // S/MIME BR 7.1.2.4: no extension "not specified in ... 7.1.2.3 unless the CA is aware of a reason".
    private void CollectExtensions()
    {
        foreach (var extension in _cert.Extensions)
        {
            if (_extensions.ContainsKey(extension.Oid))
            {
                Add(SmimeLintRules.ExtensionDuplicate, $"The {NameOf(extension.Oid)} extension ({extension.Oid}) appears more than once.");
                continue;
            }

            _extensions.Add(extension.Oid, extension);
            if (!KnownExtensions.Contains(extension.Oid))
            {
                Add(SmimeLintRules.ExtensionUnknown, $"The extension {extension.Oid} is not specified for subscriber certificates in section 7.1.2.3.");
            }
        }
    }

    private RawExtension? Extension(string oid) => _extensions.TryGetValue(oid, out var extension) ? extension : null;

    // 7.1.2.3 (a), 7.1.6.1, 7.1.6.4: exactly one reserved policy identifier, matching the profile.
    private SmimeProfile? CheckPolicies(SmimeProfile? givenProfile)
    {
        SmimeProfile? fromCertificate = null;
        if (Required(Oids.CertificatePolicies, SmimeLintRules.PolicyMissing) is { } extension)
        {
            ExpectCritical(extension, false, SmimeLintRules.PolicyCritical);
            var policies = Decode(extension, Asn1Sequence.GetInstance);
            if (policies is not null)
            {
                fromCertificate = CheckPolicyInformation(policies);
            }
        }

        if (givenProfile is not null && fromCertificate is not null && fromCertificate != givenProfile)
        {
            Add(SmimeLintRules.PolicyProfileMismatch,
                $"The certificate asserts {fromCertificate.PolicyOid} ({fromCertificate.Type} {fromCertificate.Generation}) but is checked against {givenProfile.PolicyOid} ({givenProfile.Type} {givenProfile.Generation}).");
        }

        var profile = givenProfile ?? fromCertificate;
        if (profile?.Generation == SmimeGeneration.Legacy && !_allowLegacy && _cert.NotBefore >= SmimeProfile.LegacySunset.UtcDateTime)
        {
            Add(SmimeLintRules.LegacyAfterSunset,
                $"The Legacy profile {profile.PolicyOid} is used with notBefore {_cert.NotBefore:yyyy-MM-dd}, on or after 2025-07-15.");
        }

        return profile;
    }

    private SmimeProfile? CheckPolicyInformation(Asn1Sequence policies)
    {
        var reserved = new List<SmimeProfile>();
        try
        {
            foreach (var element in policies)
            {
                var information = Asn1Sequence.GetInstance(element);
                var oid = DerObjectIdentifier.GetInstance(information[0]).Id;
                if (SmimeProfile.TryFromPolicyOid(oid, out var profile))
                {
                    reserved.Add(profile);
                }

                if (information.Count > 1)
                {
                    foreach (var qualifierElement in Asn1Sequence.GetInstance(information[1]))
                    {
                        CheckPolicyQualifier(Asn1Sequence.GetInstance(qualifierElement));
                    }
                }
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidCastException or IndexOutOfRangeException)
        {
            Add(SmimeLintRules.ExtensionMalformed, $"The certificatePolicies extension cannot be decoded: {ex.Message}");
            return null;
        }

        if (reserved.Count != 1)
        {
            Add(SmimeLintRules.PolicyReservedCount,
                $"certificatePolicies has {reserved.Count} reserved S/MIME policy identifiers ({string.Join(", ", reserved.Select(p => p.PolicyOid))}); exactly one is required.");
            return null;
        }

        return reserved[0];
    }

    private void CheckPolicyQualifier(Asn1Sequence qualifier)
    {
        var id = DerObjectIdentifier.GetInstance(qualifier[0]).Id;
        if (id == Oids.QualifierCps)
        {
            var uri = qualifier[1] is DerIA5String ia5 ? ia5.GetString() : null;
            if (uri is null || !(uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
            {
                Add(SmimeLintRules.PolicyQualifierInvalid, $"The CPS qualifier '{uri ?? qualifier[1].ToString()}' is not an HTTP or HTTPS URL.");
            }
        }
        else if (id == Oids.QualifierUserNotice)
        {
            var notice = Asn1Sequence.GetInstance(qualifier[1]);
            var hasReference = notice.OfType<Asn1Sequence>().Any();
            var hasText = notice.OfType<IAsn1String>().Any();
            if (hasReference || !hasText)
            {
                Add(SmimeLintRules.PolicyQualifierInvalid, hasReference
                    ? "The user notice qualifier contains noticeRef."
                    : "The user notice qualifier has no explicitText.");
            }
        }
    }

    // 7.1.1 version; 7.1 serial: "greater than zero (0) and less than 2^159 containing at least 64 bits of output from a CSPRNG".
    private void CheckVersionAndSerial()
    {
        if (_cert.Version != 2)
        {
            Add(SmimeLintRules.VersionNotV3, $"The certificate is version {_cert.Version + 1}, not 3.");
        }

        if (_cert.Serial.SignValue <= 0)
        {
            Add(SmimeLintRules.SerialNotPositive, $"The serial number {_cert.Serial} is not greater than zero.");
        }
        else if (_cert.Serial.CompareTo(SerialLimit) >= 0)
        {
            Add(SmimeLintRules.SerialTooLarge, $"The serial number is {_cert.Serial.BitLength} bits long, not less than 2^159.");
        }
        else if (_cert.Serial.BitLength < 64)
        {
            Add(SmimeLintRules.SerialTooShort, $"The serial number is only {_cert.Serial.BitLength} bits long; 64 random bits need at least 64.");
        }

        if (_cert.HasUniqueIds)
        {
            Add(SmimeLintRules.UniqueIdPresent, "The certificate has issuerUniqueID or subjectUniqueID.");
        }
    }

    // 6.3.2: "a day is measured as 86,400 seconds. Any amount of time greater than this ... SHALL represent an additional day."
    private void CheckValidity()
    {
        if (_cert.NotAfter < _cert.NotBefore)
        {
            Add(SmimeLintRules.ValidityInverted, $"notAfter {_cert.NotAfter:u} is before notBefore {_cert.NotBefore:u}.");
        }
        else if (_profile is not null)
        {
            // RFC 5280 4.1.2.5: the validity period includes both notBefore and notAfter, hence + 1 second.
            var seconds = (_cert.NotAfter - _cert.NotBefore).TotalSeconds + 1;
            var maximum = _profile.MaximumValidity.TotalSeconds;
            if (seconds > maximum)
            {
                Add(SmimeLintRules.ValidityTooLong,
                    $"The validity period is {Math.Ceiling(seconds / 86400)} days; {_profile.Generation} allows {_profile.MaximumValidity.TotalDays} days.");
            }
        }

        if (!_cert.TimesInStrictForm)
        {
            Add(SmimeLintRules.ValidityTimeEncoding, "A validity date is not in the RFC 5280 form YYMMDDHHMMSSZ (UTCTime) or YYYYMMDDHHMMSSZ (GeneralizedTime).");
        }

        CheckTimeEncoding("notBefore", _cert.NotBeforeIsUtcTime, _cert.NotBefore);
        CheckTimeEncoding("notAfter", _cert.NotAfterIsUtcTime, _cert.NotAfter);
    }

    private void CheckTimeEncoding(string field, bool isUtcTime, DateTime value)
    {
        if (isUtcTime != (value.Year < 2050))
        {
            Add(SmimeLintRules.ValidityTimeEncoding,
                $"{field} ({value:u}) is encoded as {(isUtcTime ? "UTCTime" : "GeneralizedTime")}; years before 2050 use UTCTime, later years GeneralizedTime.");
        }
    }

    // 7.1.4.1: issuer byte-for-byte identical with the issuing CA's subject.
    private void CheckIssuer()
    {
        if (_cert.IssuerRdnCount == 0)
        {
            Add(SmimeLintRules.IssuerEmpty, "The issuer name is empty.");
        }

        if (_issuer is not null && !_cert.Issuer.AsSpan().SequenceEqual(_issuer.Subject))
        {
            Add(SmimeLintRules.IssuerNameMismatch,
                $"The issuer name ({HexText.Of(_cert.Issuer)}) is not byte-identical with the issuing CA subject ({HexText.Of(_issuer.Subject)}).");
        }
    }

    // 7.1.3.2: signature AlgorithmIdentifier byte-exact, same in both places, fitting the issuer key.
    private void CheckSignatureAlgorithm()
    {
        if (!_cert.TbsSignatureAlgorithm.AsSpan().SequenceEqual(_cert.OuterSignatureAlgorithm))
        {
            Add(SmimeLintRules.SignatureAlgorithmMismatch,
                $"signatureAlgorithm ({HexText.Of(_cert.OuterSignatureAlgorithm)}) differs from tbsCertificate.signature ({HexText.Of(_cert.TbsSignatureAlgorithm)}).");
        }

        if (!AlgorithmIdentifiers.IsSignatureAllowed(_cert.TbsSignatureAlgorithm, out var fits, _issuer?.KeyAlgorithm))
        {
            Add(SmimeLintRules.SignatureAlgorithmNotAllowed,
                $"The signature AlgorithmIdentifier {HexText.Of(_cert.TbsSignatureAlgorithm)} is not one of the encodings of section 7.1.3.2.");
        }
        else if (!fits)
        {
            Add(SmimeLintRules.SignatureAlgorithmIssuerKey,
                $"The signature AlgorithmIdentifier {HexText.Of(_cert.TbsSignatureAlgorithm)} does not fit the issuing CA's {_issuer?.KeyAlgorithm} key.");
        }
    }

    // 7.1.3.1 encodings; 6.1.5 key sizes and curves; 6.1.6 RSA exponent.
    private void CheckPublicKey()
    {
        _keyAlgorithm = AlgorithmIdentifiers.KeyAlgorithmOf(_cert.SpkiAlgorithm);
        if (_keyAlgorithm is null)
        {
            Add(SmimeLintRules.SpkiAlgorithmNotAllowed,
                $"The public key AlgorithmIdentifier {HexText.Of(_cert.SpkiAlgorithm)} is not one of the encodings of section 7.1.3.1.");
            return;
        }

        var key = _cert.SubjectPublicKey;
        try
        {
            switch (_keyAlgorithm)
            {
                case SmimeKeyAlgorithm.Rsa:
                    var rsa = RsaPublicKeyStructure.GetInstance(Asn1Object.FromByteArray(key));
                    var bits = rsa.Modulus.BitLength;
                    if (bits < 2048 || bits % 8 != 0)
                    {
                        Add(SmimeLintRules.RsaKeySize, $"The RSA modulus is {bits} bits; at least 2048 and a multiple of 8 are required.");
                    }

                    if (!rsa.PublicExponent.TestBit(0) || rsa.PublicExponent.CompareTo(BigInteger.Three) < 0)
                    {
                        Add(SmimeLintRules.RsaExponent, $"The RSA public exponent {rsa.PublicExponent} is not an odd number of 3 or more.");
                    }

                    break;
                case SmimeKeyAlgorithm.EcP256 or SmimeKeyAlgorithm.EcP384 or SmimeKeyAlgorithm.EcP521:
                    var curve = _keyAlgorithm switch
                    {
                        SmimeKeyAlgorithm.EcP256 => P256.Value,
                        SmimeKeyAlgorithm.EcP384 => P384.Value,
                        _ => P521.Value,
                    };
                    var point = curve.Curve.DecodePoint(key);
                    if (point.IsInfinity || !point.IsValid())
                    {
                        throw new ArgumentException("the point is not on the curve");
                    }

                    break;
                case SmimeKeyAlgorithm.Ed25519:
                    _ = new Ed25519PublicKeyParameters(key);
                    break;
                default:
                    _ = new Ed448PublicKeyParameters(key);
                    break;
            }
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or InvalidCastException or InvalidOperationException or FormatException)
        {
            if (_keyAlgorithm == SmimeKeyAlgorithm.Rsa)
            {
                Add(SmimeLintRules.PublicKeyInvalid, $"The RSA public key is not a valid RSAPublicKey: {ex.Message}");
            }
            else
            {
                Add(SmimeLintRules.PublicKeyInvalid, $"The {_keyAlgorithm} public key is not a valid point on its curve: {ex.Message}");
            }
        }
    }
}
