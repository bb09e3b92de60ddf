namespace Pki.Smime;

/// <summary>
/// Every rule <see cref="SmimeLinter"/> checks (and the builder enforces), with its stable code, severity
/// and S/MIME BR section. The codes are part of the API: they do not change between versions.
/// </summary>
public static class SmimeLintRules
{
    /// <summary><c>VERSION_NOT_V3</c> (7.1.1): Certificates SHALL be of type X.509 v3.</summary>
    public const string VersionNotV3 = "VERSION_NOT_V3";

    /// <summary><c>SERIAL_NOT_POSITIVE</c> (7.1): The serial number SHALL be greater than zero.</summary>
    public const string SerialNotPositive = "SERIAL_NOT_POSITIVE";

    /// <summary><c>SERIAL_TOO_LARGE</c> (7.1): The serial number SHALL be less than 2^159.</summary>
    public const string SerialTooLarge = "SERIAL_TOO_LARGE";

    /// <summary><c>SERIAL_TOO_SHORT</c> (7.1): The serial number SHALL contain at least 64 bits of CSPRNG output, so it is at least 64 bits long.</summary>
    public const string SerialTooShort = "SERIAL_TOO_SHORT";

    /// <summary><c>VALIDITY_INVERTED</c> (7.1.2.4): notAfter SHALL NOT be before notBefore (RFC 5280 section 4.1.2.5).</summary>
    public const string ValidityInverted = "VALIDITY_INVERTED";

    /// <summary><c>VALIDITY_TOO_LONG</c> (6.3.2): The validity period SHALL NOT exceed 825 days (Strict, Multipurpose) or 1185 days (Legacy).</summary>
    public const string ValidityTooLong = "VALIDITY_TOO_LONG";

    /// <summary><c>VALIDITY_TIME_ENCODING</c> (7.1.2.4): Dates through 2049 SHALL be UTCTime and later dates GeneralizedTime (RFC 5280 section 4.1.2.5).</summary>
    public const string ValidityTimeEncoding = "VALIDITY_TIME_ENCODING";

    /// <summary><c>UNIQUE_ID_PRESENT</c> (7.1.2.4): issuerUniqueID and subjectUniqueID SHALL NOT be present (RFC 5280 section 4.1.2.8).</summary>
    public const string UniqueIdPresent = "UNIQUE_ID_PRESENT";

    /// <summary><c>ISSUER_EMPTY</c> (7.1.2.4): The issuer SHALL be a non-empty distinguished name (RFC 5280 section 4.1.2.4).</summary>
    public const string IssuerEmpty = "ISSUER_EMPTY";

    /// <summary><c>ISSUER_NAME_MISMATCH</c> (7.1.4.1): The issuer SHALL be byte-for-byte identical with the issuing CA's subject.</summary>
    public const string IssuerNameMismatch = "ISSUER_NAME_MISMATCH";

    /// <summary><c>SIGALG_NOT_ALLOWED</c> (7.1.3.2): The signature AlgorithmIdentifier SHALL be byte-for-byte one of the encodings of section 7.1.3.2.</summary>
    public const string SignatureAlgorithmNotAllowed = "SIGALG_NOT_ALLOWED";

    /// <summary><c>SIGALG_MISMATCH</c> (7.1.3.2): signatureAlgorithm and tbsCertificate.signature SHALL be identical (RFC 5280 section 4.1.1.2).</summary>
    public const string SignatureAlgorithmMismatch = "SIGALG_MISMATCH";

    /// <summary><c>SIGALG_ISSUER_KEY</c> (7.1.3.2): The signature algorithm SHALL fit the issuing CA's key (P-256 with SHA-256, P-384 with SHA-384, P-521 with SHA-512, RSA with RSA, EdDSA with its curve).</summary>
    public const string SignatureAlgorithmIssuerKey = "SIGALG_ISSUER_KEY";

    /// <summary><c>SPKI_ALGORITHM_NOT_ALLOWED</c> (7.1.3.1): The public key AlgorithmIdentifier SHALL be byte-for-byte one of the encodings of section 7.1.3.1.</summary>
    public const string SpkiAlgorithmNotAllowed = "SPKI_ALGORITHM_NOT_ALLOWED";

