using System.Formats.Asn1;
using System.Globalization;
using System.Text;

namespace Pki.Acme.Internal;

/// <summary>
/// The parts of a DER X.509 certificate (RFC 5280 section 4.1) that chain verification reads,
/// taken apart with System.Formats.Asn1. Every read is strict DER; anything else throws
/// <see cref="AsnContentException"/>.
/// </summary>
/// <remarks>
/// <code>
/// Certificate  ::= SEQUENCE { tbsCertificate TBSCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
/// TBSCertificate ::= SEQUENCE { version [0] EXPLICIT INTEGER DEFAULT v1, serialNumber INTEGER,
///     signature AlgorithmIdentifier, issuer Name, validity SEQUENCE { notBefore Time, notAfter Time },
///     subject Name, subjectPublicKeyInfo SubjectPublicKeyInfo, issuerUniqueID [1] IMPLICIT BIT STRING OPTIONAL,
///     subjectUniqueID [2] IMPLICIT BIT STRING OPTIONAL, extensions [3] EXPLICIT Extensions OPTIONAL }
/// Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
/// </code>
/// </remarks>
internal sealed class ParsedCertificate
{
    private const AsnEncodingRules Der = AsnEncodingRules.DER;
    private const string SubjectAltNameOid = "2.5.29.17";

    private ParsedCertificate(byte[] der)
    {
        var reader = new AsnReader(der, Der);
        var certificate = reader.ReadSequence();
        reader.ThrowIfNotEmpty();

        TbsCertificate = certificate.ReadEncodedValue();
        SignatureAlgorithm = certificate.ReadEncodedValue();
        Signature = certificate.ReadBitString(out var unusedBits);
        certificate.ThrowIfNotEmpty();
        if (unusedBits != 0)
        {
            throw new AsnContentException("The signatureValue BIT STRING has unused bits.");
        }

        var tbs = new AsnReader(TbsCertificate, Der).ReadSequence();
        var versionTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        if (tbs.PeekTag().HasSameClassAndValue(versionTag))
        {
            tbs.ReadSequence(versionTag).ReadInteger();
        }

        _ = tbs.ReadIntegerBytes(); // serialNumber
        TbsSignatureAlgorithm = tbs.ReadEncodedValue();
        Issuer = tbs.ReadEncodedValue();
        var validity = tbs.ReadSequence();
        NotBefore = ReadTime(validity);
        NotAfter = ReadTime(validity);
        validity.ThrowIfNotEmpty();
        Subject = tbs.ReadEncodedValue();
        SubjectPublicKeyInfo = tbs.ReadEncodedValue();
        _ = X509Names.Read(Issuer);
        _ = X509Names.Read(Subject);
        _ = PublicKeyInfo.Read(SubjectPublicKeyInfo);
        foreach (var uniqueId in new[] { 1, 2 })
        {
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, uniqueId)))
            {
                _ = tbs.ReadEncodedValue();
            }
        }

        if (tbs.HasData)
        {
            var extensions = tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 3, isConstructed: true)).ReadSequence();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (extensions.HasData)
            {
                var extension = extensions.ReadSequence();
                var oid = extension.ReadObjectIdentifier();
                if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                {
                    _ = extension.ReadBoolean();
                }

                var value = extension.ReadOctetString();
                extension.ThrowIfNotEmpty();
                if (!seen.Add(oid))
                {
                    throw new AsnContentException($"The extension {oid} appears twice (RFC 5280 section 4.2).");
                }

                if (oid == SubjectAltNameOid)
                {
                    SubjectAltName = value;
                }
            }
        }

        tbs.ThrowIfNotEmpty();
    }

    /// <summary>The DER TBSCertificate, the bytes the signature covers.</summary>
    public ReadOnlyMemory<byte> TbsCertificate { get; }

    /// <summary>The outer signatureAlgorithm AlgorithmIdentifier (DER).</summary>
    public ReadOnlyMemory<byte> SignatureAlgorithm { get; }

    /// <summary>The TBSCertificate's signature AlgorithmIdentifier, which RFC 5280 section 4.1.2.3 says MUST equal the outer one.</summary>
    public ReadOnlyMemory<byte> TbsSignatureAlgorithm { get; }

    /// <summary>The signatureValue bits.</summary>
    public byte[] Signature { get; }

    /// <summary>The issuer Name (DER).</summary>
    public ReadOnlyMemory<byte> Issuer { get; }

    /// <summary>The subject Name (DER).</summary>
    public ReadOnlyMemory<byte> Subject { get; }

    /// <summary>The DER SubjectPublicKeyInfo.</summary>
    public ReadOnlyMemory<byte> SubjectPublicKeyInfo { get; }

    /// <summary>notBefore, UTC.</summary>
    public DateTime NotBefore { get; }

    /// <summary>notAfter, UTC.</summary>
    public DateTime NotAfter { get; }

    /// <summary>The subjectAltName extension's extnValue (DER GeneralNames), or null when the certificate has none.</summary>
    public byte[]? SubjectAltName { get; }

    /// <summary>Parses <paramref name="der"/>.</summary>
    /// <exception cref="AsnContentException">The bytes are not a DER certificate.</exception>
    public static ParsedCertificate Parse(byte[] der) => new(der);

    /// <summary>
    /// The dNSName ([2] IA5String) and iPAddress ([7] OCTET STRING) entries of the subjectAltName, in order;
    /// other GeneralName forms are skipped. A dNSName's bytes are taken one to a character, as IA5 is.
    /// </summary>
    /// <exception cref="AsnContentException">The extension value is not DER GeneralNames.</exception>
    public IEnumerable<(string? DnsName, byte[]? IpAddress)> ReadSubjectAltNames()
    {
        var names = new List<(string?, byte[]?)>();
        if (SubjectAltName is null)
        {
            return names;
        }

        var reader = new AsnReader(SubjectAltName, Der);
        var generalNames = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        while (generalNames.HasData)
        {
            var tag = generalNames.PeekTag();
            if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 2 && !tag.IsConstructed)
            {
                var bytes = generalNames.ReadOctetString(tag);
                names.Add((new string(bytes.Select(b => (char)b).ToArray()), null));
            }
            else if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 7 && !tag.IsConstructed)
            {
                names.Add((null, generalNames.ReadOctetString(tag)));
            }
            else
            {
                _ = generalNames.ReadEncodedValue();
            }
        }

        return names;
    }

    // Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }; UTCTime years 50-99 are 19xx (RFC 5280 section 4.1.2.5.1).
    private static DateTime ReadTime(AsnReader reader) =>
        (reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime(2049) : reader.ReadGeneralizedTime()).UtcDateTime;
}

