using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Pki.Smime.Internal;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Pki.Smime.Tests;

/// <summary>
/// Issue point 6: for each rule the linter checks, a certificate that breaks exactly that rule gets exactly
/// that finding. Each case starts from a compliant draft made by the builder and changes one thing.
/// </summary>
public sealed class LintRuleTests
{
    private static readonly SmimeProfile StrictMailbox = TestPki.StrictMailbox;
    private static readonly SmimeProfile MultiMailbox = new(SmimeValidationType.Mailbox, SmimeGeneration.Multipurpose);
    private static readonly SmimeProfile LegacyMailbox = new(SmimeValidationType.Mailbox, SmimeGeneration.Legacy);
    private static readonly SmimeProfile StrictOrganization = new(SmimeValidationType.Organization, SmimeGeneration.Strict);
    private static readonly SmimeProfile StrictIndividual = new(SmimeValidationType.Individual, SmimeGeneration.Strict);
    private static readonly SmimeSubject EmptySubject = new();

    /// <summary>One broken certificate: how to make it and how to lint it.</summary>
    internal sealed record RuleCase(
        string Code,
        string Description,
        SmimeProfile Profile,
        Action<CertificateDraft> Break,
        SmimeSubject? Subject = null,
        SmimeKeyAlgorithm Key = SmimeKeyAlgorithm.EcP256,
        bool LintWithIssuer = true,
        bool Legacy = false,
        bool AllowLegacyInLint = true,
        bool GiveProfile = false)
    {
        public override string ToString() => $"{Code}: {Description}";
    }

    private static byte[] Ext(Asn1Encodable value) => value.GetEncoded(Asn1Encodable.Der);

    private static DerTaggedObject Rfc822(string value) => new(false, 1, new DerIA5String(value));

    private static DerTaggedObject Uri(string value) => new(false, 6, new DerIA5String(value));

    private static DraftExtension San(bool critical, params Asn1Encodable[] names) => new(Oids.SubjectAltName, critical, Ext(new DerSequence(names)));

    private static byte[] Name(params (string Oid, Asn1Encodable Value)[] attributes) =>
        Ext(new DerSequence(attributes.Select(a => (Asn1Encodable)new DerSet(new DerSequence(new DerObjectIdentifier(a.Oid), a.Value))).ToArray()));

    private static void SetCritical(CertificateDraft draft, string oid, bool critical)
    {
        var extension = draft.Find(oid)!;
        draft.Set(extension with { Critical = critical });
    }

    private static byte[] RsaSpki(BigInteger modulus, BigInteger exponent) =>
        Ext(new DerSequence(Asn1Object.FromByteArray(AlgorithmIdentifiers.RsaEncryption), new DerBitString(new RsaPublicKeyStructure(modulus, exponent))));

    private static BigInteger Modulus(int bits)
    {
        using var rsa = RSA.Create(bits);
        return new BigInteger(1, rsa.ExportParameters(false).Modulus);
    }

    private static DraftExtension UserNoticeWithReference()
    {
        var noticeRef = new DerSequence(new DerUtf8String("Org"), new DerSequence(DerInteger.ValueOf(1)));
        var notice = new DerSequence(noticeRef, new DerUtf8String("Notice"));
        var qualifier = new DerSequence(new DerObjectIdentifier(Oids.QualifierUserNotice), notice);
        var policy = new DerSequence(new DerObjectIdentifier(StrictMailbox.PolicyOid), new DerSequence(qualifier));
        return new DraftExtension(Oids.CertificatePolicies, false, Ext(new DerSequence(policy)));
    }

