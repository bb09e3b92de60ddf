using System.Formats.Asn1;
using System.Numerics;
using Pki.Smime.Internal;

namespace Pki.Smime.Linting;

/// <summary>
/// One certificate under lint: the parsed fields, the profile it is checked against, the issuing CA
/// when known, and the extension values decoded once (RFC 5280 section 4.2) so that each rule only
/// compares. A value that cannot be decoded is null here and listed in <see cref="Malformed"/>.
/// </summary>
internal sealed class LintContext
{
    private const AsnEncodingRules Der = AsnEncodingRules.DER;

    private readonly Dictionary<string, RawExtension> _extensions = new(StringComparer.Ordinal);
    private SubjectKeyFacts? _subjectKey;

    public LintContext(ParsedCertificate certificate, SmimeProfile? givenProfile, IssuerInfo? issuer, bool allowLegacy)
    {
        Certificate = certificate;
        GivenProfile = givenProfile;
        Issuer = issuer;
        AllowLegacy = allowLegacy;
        foreach (var extension in certificate.Extensions)
        {
            if (!_extensions.TryAdd(extension.Oid, extension))
            {
                Duplicates.Add(extension);
            }
        }

        KeyAlgorithm = AlgorithmIdentifiers.KeyAlgorithmOf(certificate.SpkiAlgorithm);
        Policies = TryDecode(Oids.CertificatePolicies, ExtensionValues.ReadPolicies, out var policies) ? policies : null;
        CrlUris = TryDecode(Oids.CrlDistributionPoints, ExtensionValues.ReadCrlUris, out var uris) ? uris : null;
        AccessDescriptions = TryDecode(Oids.AuthorityInfoAccess, ExtensionValues.ReadAccessDescriptions, out var access) ? access : null;
        BasicConstraints = TryDecode(Oids.BasicConstraints, ExtensionValues.ReadBasicConstraints, out var constraints) ? constraints : null;
        KeyUsageBits = TryDecode(Oids.KeyUsage, ExtensionValues.ReadKeyUsage, out var bits) ? bits : null;
        ExtendedKeyUsages = TryDecode(Oids.ExtendedKeyUsage, ExtensionValues.ReadObjectIdentifiers, out var purposes) ? purposes : null;
        AuthorityKeyIdentifier = TryDecode(Oids.AuthorityKeyIdentifier, ExtensionValues.ReadAuthorityKeyIdentifier, out var aki) ? aki : null;
        _ = TryDecode(Oids.SubjectKeyIdentifier, ExtensionValues.ReadOctetString, out _);
        SanEntries = TryDecode(Oids.SubjectAltName, ExtensionValues.ReadGeneralNames, out var names) ? names : null;
        DecodeSanEntries();

        if (Policies is not null && Policies.Reserved.Count == 1)
        {
            ProfileFromCertificate = Policies.Reserved[0];
        }

        Profile = givenProfile ?? ProfileFromCertificate;
    }

    public ParsedCertificate Certificate { get; }

    /// <summary>The profile the caller asked for; null means "take it from the policy OID".</summary>
    public SmimeProfile? GivenProfile { get; }

    /// <summary>The one reserved policy of certificatePolicies, when there is exactly one.</summary>
    public SmimeProfile? ProfileFromCertificate { get; }

    /// <summary>The profile the certificate is checked against (given, else from the certificate).</summary>
    public SmimeProfile? Profile { get; }

    public IssuerInfo? Issuer { get; }

    public bool AllowLegacy { get; }

    /// <summary>Strict or Multipurpose (the generations with the tighter URI and extension rules).</summary>
    public bool StrictOrMultipurpose => Profile is not null && Profile.Generation != SmimeGeneration.Legacy;

    /// <summary>The section 7.1.3.1 key algorithm of the subject public key, or null when the encoding is not allowed.</summary>
    public SmimeKeyAlgorithm? KeyAlgorithm { get; }

    /// <summary>The subject public key's checked facts (decoded on first use; EC point validation is the costly part).</summary>
    public SubjectKeyFacts SubjectKey => _subjectKey ??= SubjectKeyFacts.Of(KeyAlgorithm, Certificate.SubjectPublicKey);