/// <summary>
/// X.501 Names (RFC 5280 section 4.1.2.4): read into their RDNs, compared as RFC 5280 section 7.1
/// allows (same attributes in the same order, string values compared case-insensitively with
/// surrounding white space removed and inner runs of white space folded), and shown in RFC 4514
/// order (most specific first) for messages.
/// </summary>
internal static class X509Names
{
    private static readonly Dictionary<string, string> Symbols = new(StringComparer.Ordinal)
    {
        ["2.5.4.3"] = "CN",
        ["2.5.4.4"] = "SURNAME",
        ["2.5.4.5"] = "SERIALNUMBER",
        ["2.5.4.6"] = "C",
        ["2.5.4.7"] = "L",
        ["2.5.4.8"] = "ST",
        ["2.5.4.9"] = "STREET",
        ["2.5.4.10"] = "O",
        ["2.5.4.11"] = "OU",
        ["2.5.4.12"] = "T",
        ["2.5.4.42"] = "GIVENNAME",
        ["2.5.4.43"] = "INITIALS",
        ["2.5.4.44"] = "GENERATION",
        ["2.5.4.46"] = "DN",
        ["2.5.4.65"] = "Pseudonym",
        ["2.5.4.97"] = "organizationIdentifier",
        ["0.9.2342.19200300.100.1.1"] = "UID",
        ["0.9.2342.19200300.100.1.25"] = "DC",
        ["1.2.840.113549.1.9.1"] = "E",
    };