    internal static IEnumerable<RuleCase> Cases()
    {
        // 7.1.1, 7.1: version and serial.
        yield return new(SmimeLintRules.VersionNotV3, "version 2", StrictMailbox, d => d.Version = 1);
        yield return new(SmimeLintRules.SerialNotPositive, "serial 0", StrictMailbox, d => d.Serial = System.Numerics.BigInteger.Zero);
        yield return new(SmimeLintRules.SerialTooLarge, "serial 2^159", StrictMailbox, d => d.Serial = System.Numerics.BigInteger.One << 159);
        yield return new(SmimeLintRules.SerialTooShort, "serial 12345", StrictMailbox, d => d.Serial = new System.Numerics.BigInteger(12345));

        // 6.3.2, RFC 5280 validity.
        yield return new(SmimeLintRules.ValidityInverted, "notAfter a day before notBefore", StrictMailbox, d => d.NotAfter = d.NotBefore.AddDays(-1));
        yield return new(SmimeLintRules.ValidityTooLong, "825 days and 1 second", StrictMailbox, d => d.NotAfter = d.NotBefore.AddDays(825));
        yield return new(SmimeLintRules.ValidityTooLong, "Legacy 1185 days and 1 second", LegacyMailbox, d => d.NotAfter = d.NotBefore.AddDays(1185), Legacy: true);
        yield return new(SmimeLintRules.ValidityTimeEncoding, "GeneralizedTime in 2026", StrictMailbox, d => d.ForceGeneralizedTime = true);
        yield return new(SmimeLintRules.UniqueIdPresent, "subjectUniqueID", StrictMailbox, d => d.SubjectUniqueId = [1, 2, 3]);

        // 7.1.4.1 and RFC 5280 issuer.
        yield return new(SmimeLintRules.IssuerEmpty, "empty issuer", StrictMailbox, d => d.Issuer = [0x30, 0x00], LintWithIssuer: false);
        yield return new(SmimeLintRules.IssuerNameMismatch, "issuer re-encoded as PrintableString", StrictMailbox, d => d.Issuer = Name(
            (Oids.CountryName, new DerPrintableString("XX")), (Oids.OrganizationName, new DerPrintableString("Pki Test")),
            (Oids.CommonName, new DerPrintableString("Pki Test S/MIME Issuing CA"))));

        // 7.1.3.2 signature algorithm.
        yield return new(SmimeLintRules.SignatureAlgorithmNotAllowed, "ecdsa-with-SHA256 with NULL parameters", StrictMailbox,
            d => d.SignatureAlgorithm = TestPki.Hex("300c06082a8648ce3d0403020500"));
        yield return new(SmimeLintRules.SignatureAlgorithmMismatch, "outer signatureAlgorithm SHA-384", StrictMailbox,
            d => d.OuterSignatureAlgorithm = AlgorithmIdentifiers.EcdsaSha384);
        yield return new(SmimeLintRules.SignatureAlgorithmIssuerKey, "ecdsa-with-SHA384 from a P-256 issuer", StrictMailbox,
            d => d.SignatureAlgorithm = AlgorithmIdentifiers.EcdsaSha384);

        // 7.1.3.1, 6.1.5, 6.1.6 public key.
        yield return new(SmimeLintRules.SpkiAlgorithmNotAllowed, "rsaEncryption without NULL parameters", StrictMailbox, d =>
        {
            var rsa = Asn1Sequence.GetInstance(TestPki.Key(SmimeKeyAlgorithm.Rsa).SubjectPublicKeyInfo.ToArray());
            d.SubjectPublicKeyInfo = Ext(new DerSequence(new DerSequence(new DerObjectIdentifier(Oids.RsaEncryption)), rsa[1]));
        }, Key: SmimeKeyAlgorithm.Rsa);
        yield return new(SmimeLintRules.RsaKeySize, "RSA-1024", StrictMailbox, d => d.SubjectPublicKeyInfo = RsaSpki(Modulus(1024), BigInteger.ValueOf(65537)), Key: SmimeKeyAlgorithm.Rsa);
        yield return new(SmimeLintRules.RsaExponent, "exponent 65536", StrictMailbox, d => d.SubjectPublicKeyInfo = RsaSpki(Modulus(2048), BigInteger.ValueOf(65536)), Key: SmimeKeyAlgorithm.Rsa);
        yield return new(SmimeLintRules.PublicKeyInvalid, "P-256 point off the curve", StrictMailbox, d =>
        {
            var spki = Asn1Sequence.GetInstance(d.SubjectPublicKeyInfo);
            var point = DerBitString.GetInstance(spki[1]).GetBytes();
            point[^1] ^= 1;
            d.SubjectPublicKeyInfo = Ext(new DerSequence(spki[0], new DerBitString(point)));
        });
        yield return new(SmimeLintRules.PublicKeyInvalid, "Ed25519 key of 31 bytes", StrictMailbox, d =>
            d.SubjectPublicKeyInfo = Ext(new DerSequence(Asn1Object.FromByteArray(AlgorithmIdentifiers.Ed25519), new DerBitString(new byte[31]))),
            Key: SmimeKeyAlgorithm.Ed25519);

        // 7.1.2.4 extensions in general.
        yield return new(SmimeLintRules.ExtensionDuplicate, "two subjectKeyIdentifier extensions", StrictMailbox, d => d.Extensions.Add(d.Find(Oids.SubjectKeyIdentifier)!));
        yield return new(SmimeLintRules.ExtensionMalformed, "keyUsage holding NULL", StrictMailbox, d => d.Set(new DraftExtension(Oids.KeyUsage, true, [0x05, 0x00])));
        yield return new(SmimeLintRules.ExtensionUnknown, "private extension 1.2.3.4", StrictMailbox, d => d.Extensions.Add(new DraftExtension("1.2.3.4", false, [0x05, 0x00])));
        yield return new(SmimeLintRules.ExtensionCritical, "critical authorityKeyIdentifier", StrictMailbox, d => SetCritical(d, Oids.AuthorityKeyIdentifier, true));
        yield return new(SmimeLintRules.ExtensionCritical, "critical authorityInformationAccess", StrictMailbox, d => SetCritical(d, Oids.AuthorityInfoAccess, true));
        yield return new(SmimeLintRules.ExtensionCritical, "critical smimeCapabilities", StrictMailbox, d => d.Extensions.Add(new DraftExtension(Oids.SmimeCapabilities, true, [0x30, 0x00])));
        yield return new(SmimeLintRules.ExtensionProhibited, "Adobe time-stamp in Strict", StrictMailbox, d => d.Extensions.Add(new DraftExtension(Oids.AdobeTimestamp, false, [0x05, 0x00])));
        yield return new(SmimeLintRules.ExtensionProhibited, "LEI in Mailbox-validated", MultiMailbox, d => d.Extensions.Add(new DraftExtension(Oids.LegalEntityIdentifier, false, [0x05, 0x00])));
        yield return new(SmimeLintRules.ExtensionProhibited, "subjectDirectoryAttributes in Multipurpose", MultiMailbox, d => d.Extensions.Add(new DraftExtension(Oids.SubjectDirectoryAttributes, false, [0x30, 0x00])));

        // 7.1.2.3 (a), 7.1.6 policies.
        yield return new(SmimeLintRules.PolicyMissing, "no certificatePolicies", StrictMailbox, d => d.Remove(Oids.CertificatePolicies), GiveProfile: true);
        yield return new(SmimeLintRules.PolicyReservedCount, "two reserved policies", StrictMailbox,
            d => d.Set(ExtensionEncoder.CertificatePolicies([StrictMailbox.PolicyOid, MultiMailbox.PolicyOid], null)), GiveProfile: true);
        yield return new(SmimeLintRules.PolicyProfileMismatch, "Multipurpose OID checked as Strict", StrictMailbox,
            d => d.Set(ExtensionEncoder.CertificatePolicies([MultiMailbox.PolicyOid], null)), GiveProfile: true);
        yield return new(SmimeLintRules.PolicyCritical, "critical certificatePolicies", StrictMailbox, d => SetCritical(d, Oids.CertificatePolicies, true));
        yield return new(SmimeLintRules.PolicyQualifierInvalid, "ftp CPS qualifier", StrictMailbox,
            d => d.Set(ExtensionEncoder.CertificatePolicies([StrictMailbox.PolicyOid], new Uri("ftp://cps.example.test/cps"))));
        yield return new(SmimeLintRules.PolicyQualifierInvalid, "user notice with noticeRef", StrictMailbox, d => d.Set(UserNoticeWithReference()));
        yield return new(SmimeLintRules.LegacyAfterSunset, "Legacy issued in 2026", LegacyMailbox, d =>
        {
            d.NotBefore = TestPki.Now.UtcDateTime;
            d.NotAfter = d.NotBefore.AddDays(365);
        }, Legacy: true, AllowLegacyInLint: false);

        // 7.1.2.3 (b) CRL distribution points.
        yield return new(SmimeLintRules.CrlDistributionPointsMissing, "no cRLDistributionPoints", StrictMailbox, d => d.Remove(Oids.CrlDistributionPoints));
        yield return new(SmimeLintRules.CrlDistributionPointsCritical, "critical cRLDistributionPoints", StrictMailbox, d => SetCritical(d, Oids.CrlDistributionPoints, true));
        yield return new(SmimeLintRules.CrlDistributionPointsNoHttpUri, "LDAP only", StrictMailbox, d => d.Set(ExtensionEncoder.CrlDistributionPoints("ldap://ldap.example.test/cn=crl")));
        yield return new(SmimeLintRules.CrlDistributionPointsNoHttpUri, "Legacy with LDAP only", LegacyMailbox,
            d => d.Set(ExtensionEncoder.CrlDistributionPoints("ldap://ldap.example.test/cn=crl")), Legacy: true);
        yield return new(SmimeLintRules.CrlDistributionPointsNonHttpUri, "HTTP and LDAP in Strict", StrictMailbox,
            d => d.Set(ExtensionEncoder.CrlDistributionPoints("http://crl.example.test/a.crl", "ldap://ldap.example.test/cn=crl")));

        // 7.1.2.3 (c) AIA.
        yield return new(SmimeLintRules.AiaMissing, "no authorityInformationAccess", StrictMailbox, d => d.Remove(Oids.AuthorityInfoAccess));
        yield return new(SmimeLintRules.AiaCaIssuersMissing, "OCSP only", StrictMailbox,
            d => d.Set(ExtensionEncoder.AuthorityInformationAccess([(Oids.AccessOcsp, "http://ocsp.example.test")])));
        yield return new(SmimeLintRules.AiaNonHttpUri, "HTTPS caIssuers in Strict", StrictMailbox,
            d => d.Set(ExtensionEncoder.AuthorityInformationAccess([(Oids.AccessCaIssuers, "https://ca.example.test/ca.cer")])));
        yield return new(SmimeLintRules.AiaNonHttpUri, "Legacy OCSP with LDAP only", LegacyMailbox, d => d.Set(ExtensionEncoder.AuthorityInformationAccess(
            [(Oids.AccessOcsp, "ldap://ocsp.example.test"), (Oids.AccessCaIssuers, "http://ca.example.test/ca.cer")])), Legacy: true);

        // 7.1.2.3 (d) basicConstraints.
        yield return new(SmimeLintRules.BasicConstraintsCa, "cA true", StrictMailbox, d => d.Extensions.Add(ExtensionEncoder.BasicConstraints(ca: true, pathLength: null)));
        yield return new(SmimeLintRules.BasicConstraintsPathLength, "pathLenConstraint 0", StrictMailbox,
            d => d.Extensions.Add(new DraftExtension(Oids.BasicConstraints, true, Ext(new DerSequence(DerInteger.ValueOf(0))))));

        // 7.1.2.3 (e) keyUsage.
        yield return new(SmimeLintRules.KeyUsageMissing, "no keyUsage", StrictMailbox, d => d.Remove(Oids.KeyUsage));
        yield return new(SmimeLintRules.KeyUsageNotCritical, "non-critical keyUsage", StrictMailbox, d => SetCritical(d, Oids.KeyUsage, false));
        yield return new(SmimeLintRules.KeyUsageInvalidBits, "keyEncipherment on an EC key", StrictMailbox, d => d.Set(ExtensionEncoder.KeyUsage(ExtensionEncoder.KeyEncipherment)));
        yield return new(SmimeLintRules.KeyUsageInvalidBits, "dataEncipherment on RSA in Strict", StrictMailbox,
            d => d.Set(ExtensionEncoder.KeyUsage(ExtensionEncoder.KeyEncipherment | (1 << 4))), Key: SmimeKeyAlgorithm.Rsa);
        yield return new(SmimeLintRules.KeyUsageInvalidBits, "keyAgreement on Ed25519", StrictMailbox,
            d => d.Set(ExtensionEncoder.KeyUsage(ExtensionEncoder.DigitalSignature | ExtensionEncoder.KeyAgreement)), Key: SmimeKeyAlgorithm.Ed25519);
        yield return new(SmimeLintRules.KeyUsageInvalidBits, "encipherOnly without keyAgreement", StrictMailbox,
            d => d.Set(ExtensionEncoder.KeyUsage(ExtensionEncoder.DigitalSignature | 1)));

        // 7.1.2.3 (f) extKeyUsage.
        yield return new(SmimeLintRules.ExtendedKeyUsageMissing, "no extKeyUsage", StrictMailbox, d => d.Remove(Oids.ExtendedKeyUsage));
        yield return new(SmimeLintRules.ExtendedKeyUsageNoEmailProtection, "clientAuth only in Multipurpose", MultiMailbox, d => d.Set(ExtensionEncoder.ExtendedKeyUsage([Oids.ClientAuth])));
        yield return new(SmimeLintRules.ExtendedKeyUsageForbiddenPurpose, "serverAuth", StrictMailbox, d => d.Set(ExtensionEncoder.ExtendedKeyUsage([Oids.EmailProtection, Oids.ServerAuth])));
        yield return new(SmimeLintRules.ExtendedKeyUsageForbiddenPurpose, "anyExtendedKeyUsage in Multipurpose", MultiMailbox,
            d => d.Set(ExtensionEncoder.ExtendedKeyUsage([Oids.EmailProtection, Oids.AnyExtendedKeyUsage])));
        yield return new(SmimeLintRules.ExtendedKeyUsageStrictOtherPurpose, "clientAuth in Strict", StrictMailbox, d => d.Set(ExtensionEncoder.ExtendedKeyUsage([Oids.EmailProtection, Oids.ClientAuth])));

        // 7.1.2.3 (g) authorityKeyIdentifier.
        yield return new(SmimeLintRules.AuthorityKeyIdentifierMissing, "no authorityKeyIdentifier", StrictMailbox, d => d.Remove(Oids.AuthorityKeyIdentifier));
        yield return new(SmimeLintRules.AuthorityKeyIdentifierNoKeyId, "empty authorityKeyIdentifier", StrictMailbox, d => d.Set(new DraftExtension(Oids.AuthorityKeyIdentifier, false, [0x30, 0x00])));
        yield return new(SmimeLintRules.AuthorityKeyIdentifierIssuerSerial, "authorityCertSerialNumber", StrictMailbox, d =>
        {
            var aki = Asn1Sequence.GetInstance(d.Find(Oids.AuthorityKeyIdentifier)!.Value);
            d.Set(new DraftExtension(Oids.AuthorityKeyIdentifier, false, Ext(new DerSequence(aki[0], new DerTaggedObject(false, 2, DerInteger.ValueOf(7))))));
        });
        yield return new(SmimeLintRules.AuthorityKeyIdentifierIssuerMismatch, "keyIdentifier of another CA", StrictMailbox,
            d => d.Set(ExtensionEncoder.AuthorityKeyIdentifier(new byte[20])));

        // 7.1.2.3 (n) subjectKeyIdentifier.
        yield return new(SmimeLintRules.SubjectKeyIdentifierMissing, "no subjectKeyIdentifier", StrictMailbox, d => d.Remove(Oids.SubjectKeyIdentifier));
        yield return new(SmimeLintRules.ExtensionCritical, "critical subjectKeyIdentifier", StrictMailbox, d => SetCritical(d, Oids.SubjectKeyIdentifier, true));

        // 7.1.2.3 (h), 7.1.4.2.1 subjectAltName.
        yield return new(SmimeLintRules.SanMissing, "no subjectAltName, empty subject", StrictMailbox, d => d.Remove(Oids.SubjectAltName), Subject: EmptySubject);
        yield return new(SmimeLintRules.SanCritical, "critical subjectAltName with a subject", StrictMailbox, d => SetCritical(d, Oids.SubjectAltName, true));
        yield return new(SmimeLintRules.SanNotCriticalEmptySubject, "empty subject, non-critical subjectAltName", StrictMailbox,
            d => SetCritical(d, Oids.SubjectAltName, false), Subject: EmptySubject);
        yield return new(SmimeLintRules.SanNoMailbox, "directoryName only", StrictMailbox,
            d => d.Set(San(true, new DerTaggedObject(true, 4, Asn1Object.FromByteArray(Name((Oids.CommonName, new DerUtf8String("x"))))))), Subject: EmptySubject);
        yield return new(SmimeLintRules.SanNameType, "a dNSName", StrictMailbox,
            d => d.Set(San(false, Rfc822("alice@example.test"), new DerTaggedObject(false, 2, new DerIA5String("example.test")))));
        yield return new(SmimeLintRules.SanNameType, "a URI", MultiMailbox,
            d => d.Set(San(false, Rfc822("alice@example.test"), Uri("http://example.test/"))));
        yield return new(SmimeLintRules.SanOtherNameStrict, "otherName 1.2.3.4 in Strict", StrictMailbox, d => d.Set(San(false, Rfc822("alice@example.test"),
            new DerTaggedObject(false, 0, new DerSequence(new DerObjectIdentifier("1.2.3.4"), new DerTaggedObject(true, 0, new DerUtf8String("x")))))));
        yield return new(SmimeLintRules.SanRfc822Invalid, "double dot", StrictMailbox, d => d.Set(San(true, Rfc822("alice..b@example.test"))), Subject: EmptySubject);
        yield return new(SmimeLintRules.SanRfc822Invalid, "no domain", StrictMailbox, d => d.Set(San(true, Rfc822("alice@"))), Subject: EmptySubject);
        yield return new(SmimeLintRules.SanSmtpUtf8Invalid, "ASCII local part as SmtpUTF8Mailbox", StrictMailbox, d => d.Set(San(true,
            new DerTaggedObject(false, 0, new DerSequence(new DerObjectIdentifier(Oids.SmtpUtf8Mailbox), new DerTaggedObject(true, 0, new DerUtf8String("alice@example.test")))))),
            Subject: EmptySubject);
        yield return new(SmimeLintRules.SanSmtpUtf8Invalid, "A-label domain in SmtpUTF8Mailbox", StrictMailbox, d => d.Set(San(true,
            new DerTaggedObject(false, 0, new DerSequence(new DerObjectIdentifier(Oids.SmtpUtf8Mailbox), new DerTaggedObject(true, 0, new DerUtf8String("jörg@xn--bcher-kva.example")))))),
            Subject: EmptySubject);

        // 7.1.4.2 subject.
        yield return new(SmimeLintRules.SubjectMailboxNotInSan, "commonName of another mailbox", StrictMailbox, _ => { }, Subject: new SmimeSubject { CommonName = "bob@example.test" });
        yield return new(SmimeLintRules.SubjectMailboxNotInSan, "emailAddress of another mailbox", StrictMailbox, _ => { }, Subject: new SmimeSubject { EmailAddress = "bob@example.test" });
        yield return new(SmimeLintRules.SubjectAttributeProhibited, "organizationName in Mailbox-validated", StrictMailbox, _ => { },
            Subject: new SmimeSubject { CommonName = "alice@example.test", OrganizationName = "Example" });
        yield return new(SmimeLintRules.SubjectAttributeProhibited, "streetAddress in Strict Individual", StrictIndividual, _ => { },
            Subject: new SmimeSubject { GivenName = "Alice", StreetAddress = "1 Main St", Locality = "Town", Country = "GB" });
        yield return new(SmimeLintRules.SubjectAttributeProhibited, "unlisted attribute in Strict Organization", StrictOrganization,
            d => d.Subject = Name((Oids.OrganizationName, new DerUtf8String("Example")), (Oids.OrganizationIdentifier, new DerUtf8String("INTXG")),
                ("2.5.4.46", new DerPrintableString("q"))));
        yield return new(SmimeLintRules.SubjectAttributeRequired, "Organization without organizationIdentifier", StrictOrganization, _ => { },
            Subject: new SmimeSubject { OrganizationName = "Example Widgets Ltd", Country = "GB" });
        yield return new(SmimeLintRules.SubjectNameRequired, "Individual with commonName mailbox only", StrictIndividual, _ => { },
            Subject: new SmimeSubject { CommonName = "alice@example.test" });
        yield return new(SmimeLintRules.SubjectCommonNameContent, "Organization commonName not the organization", StrictOrganization, _ => { },
            Subject: new SmimeSubject { CommonName = "Sales Department", OrganizationName = "Example Widgets Ltd", OrganizationIdentifier = "NTRGB-12345678", Country = "GB" });
        yield return new(SmimeLintRules.SubjectCommonNameContent, "Mailbox commonName not a mailbox", StrictMailbox, _ => { }, Subject: new SmimeSubject { CommonName = "Alice" });
        yield return new(SmimeLintRules.SubjectCommonNameContent, "Individual commonName unrelated to the name", StrictIndividual, _ => { },
            Subject: new SmimeSubject { CommonName = "Bob Other", GivenName = "Alice", Surname = "Example" });
        yield return new(SmimeLintRules.SubjectPseudonymWithName, "pseudonym and givenName", StrictIndividual, _ => { },
            Subject: new SmimeSubject { Pseudonym = "Nightingale", GivenName = "Alice" });
        yield return new(SmimeLintRules.SubjectOrganizationIdentifierSyntax, "unknown scheme XYZ", StrictOrganization, _ => { },
            Subject: new SmimeSubject { OrganizationName = "Example", OrganizationIdentifier = "XYZGB-123" });
        yield return new(SmimeLintRules.SubjectOrganizationIdentifierSyntax, "NTR without reference", StrictOrganization, _ => { },
            Subject: new SmimeSubject { OrganizationName = "Example", OrganizationIdentifier = "NTRGB" });
        yield return new(SmimeLintRules.SubjectOrganizationIdentifierSyntax, "LEI of 19 characters", StrictOrganization, _ => { },
            Subject: new SmimeSubject { OrganizationName = "Example", OrganizationIdentifier = "LEIXG-529900T8BM49AURSDO5" });
        yield return new(SmimeLintRules.SubjectOrganizationIdentifierCountry, "NTRGB with countryName DE", StrictOrganization, _ => { },
            Subject: new SmimeSubject { OrganizationName = "Example", OrganizationIdentifier = "NTRGB-12345678", Country = "DE" });
        yield return new(SmimeLintRules.SubjectOrganizationIdentifierCountry, "LEI with country DE", StrictOrganization, _ => { },
            Subject: new SmimeSubject { OrganizationName = "Example", OrganizationIdentifier = "LEIDE-529900T8BM49AURSDO55" });
        yield return new(SmimeLintRules.SubjectAddressDependency, "localityName without countryName", StrictIndividual, _ => { },
            Subject: new SmimeSubject { GivenName = "Alice", Locality = "Berlin" });
        yield return new(SmimeLintRules.SubjectAddressDependency, "streetAddress without locality or state", new SmimeProfile(SmimeValidationType.Individual, SmimeGeneration.Multipurpose), _ => { },
            Subject: new SmimeSubject { GivenName = "Alice", StreetAddress = "1 Main St", Country = "DE" });
        yield return new(SmimeLintRules.SubjectCountryInvalid, "lower-case country", StrictIndividual, _ => { }, Subject: new SmimeSubject { GivenName = "Alice", Country = "de" });
        yield return new(SmimeLintRules.SubjectMetadataOnly, "givenName '-'", StrictIndividual, _ => { }, Subject: new SmimeSubject { GivenName = "Alice", Surname = "-" });
        yield return new(SmimeLintRules.SubjectMetadataOnly, "surname 'N/A'", StrictIndividual, _ => { }, Subject: new SmimeSubject { GivenName = "Alice", Surname = "N/A" });
        yield return new(SmimeLintRules.SubjectAttributeTooLong, "title of 65 characters", StrictIndividual, _ => { },
            Subject: new SmimeSubject { GivenName = "Alice", Title = new string('t', 65) });
        yield return new(SmimeLintRules.SubjectAttributeEncoding, "countryName as UTF8String", StrictIndividual,
            d => d.Subject = Name((Oids.CountryName, new DerUtf8String("GB")), (Oids.GivenName, new DerUtf8String("Alice"))));
        yield return new(SmimeLintRules.SubjectAttributeEncoding, "emailAddress as UTF8String", StrictMailbox,
            d => d.Subject = Name((Oids.EmailAddress, new DerUtf8String("alice@example.test"))));
        yield return new(SmimeLintRules.SubjectAttributeEncoding, "commonName as BMPString", StrictMailbox,
            d => d.Subject = Name((Oids.CommonName, new DerBmpString("alice@example.test"))));
    }