    /// <summary>Second and later instances of an extension OID.</summary>
    public List<RawExtension> Duplicates { get; } = [];

    /// <summary>Extension values (or subjectAltName entries) that cannot be decoded, with the decoder's reason, in decoding order.</summary>
    public List<string> Malformed { get; } = [];

    public PolicyInformationList? Policies { get; }

    /// <summary>The fullName URIs of cRLDistributionPoints.</summary>
    public List<string>? CrlUris { get; }

    public List<(string Method, string? Uri)>? AccessDescriptions { get; }

    public (bool Ca, bool HasPathLength)? BasicConstraints { get; }

    /// <summary>keyUsage bits: bit 0 (digitalSignature) is 1 &lt;&lt; 7, bit 8 (decipherOnly) is 1 &lt;&lt; 15.</summary>
    public int? KeyUsageBits { get; }

    public List<string>? ExtendedKeyUsages { get; }

    public (byte[]? KeyIdentifier, bool HasIssuerOrSerial)? AuthorityKeyIdentifier { get; }

    /// <summary>The subjectAltName entries that could be decoded; null when the extension is absent or malformed.</summary>
    public List<SanEntry>? SanEntries { get; }

    /// <summary>Every rfc822Name and UTF8String SmtpUTF8Mailbox of subjectAltName, valid or not.</summary>
    public List<string> SanMailboxes { get; } = [];

    /// <summary>The findings so far, in rule order.</summary>
    public List<SmimeLintFinding> Findings { get; } = [];

    /// <summary>The first instance of the extension, or null.</summary>
    public RawExtension? Extension(string oid) => _extensions.TryGetValue(oid, out var extension) ? extension : null;

    public bool HasAttribute(string oid) => Certificate.SubjectAttributes.Exists(a => a.Oid == oid);

    public string? FirstAttribute(string oid) => Certificate.SubjectAttributes.Find(a => a.Oid == oid)?.Text;

    /// <summary>The name of an extension for messages (RFC 5280 and S/MIME BR names).</summary>
    public static string NameOf(string oid) => oid switch
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

    /// <summary>The bit length of a positive integer (System.Numerics has <c>GetBitLength</c> only from .NET 5).</summary>
    public static int BitLength(BigInteger value)
    {
        if (value.Sign <= 0)
        {
            return 0;
        }

        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var top = bytes[0];
        var bits = 0;
        while (top != 0)
        {
            bits++;
            top >>= 1;
        }

        return ((bytes.Length - 1) * 8) + bits;
    }

    /// <summary>Decodes a present extension; false when it is absent, or malformed (then listed in <see cref="Malformed"/>).</summary>
    private bool TryDecode<T>(string oid, Func<AsnReader, T> read, out T? value)
    {
        value = default;
        if (Extension(oid) is not { } extension)
        {
            return false;
        }

        try
        {
            var reader = new AsnReader(extension.Value, Der);
            value = read(reader);
            reader.ThrowIfNotEmpty();
            return true;
        }
        catch (Exception ex) when (ex is AsnContentException or FormatException or ArgumentException)
        {
            Malformed.Add($"The {NameOf(oid)} extension ({oid}) cannot be decoded: {ex.Message}");
            return false;
        }
    }

    // 7.1.4.2.1: each entry decoded on its own, so one broken entry does not hide the others.
    private void DecodeSanEntries()
    {
        if (SanEntries is null)
        {
            return;
        }

        for (var i = 0; i < SanEntries.Count; i++)
        {
            var entry = SanEntries[i];
            try
            {
                SanEntries[i] = entry = ExtensionValues.ReadGeneralName(entry.Tag, entry.Encoded);
            }
            catch (Exception ex) when (ex is AsnContentException or FormatException or ArgumentException)
            {
                Malformed.Add($"A subjectAltName entry [{entry.Tag}] cannot be decoded: {ex.Message}");
                SanEntries.RemoveAt(i--);
                continue;
            }

            if (entry.Rfc822 is not null)
            {
                SanMailboxes.Add(entry.Rfc822);
            }
            else if (entry.SmtpUtf8Mailbox is not null)
            {
                SanMailboxes.Add(entry.SmtpUtf8Mailbox);
            }
        }
    }
}
