using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Pki.Smime.Internal;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Pki.Smime.Linting;

/// <summary>One extension as it appears in the certificate.</summary>
internal sealed record RawExtension(string Oid, bool Critical, byte[] Value);

/// <summary>One attribute of the subject name.</summary>
internal sealed record RawAttribute(string Oid, Asn1Encodable Value)
{
    public string? Text => Value is IAsn1String s ? s.GetString() : null;
}

/// <summary>
/// The fields of an X.509 certificate the linter reads, parsed from DER with BouncyCastle's ASN.1 layer
/// (RFC 5280 section 4.1). Unparseable input throws <see cref="SmimeFormatException"/>.
/// </summary>
internal sealed class ParsedCertificate
{
    private ParsedCertificate()
    {
    }

    public int Version { get; private set; }

    public BigInteger Serial { get; private set; } = BigInteger.Zero;

    public byte[] TbsSignatureAlgorithm { get; private set; } = [];

    public byte[] OuterSignatureAlgorithm { get; private set; } = [];

    public byte[] Issuer { get; private set; } = [];

    public int IssuerRdnCount { get; private set; }

    public bool NotBeforeIsUtcTime { get; private set; }

    public bool NotAfterIsUtcTime { get; private set; }

    public DateTime NotBefore { get; private set; }

    public DateTime NotAfter { get; private set; }

    public byte[] Subject { get; private set; } = [];

    public List<RawAttribute> SubjectAttributes { get; } = [];

    public byte[] SubjectPublicKeyInfo { get; private set; } = [];

    public byte[] SpkiAlgorithm { get; private set; } = [];

    /// <summary>The subjectPublicKey BIT STRING contents after the unused-bits octet.</summary>
    public byte[] SubjectPublicKey { get; private set; } = [];

    public bool HasUniqueIds { get; private set; }

    /// <summary>Whether both dates use the RFC 5280 forms YYMMDDHHMMSSZ and YYYYMMDDHHMMSSZ.</summary>
    public bool TimesInStrictForm { get; private set; }

    public List<RawExtension> Extensions { get; } = [];

    /// <summary>Parses a DER certificate.</summary>
    public static ParsedCertificate Parse(byte[] der)
    {
        try
        {
            return ParseCore(der);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or InvalidCastException or InvalidOperationException or FormatException or IndexOutOfRangeException or OverflowException or ArithmeticException)
        {
            throw new SmimeFormatException($"The input ({der.Length} bytes) is not a DER X.509 certificate: {ex.Message}", ex);
        }
    }

    /// <summary>Parses just the parts of an issuing CA certificate the linter compares against.</summary>
    public static IssuerInfo ParseIssuer(byte[] der)
    {
        var parsed = Parse(der);
        byte[]? ski = null;
        var isCa = false;
        foreach (var extension in parsed.Extensions)
        {
            try
            {
                if (extension.Oid == Oids.SubjectKeyIdentifier)
                {
                    ski = Asn1OctetString.GetInstance(Asn1Object.FromByteArray(extension.Value)).GetOctets();
                }
                else if (extension.Oid == Oids.BasicConstraints)
                {
                    isCa = BasicConstraints.GetInstance(Asn1Object.FromByteArray(extension.Value)).IsCA();
                }
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or InvalidCastException)
            {
                throw new SmimeFormatException($"The issuing CA certificate has a malformed extension {extension.Oid}: {ex.Message}", ex);
            }
        }

        return new IssuerInfo(der, parsed.Subject, parsed.SubjectPublicKeyInfo, AlgorithmIdentifiers.KeyAlgorithmOf(parsed.SpkiAlgorithm), ski, isCa);
    }

    /// <summary>
    /// Reads a Time. RFC 5280 4.1.2.5.1/4.1.2.5.2 fix the forms YYMMDDHHMMSSZ (UTCTime, YY &lt; 50 is 20YY)
    /// and YYYYMMDDHHMMSSZ (GeneralizedTime); those are read directly, anything else through BouncyCastle
    /// with <paramref name="strictForm"/> false.
    /// </summary>
    private static DateTime ReadTime(byte[] der, DerElement time, out bool strictForm)
    {
        if (time.Tag is not (0x17 or 0x18))
        {
            throw new FormatException($"a Time is UTCTime or GeneralizedTime, not tag 0x{time.Tag:x2}");
        }

        var text = System.Text.Encoding.ASCII.GetString(der, time.ContentStart, time.ContentLength);
        var digits = time.Tag == 0x17 ? 12 : 14;
        strictForm = text.Length == digits + 1 && text[digits] == 'Z';
        for (var i = 0; strictForm && i < digits; i++)
        {
            strictForm = text[i] is >= '0' and <= '9';
        }

        if (!strictForm)
        {
            return Time.GetInstance(Asn1Object.FromByteArray(time.Encoded(der))).ToDateTime().ToUniversalTime();
        }

        int Number(int start, int length)
        {
            var n = 0;
            for (var i = start; i < start + length; i++)
            {
                n = (n * 10) + (text[i] - '0');
            }

            return n;
        }

        var offset = digits == 12 ? 0 : 2;
        var year = digits == 12 ? Number(0, 2) : Number(0, 4);
        if (digits == 12)
        {
            year += year < 50 ? 2000 : 1900;
        }

        return new DateTime(year, Number(2 + offset, 2), Number(4 + offset, 2), Number(6 + offset, 2), Number(8 + offset, 2), Number(10 + offset, 2), DateTimeKind.Utc);
    }