    private static readonly Dictionary<string, RuleCase> ByName = Cases().ToDictionary(c => c.ToString());

    public static TheoryData<string> Data() => [.. ByName.Keys];

    [Theory]
    [MemberData(nameof(Data))]
    public void A_certificate_that_breaks_one_rule_gets_exactly_that_finding(string name)
    {
        var ruleCase = ByName[name];
        var der = Make(ruleCase);

        var options = ruleCase.LintWithIssuer
            ? TestPki.LintOptions(legacy: ruleCase.AllowLegacyInLint)
            : new SmimeLintOptions { AllowLegacyGeneration = ruleCase.AllowLegacyInLint };

        var report = SmimeLinter.Lint(der, ruleCase.GiveProfile ? ruleCase.Profile : null, options);

        var finding = Assert.Single(report.Findings.DistinctBy(f => f.Code));
        Assert.Equal(ruleCase.Code, finding.Code);
        var rule = SmimeLintRules.Get(ruleCase.Code);
        Assert.Equal(rule.Severity, finding.Severity);
        Assert.StartsWith(rule.Section[..3], finding.Section, StringComparison.Ordinal);
        Assert.Equal(rule.Severity == SmimeLintSeverity.Warning, report.IsCompliant);
    }

    [Theory]
    [MemberData(nameof(Data))]
    public void The_builder_refuses_to_sign_what_the_linter_rejects(string name)
    {
        var ruleCase = ByName[name];
        var builder = TestPki.Builder(ruleCase.Legacy);
        var draft = Draft(ruleCase, builder);
        ruleCase.Break(draft);
        if (SmimeLintRules.Get(ruleCase.Code).Severity == SmimeLintSeverity.Warning)
        {
            // 4.3.1.2: warnings are reported but do not stop issuance.
            Assert.Contains(builder.Sign(draft, ruleCase.Profile, TestPki.Ca).Lint.Findings, f => f.Code == ruleCase.Code);
            return;
        }

        if (!ruleCase.AllowLegacyInLint)
        {
            // A builder that allows Legacy (historic or test material) deliberately accepts post-sunset dates.
            return;
        }

        var ex = Assert.Throws<SmimeComplianceException>(() => builder.Sign(draft, ruleCase.Profile, TestPki.Ca));
        Assert.Contains(ex.Findings, f => f.Code == ruleCase.Code);
        Assert.StartsWith($"Refused by rule {ex.Rule} (S/MIME BR {ex.Section}): ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_linter_rule_has_a_breaking_certificate()
    {
        var covered = Cases().Select(c => c.Code).ToHashSet();
        var builderOnly = new[] { SmimeLintRules.LegacyGenerationRefused };

        var missing = SmimeLintRules.All.Select(r => r.Code).Except(covered).Except(builderOnly).ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void Rule_codes_are_unique_and_have_sections()
    {
        Assert.Equal(SmimeLintRules.All.Count, SmimeLintRules.All.Select(r => r.Code).Distinct().Count());
        Assert.All(SmimeLintRules.All, r => Assert.Matches("^[4-7]\\.[0-9]", r.Section));
        Assert.Same(SmimeLintRules.All, SmimeLinter.Rules);
    }

    [Fact]
    public void Unknown_rule_codes_are_refused_by_name()
    {
        var ex = Assert.Throws<KeyNotFoundException>(() => SmimeLintRules.Get("NO_SUCH_RULE"));

        Assert.Equal("No S/MIME lint rule has the code 'NO_SUCH_RULE'.", ex.Message);
    }

    private static CertificateDraft Draft(RuleCase ruleCase, SmimeCertificateBuilder builder)
    {
        var request = TestPki.Request(ruleCase.Profile, ruleCase.Key, ruleCase.Subject) with
        {
            KeyPurpose = ruleCase.Key == SmimeKeyAlgorithm.Rsa ? SmimeKeyPurpose.KeyManagement : null,
        };
        return builder.CreateDraft(request, TestPki.Ca);
    }

    private static byte[] Make(RuleCase ruleCase)
    {
        var draft = Draft(ruleCase, TestPki.Builder(ruleCase.Legacy));
        ruleCase.Break(draft);
        return TestPki.Sign(draft);
    }
}