    /// <summary>The RDNs of a DER Name, in encoded order (least specific first), each a list of (type OID, value text, is a string type).</summary>
    /// <exception cref="AsnContentException">Not a DER Name.</exception>
    public static List<List<(string Type, string Value, bool IsString)>> Read(ReadOnlyMemory<byte> name)
    {
        var reader = new AsnReader(name, AsnEncodingRules.DER);
        var sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        var rdns = new List<List<(string, string, bool)>>();
        while (sequence.HasData)
        {
            var set = sequence.ReadSetOf(skipSortOrderValidation: true); // multi-valued RDNs out of DER order exist in the wild
            var attributes = new List<(string, string, bool)>();
            while (set.HasData)
            {
                var attribute = set.ReadSequence();
                var type = attribute.ReadObjectIdentifier();
                var value = ReadValue(attribute);
                attribute.ThrowIfNotEmpty();
                attributes.Add((type, value.Text, value.IsString));
            }

            if (attributes.Count == 0)
            {
                throw new AsnContentException("A RelativeDistinguishedName is empty.");
            }

            rdns.Add(attributes);
        }

        return rdns;
    }

    /// <summary>True when the two DER Names name the same entity (byte-equal, or equal under the RFC 5280 section 7.1 comparison).</summary>
    public static bool Equivalent(ReadOnlyMemory<byte> a, ReadOnlyMemory<byte> b)
    {
        if (a.Span.SequenceEqual(b.Span))
        {
            return true;
        }

        var left = Read(a);
        var right = Read(b);
        if (left.Count != right.Count)
        {
            return false;
        }

        for (var i = 0; i < left.Count; i++)
        {
            if (left[i].Count != right[i].Count)
            {
                return false;
            }

            for (var j = 0; j < left[i].Count; j++)
            {
                var (typeA, valueA, stringA) = left[i][j];
                var (typeB, valueB, stringB) = right[i][j];
                var same = typeA == typeB && (stringA && stringB ? Fold(valueA) == Fold(valueB) : valueA == valueB);
                if (!same)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The name as RFC 4514 text, most specific RDN first, RDNs joined by ',' and multi-valued RDNs by '+': <c>CN=Leaf,O=Example</c>.</summary>
    public static string Describe(ReadOnlyMemory<byte> name)
    {
        var rdns = Read(name);
        var text = new StringBuilder();
        for (var i = rdns.Count - 1; i >= 0; i--)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            for (var j = 0; j < rdns[i].Count; j++)
            {
                var (type, value, isString) = rdns[i][j];
                text.Append(j > 0 ? "+" : string.Empty)
                    .Append(Symbols.TryGetValue(type, out var symbol) ? symbol : type)
                    .Append('=')
                    .Append(isString ? Escape(value) : value);
            }
        }

        return text.ToString();
    }

    // A string value's text, or '#' and the hex of the DER encoding for anything else (RFC 4514 section 2.4).
    private static (string Text, bool IsString) ReadValue(AsnReader attribute)
    {
        var tag = attribute.PeekTag();
        if (tag.TagClass == TagClass.Universal && !tag.IsConstructed && tag.TagValue is (int)UniversalTagNumber.UTF8String
            or (int)UniversalTagNumber.PrintableString or (int)UniversalTagNumber.IA5String or (int)UniversalTagNumber.BMPString
            or (int)UniversalTagNumber.UniversalString or (int)UniversalTagNumber.NumericString or (int)UniversalTagNumber.VisibleString
            or (int)UniversalTagNumber.T61String)
        {
            try
            {
                return (attribute.ReadCharacterString((UniversalTagNumber)tag.TagValue), true);
            }
            catch (AsnContentException)
            {
                // A character outside the type's set (a PrintableString with '@' is common): shown as hex, as any non-string value.
            }
        }

        var encoded = attribute.ReadEncodedValue().Span;
        var hex = new StringBuilder(1 + (2 * encoded.Length)).Append('#');
        foreach (var b in encoded)
        {
            hex.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return (hex.ToString(), false);
    }

    private static string Fold(string value) =>
        string.Join(" ", value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();

    // RFC 4514 section 2.4: backslash before the special characters, a leading '#' and leading or trailing spaces.
    private static string Escape(string value)
    {
        var text = new StringBuilder(value.Length + 4);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var special = c is ',' or '"' or '\\' or '+' or '=' or '<' or '>' or ';'
                || (c == '#' && i == 0)
                || (c == ' ' && (i == 0 || i == value.Length - 1));
            text.Append(special ? "\\" : string.Empty).Append(c);
        }

        return text.ToString();
    }
}