    private static ParsedCertificate ParseCore(byte[] der)
    {
        // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
        var certificate = DerReader.Read(der, 0, der.Length, DerWriter.Sequence, "Certificate");
        if (certificate.End != der.Length)
        {
            throw new FormatException($"{der.Length - certificate.End} bytes follow the certificate");
        }

        var parts = DerReader.Children(der, certificate);
        if (parts.Count != 3 || parts[0].Tag != DerWriter.Sequence || parts[1].Tag != DerWriter.Sequence || parts[2].Tag != DerWriter.BitString)
        {
            throw new FormatException("a Certificate is SEQUENCE { TBSCertificate, AlgorithmIdentifier, BIT STRING }");
        }

        var result = new ParsedCertificate { OuterSignatureAlgorithm = parts[1].Encoded(der) };
        var tbs = DerReader.Children(der, parts[0]);
        var index = 0;
        if (tbs.Count > 0 && tbs[0].Tag == 0xA0)
        {
            var version = DerReader.Read(der, tbs[0].ContentStart, tbs[0].End, DerWriter.Integer, "version");
            result.Version = new BigInteger(version.Contents(der).ToArray()).IntValueExact;
            index++;
        }

        if (tbs.Count < index + 6)
        {
            throw new FormatException($"the TBSCertificate has {tbs.Count} fields, too few");
        }

        var serial = Expect(tbs[index++], DerWriter.Integer, "serialNumber");
        result.Serial = new BigInteger(serial.Contents(der).ToArray());
        result.TbsSignatureAlgorithm = Expect(tbs[index++], DerWriter.Sequence, "signature").Encoded(der);
        var issuer = Expect(tbs[index++], DerWriter.Sequence, "issuer");
        result.Issuer = issuer.Encoded(der);
        result.IssuerRdnCount = DerReader.Children(der, issuer).Count;

        var validity = DerReader.Children(der, Expect(tbs[index++], DerWriter.Sequence, "validity"));
        if (validity.Count != 2)
        {
            throw new FormatException("Validity has two times");
        }

        result.NotBeforeIsUtcTime = validity[0].Tag == 0x17;
        result.NotAfterIsUtcTime = validity[1].Tag == 0x17;
        result.NotBefore = ReadTime(der, validity[0], out var strictBefore);
        result.NotAfter = ReadTime(der, validity[1], out var strictAfter);
        result.TimesInStrictForm = strictBefore && strictAfter;

        var subject = Expect(tbs[index++], DerWriter.Sequence, "subject");
        result.Subject = subject.Encoded(der);
        if (subject.ContentLength > 0)
        {
            foreach (var rdn in Asn1Sequence.GetInstance(Asn1Object.FromByteArray(result.Subject)))
            {
                foreach (var element in Asn1Set.GetInstance(rdn))
                {
                    var attribute = Asn1Sequence.GetInstance(element);
                    result.SubjectAttributes.Add(new RawAttribute(DerObjectIdentifier.GetInstance(attribute[0]).Id, attribute[1]));
                }
            }
        }

        var spki = Expect(tbs[index++], DerWriter.Sequence, "subjectPublicKeyInfo");
        result.SubjectPublicKeyInfo = spki.Encoded(der);
        var spkiParts = DerReader.Children(der, spki);
        if (spkiParts.Count != 2 || spkiParts[0].Tag != DerWriter.Sequence || spkiParts[1].Tag != DerWriter.BitString || spkiParts[1].ContentLength == 0)
        {
            throw new FormatException("a SubjectPublicKeyInfo is SEQUENCE { AlgorithmIdentifier, BIT STRING }");
        }

        result.SpkiAlgorithm = spkiParts[0].Encoded(der);
        result.SubjectPublicKey = der.AsSpan(spkiParts[1].ContentStart + 1, spkiParts[1].ContentLength - 1).ToArray();

        for (; index < tbs.Count; index++)
        {
            switch (tbs[index].Tag)
            {
                case 0x81 or 0x82 or 0xA1 or 0xA2:
                    result.HasUniqueIds = true;
                    break;
                case 0xA3:
                    ReadExtensions(der, DerReader.Read(der, tbs[index].ContentStart, tbs[index].End, DerWriter.Sequence, "Extensions"), result.Extensions);
                    break;
                default:
                    throw new FormatException($"unexpected TBSCertificate field with tag 0x{tbs[index].Tag:x2}");
            }
        }

        return result;
    }

    // Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    private static void ReadExtensions(byte[] der, DerElement extensions, List<RawExtension> into)
    {
        foreach (var element in DerReader.Children(der, extensions))
        {
            var fields = DerReader.Children(der, Expect(element, DerWriter.Sequence, "Extension"));
            if (fields.Count is < 2 or > 3 || fields[0].Tag != 0x06 || fields[^1].Tag != DerWriter.OctetString || (fields.Count == 3 && fields[1].Tag != 0x01))
            {
                throw new FormatException("an Extension is SEQUENCE { OBJECT IDENTIFIER, BOOLEAN OPTIONAL, OCTET STRING }");
            }

            var oid = DerReader.ObjectIdentifier(fields[0].Contents(der));
            var critical = fields.Count == 3 && fields[1].ContentLength == 1 && der[fields[1].ContentStart] != 0;
            into.Add(new RawExtension(oid, critical, fields[^1].Contents(der).ToArray()));
        }
    }

    private static DerElement Expect(DerElement element, byte tag, string what) =>
        element.Tag == tag ? element : throw new FormatException($"{what} has tag 0x{element.Tag:x2}, expected 0x{tag:x2}");
}

/// <summary>What the linter compares from the issuing CA certificate.</summary>
internal sealed record IssuerInfo(byte[] Certificate, byte[] Subject, byte[] SubjectPublicKeyInfo, SmimeKeyAlgorithm? KeyAlgorithm, byte[]? SubjectKeyIdentifier, bool IsCa);