    /// <summary><c>RSA_KEY_SIZE</c> (6.1.5): RSA moduli SHALL be at least 2048 bits and a multiple of 8 bits.</summary>
    public const string RsaKeySize = "RSA_KEY_SIZE";

    /// <summary><c>RSA_EXPONENT</c> (6.1.6): The RSA public exponent SHALL be an odd number of 3 or more.</summary>
    public const string RsaExponent = "RSA_EXPONENT";

    /// <summary><c>PUBLIC_KEY_INVALID</c> (6.1.5): EC and EdDSA keys SHALL be valid points on their curve.</summary>
    public const string PublicKeyInvalid = "PUBLIC_KEY_INVALID";

    /// <summary><c>EXT_DUPLICATE</c> (7.1.2.4): An extension SHALL NOT appear more than once (RFC 5280 section 4.2).</summary>
    public const string ExtensionDuplicate = "EXT_DUPLICATE";

    /// <summary><c>EXT_MALFORMED</c> (7.1.2.4): Every extension value SHALL be encoded as RFC 5280 defines it.</summary>
    public const string ExtensionMalformed = "EXT_MALFORMED";

    /// <summary><c>EXT_UNKNOWN</c> (7.1.2.4): Extensions not specified in section 7.1.2.3 SHALL NOT be included unless the CA is aware of a reason.</summary>
    public const string ExtensionUnknown = "EXT_UNKNOWN";

    /// <summary><c>EXT_CRITICAL</c> (7.1.2.3): authorityInformationAccess, authorityKeyIdentifier, subjectKeyIdentifier, smimeCapabilities, subjectDirectoryAttributes, qcStatements, LEI and Adobe extensions SHALL NOT be marked critical.</summary>
    public const string ExtensionCritical = "EXT_CRITICAL";

    /// <summary><c>EXT_PROHIBITED</c> (7.1.2.3): subjectDirectoryAttributes (Strict, Multipurpose), LEI (Mailbox, Individual), LEI role (Mailbox, Organization, Individual) and Adobe extensions (Strict) SHALL NOT be present.</summary>
    public const string ExtensionProhibited = "EXT_PROHIBITED";

    /// <summary><c>POLICY_MISSING</c> (7.1.2.3 a): certificatePolicies SHALL be present.</summary>
    public const string PolicyMissing = "POLICY_MISSING";

    /// <summary><c>POLICY_RESERVED_COUNT</c> (7.1.2.3 a): certificatePolicies SHALL include exactly one reserved policy identifier of section 7.1.6.1.</summary>
    public const string PolicyReservedCount = "POLICY_RESERVED_COUNT";

    /// <summary><c>POLICY_PROFILE_MISMATCH</c> (7.1.6.4): The reserved policy identifier SHALL be the one of the profile the certificate is issued under.</summary>
    public const string PolicyProfileMismatch = "POLICY_PROFILE_MISMATCH";

    /// <summary><c>POLICY_CRITICAL</c> (7.1.2.3 a): certificatePolicies SHOULD NOT be marked critical.</summary>
    public const string PolicyCritical = "POLICY_CRITICAL";

    /// <summary><c>POLICY_QUALIFIER_INVALID</c> (7.1.2.3 a): A CPS qualifier SHALL be an HTTP or HTTPS URL; a user notice SHALL contain explicitText and SHALL NOT contain noticeRef.</summary>
    public const string PolicyQualifierInvalid = "POLICY_QUALIFIER_INVALID";

    /// <summary><c>LEGACY_AFTER_SUNSET</c> (7.1.6.1): Legacy-generation certificates SHALL NOT be issued on or after 2025-07-15 (SMC08).</summary>
    public const string LegacyAfterSunset = "LEGACY_AFTER_SUNSET";

    /// <summary><c>LEGACY_GENERATION_REFUSED</c> (7.1.6.1): The builder refuses Legacy-generation profiles unless historic or test material is asked for explicitly (SMC08).</summary>
    public const string LegacyGenerationRefused = "LEGACY_GENERATION_REFUSED";

    /// <summary><c>CRLDP_MISSING</c> (7.1.2.3 b): cRLDistributionPoints SHALL be present.</summary>
    public const string CrlDistributionPointsMissing = "CRLDP_MISSING";

    /// <summary><c>CRLDP_CRITICAL</c> (7.1.2.3 b): cRLDistributionPoints SHOULD NOT be marked critical.</summary>
    public const string CrlDistributionPointsCritical = "CRLDP_CRITICAL";

    /// <summary><c>CRLDP_NO_HTTP_URI</c> (7.1.2.3 b): cRLDistributionPoints SHALL contain a fullName uniformResourceIdentifier with the HTTP scheme.</summary>
    public const string CrlDistributionPointsNoHttpUri = "CRLDP_NO_HTTP_URI";

    /// <summary><c>CRLDP_NON_HTTP_URI</c> (7.1.2.3 b): In Strict and Multipurpose, every CRL distribution point URI SHALL have the HTTP scheme.</summary>
    public const string CrlDistributionPointsNonHttpUri = "CRLDP_NON_HTTP_URI";

    /// <summary><c>AIA_MISSING</c> (7.1.2.3 c): authorityInformationAccess SHOULD be present.</summary>
    public const string AiaMissing = "AIA_MISSING";

    /// <summary><c>AIA_CA_ISSUERS_MISSING</c> (7.1.2.3 c): authorityInformationAccess SHOULD contain an id-ad-caIssuers URI.</summary>
    public const string AiaCaIssuersMissing = "AIA_CA_ISSUERS_MISSING";

    /// <summary><c>AIA_NON_HTTP_URI</c> (7.1.2.3 c): OCSP and caIssuers URIs SHALL have the HTTP scheme (Strict, Multipurpose: every one; Legacy: at least one of each method present).</summary>
    public const string AiaNonHttpUri = "AIA_NON_HTTP_URI";

    /// <summary><c>BC_CA</c> (7.1.2.3 d): basicConstraints cA SHALL NOT be true.</summary>
    public const string BasicConstraintsCa = "BC_CA";

    /// <summary><c>BC_PATH_LEN</c> (7.1.2.3 d): basicConstraints pathLenConstraint SHALL NOT be present.</summary>
    public const string BasicConstraintsPathLength = "BC_PATH_LEN";

    /// <summary><c>KU_MISSING</c> (7.1.2.3 e): keyUsage SHALL be present.</summary>
    public const string KeyUsageMissing = "KU_MISSING";

    /// <summary><c>KU_NOT_CRITICAL</c> (7.1.2.3 e): keyUsage SHOULD be marked critical.</summary>
    public const string KeyUsageNotCritical = "KU_NOT_CRITICAL";

    /// <summary><c>KU_INVALID_BITS</c> (7.1.2.3 e): keyUsage bits SHALL be those of the signing, key management or dual use row for the key type and generation; other bits SHALL NOT be set.</summary>
    public const string KeyUsageInvalidBits = "KU_INVALID_BITS";

    /// <summary><c>EKU_MISSING</c> (7.1.2.3 f): extKeyUsage SHALL be present.</summary>
    public const string ExtendedKeyUsageMissing = "EKU_MISSING";

    /// <summary><c>EKU_NO_EMAIL_PROTECTION</c> (7.1.2.3 f): id-kp-emailProtection SHALL be present.</summary>
    public const string ExtendedKeyUsageNoEmailProtection = "EKU_NO_EMAIL_PROTECTION";

    /// <summary><c>EKU_FORBIDDEN_PURPOSE</c> (7.1.2.3 f): id-kp-serverAuth, id-kp-codeSigning, id-kp-timeStamping and anyExtendedKeyUsage SHALL NOT be present.</summary>
    public const string ExtendedKeyUsageForbiddenPurpose = "EKU_FORBIDDEN_PURPOSE";

    /// <summary><c>EKU_STRICT_OTHER_PURPOSE</c> (7.1.2.3 f): In Strict, no key purpose other than id-kp-emailProtection SHALL be present.</summary>
    public const string ExtendedKeyUsageStrictOtherPurpose = "EKU_STRICT_OTHER_PURPOSE";

    /// <summary><c>AKI_MISSING</c> (7.1.2.3 g): authorityKeyIdentifier SHALL be present.</summary>
    public const string AuthorityKeyIdentifierMissing = "AKI_MISSING";

    /// <summary><c>AKI_NO_KEY_ID</c> (7.1.2.3 g): authorityKeyIdentifier SHALL contain keyIdentifier.</summary>
    public const string AuthorityKeyIdentifierNoKeyId = "AKI_NO_KEY_ID";

    /// <summary><c>AKI_ISSUER_SERIAL</c> (7.1.2.3 g): authorityCertIssuer and authorityCertSerialNumber SHALL NOT be present.</summary>
    public const string AuthorityKeyIdentifierIssuerSerial = "AKI_ISSUER_SERIAL";

    /// <summary><c>AKI_ISSUER_MISMATCH</c> (7.1.2.2 i): keyIdentifier SHALL be the issuing CA's subjectKeyIdentifier.</summary>
    public const string AuthorityKeyIdentifierIssuerMismatch = "AKI_ISSUER_MISMATCH";

    /// <summary><c>SKI_MISSING</c> (7.1.2.3 n): subjectKeyIdentifier SHOULD be present.</summary>
    public const string SubjectKeyIdentifierMissing = "SKI_MISSING";

    /// <summary><c>SAN_MISSING</c> (7.1.2.3 h): subjectAltName SHALL be present.</summary>
    public const string SanMissing = "SAN_MISSING";

    /// <summary><c>SAN_CRITICAL</c> (7.1.2.3 h): subjectAltName SHOULD NOT be marked critical unless the subject is empty.</summary>
    public const string SanCritical = "SAN_CRITICAL";

    /// <summary><c>SAN_NOT_CRITICAL_EMPTY_SUBJECT</c> (7.1.2.4): With an empty subject, subjectAltName SHALL be marked critical (RFC 5280 section 4.2.1.6).</summary>
    public const string SanNotCriticalEmptySubject = "SAN_NOT_CRITICAL_EMPTY_SUBJECT";

    /// <summary><c>SAN_NO_MAILBOX</c> (7.1.4.2.1): subjectAltName SHALL contain at least one rfc822Name or SmtpUTF8Mailbox otherName.</summary>
    public const string SanNoMailbox = "SAN_NO_MAILBOX";

    /// <summary><c>SAN_NAME_TYPE</c> (7.1.4.2.1): Only rfc822Name, otherName and directoryName entries are allowed.</summary>
    public const string SanNameType = "SAN_NAME_TYPE";

    /// <summary><c>SAN_OTHERNAME_STRICT</c> (7.1.4.2.1): In Strict, the only otherName type allowed is id-on-SmtpUTF8Mailbox.</summary>
    public const string SanOtherNameStrict = "SAN_OTHERNAME_STRICT";

    /// <summary><c>SAN_RFC822_INVALID</c> (7.1.4.2.1): An rfc822Name SHALL be an ASCII Mailbox (RFC 5321 section 4.1.2) with its domain in A-labels.</summary>
    public const string SanRfc822Invalid = "SAN_RFC822_INVALID";

    /// <summary><c>SAN_SMTPUTF8_INVALID</c> (7.1.4.2.1): An SmtpUTF8Mailbox SHALL be a UTF8String Mailbox with a non-ASCII local part and U-label domain (RFC 9598 section 3).</summary>
    public const string SanSmtpUtf8Invalid = "SAN_SMTPUTF8_INVALID";

    /// <summary><c>SUBJECT_MAILBOX_NOT_IN_SAN</c> (7.1.4.2.1): Every mailbox address in the subject (commonName, emailAddress) SHALL be repeated in subjectAltName.</summary>
    public const string SubjectMailboxNotInSan = "SUBJECT_MAILBOX_NOT_IN_SAN";

    /// <summary><c>SUBJECT_ATTR_PROHIBITED</c> (7.1.4.2.3): An attribute marked SHALL NOT for the certificate type and generation SHALL NOT be present (sections 7.1.4.2.3 to 7.1.4.2.6).</summary>
    public const string SubjectAttributeProhibited = "SUBJECT_ATTR_PROHIBITED";

    /// <summary><c>SUBJECT_ATTR_REQUIRED</c> (7.1.4.2.4): organizationName and organizationIdentifier SHALL be present in Organization- and Sponsor-validated certificates.</summary>
    public const string SubjectAttributeRequired = "SUBJECT_ATTR_REQUIRED";

    /// <summary><c>SUBJECT_NAME_REQUIRED</c> (7.1.4.2.5): Sponsor- and Individual-validated Strict and Multipurpose certificates SHALL include givenName and/or surname, or pseudonym.</summary>
    public const string SubjectNameRequired = "SUBJECT_NAME_REQUIRED";

    /// <summary><c>SUBJECT_CN_CONTENT</c> (7.1.4.2.2 a): commonName SHALL be a mailbox address (any type), the organizationName (Organization), or a personal name or the pseudonym (Sponsor, Individual).</summary>
    public const string SubjectCommonNameContent = "SUBJECT_CN_CONTENT";

    /// <summary><c>SUBJECT_PSEUDONYM_WITH_NAME</c> (7.1.4.2.2 e): pseudonym SHALL NOT be present together with givenName or surname.</summary>
    public const string SubjectPseudonymWithName = "SUBJECT_PSEUDONYM_WITH_NAME";

    /// <summary><c>SUBJECT_ORGID_SYNTAX</c> (7.1.4.2.2 d): organizationIdentifier SHALL be scheme (NTR, VAT, PSD, LEI, GOV, INT), country, optional +subdivision, hyphen and registration reference.</summary>
    public const string SubjectOrganizationIdentifierSyntax = "SUBJECT_ORGID_SYNTAX";

    /// <summary><c>SUBJECT_ORGID_COUNTRY</c> (7.1.4.2.2 d): The organizationIdentifier country SHALL match countryName (except LEI and INT, which use XG).</summary>
    public const string SubjectOrganizationIdentifierCountry = "SUBJECT_ORGID_COUNTRY";

    /// <summary><c>SUBJECT_ADDRESS_DEPENDENCY</c> (7.1.4.2.2 j): streetAddress needs localityName or stateOrProvinceName; localityName, stateOrProvinceName and postalCode need countryName.</summary>
    public const string SubjectAddressDependency = "SUBJECT_ADDRESS_DEPENDENCY";

    /// <summary><c>SUBJECT_COUNTRY_INVALID</c> (7.1.4.2.2 n): countryName SHALL be a two-letter ISO 3166-1 code (or XX).</summary>
    public const string SubjectCountryInvalid = "SUBJECT_COUNTRY_INVALID";

    /// <summary><c>SUBJECT_METADATA_ONLY</c> (7.1.4.2): Subject attributes SHALL NOT contain only metadata such as '.', '-' or ' ', or say that the value is absent.</summary>
    public const string SubjectMetadataOnly = "SUBJECT_METADATA_ONLY";

    /// <summary><c>SUBJECT_ATTR_TOO_LONG</c> (7.1.4.2.2 a): Subject attributes SHALL respect the RFC 5280 upper bounds.</summary>
    public const string SubjectAttributeTooLong = "SUBJECT_ATTR_TOO_LONG";

    /// <summary><c>SUBJECT_ATTR_ENCODING</c> (7.1.4): countryName and serialNumber SHALL be PrintableString, emailAddress IA5String, other attributes PrintableString or UTF8String.</summary>
    public const string SubjectAttributeEncoding = "SUBJECT_ATTR_ENCODING";

    /// <summary>
    /// All rules: those the linter checks, in the order it reports them (each registered once in the
    /// linter's rule table), then <see cref="LegacyGenerationRefused"/>, which only the builder applies.
    /// </summary>
    public static IReadOnlyList<SmimeLintRule> All { get; } =
    [
        .. Linting.LintRuleTable.Rules.Select(rule => rule.Descriptor),
        new(LegacyGenerationRefused, SmimeLintSeverity.Error, "7.1.6.1", "The builder refuses Legacy-generation profiles unless historic or test material is asked for explicitly (SMC08)."),
    ];

    private static readonly Dictionary<string, SmimeLintRule> ByCode = All.ToDictionary(r => r.Code, StringComparer.Ordinal);

    /// <summary>The rule with the given code, e.g. to show its summary next to a finding.</summary>
    /// <param name="code">A code such as <c>KU_INVALID_BITS</c>.</param>
    /// <exception cref="KeyNotFoundException">No rule has that code.</exception>
    public static SmimeLintRule Get(string code) =>
        code is not null && ByCode.TryGetValue(code, out var rule) ? rule : throw new KeyNotFoundException($"No S/MIME lint rule has the code '{code}'.");
}
