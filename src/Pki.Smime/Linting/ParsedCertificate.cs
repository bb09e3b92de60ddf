using System.Formats.Asn1;
using System.Numerics;
using Pki.Smime.Internal;

namespace Pki.Smime.Linting;

/// <summary>One extension as it appears in the certificate.</summary>
internal sealed record RawExtension(string Oid, bool Critical, byte[] Value);

/// <summary>One attribute of the subject name: its type, the tag of its value and the value as text (null when not a string type).</summary>
internal sealed record RawAttribute(string Oid, Asn1Tag Tag, string? Text)
{
    /// <summary>The ASN.1 type name of the value for messages, e.g. <c>UTF8String</c>.</summary>
    public string TypeName => Asn1Text.TypeName(Tag);
}

/// <summary>
/// The fields of an X.509 certificate the linter reads, parsed from DER with System.Formats.Asn1
/// (RFC 5280 section 4.1). Fields are kept as the exact bytes of the input (no re-encoding).
/// Unparseable input throws <see cref="SmimeFormatException"/>.
/// </summary>
internal sealed class ParsedCertificate
{
    private const AsnEncodingRules Der = AsnEncodingRules.DER;

    private ParsedCertificate()
    {
    }

    public int Version { get; private set; }

    public BigInteger Serial { get; private set; }

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
        catch (Exception ex) when (ex is AsnContentException or ArgumentException or FormatException or OverflowException or InvalidOperationException)
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
                    var reader = new AsnReader(extension.Value, Der);
                    ski = reader.ReadOctetString();
                    reader.ThrowIfNotEmpty();
                }
                else if (extension.Oid == Oids.BasicConstraints)
                {
                    // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }
                    var reader = new AsnReader(extension.Value, Der);
                    var fields = reader.ReadSequence();
                    reader.ThrowIfNotEmpty();
                    isCa = fields.HasData && fields.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && fields.ReadBoolean();
                }
            }
            catch (AsnContentException ex)
            {
                throw new SmimeFormatException($"The issuing CA certificate has a malformed extension {extension.Oid}: {ex.Message}", ex);
            }
        }

        return new IssuerInfo(der, parsed.Subject, parsed.SubjectPublicKeyInfo, AlgorithmIdentifiers.KeyAlgorithmOf(parsed.SpkiAlgorithm), ski, isCa);
    }

    /// <summary>
    /// Reads a Time. RFC 5280 4.1.2.5.1/4.1.2.5.2 fix the forms YYMMDDHHMMSSZ (UTCTime, YY &lt; 50 is 20YY)
    /// and YYYYMMDDHHMMSSZ (GeneralizedTime); those are read directly, any other form the BER rules allow
    /// is read with <paramref name="strictForm"/> false (so the linter can name it).
    /// </summary>
    private static DateTime ReadTime(AsnReader validity, out bool strictForm, out bool isUtcTime)
    {
        var tag = validity.PeekTag();
        isUtcTime = tag.HasSameClassAndValue(Asn1Tag.UtcTime);
        if (!isUtcTime && !tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime))
        {
            throw new FormatException($"a Time is UTCTime or GeneralizedTime, not {Asn1Text.TypeName(tag)}");
        }

        var encoded = validity.ReadEncodedValue();
        _ = AsnDecoder.ReadEncodedValue(encoded.Span, AsnEncodingRules.BER, out var contentOffset, out var contentLength, out _);
        var contents = encoded.Span.Slice(contentOffset, contentLength);
        var digits = isUtcTime ? 12 : 14;
        strictForm = contents.Length == digits + 1 && contents[digits] == 'Z';
        for (var i = 0; strictForm && i < digits; i++)
        {
            strictForm = contents[i] is >= (byte)'0' and <= (byte)'9';
        }

        if (!strictForm)
        {
            var lenient = new AsnReader(encoded, AsnEncodingRules.BER);
            return (isUtcTime ? lenient.ReadUtcTime(twoDigitYearMax: 2049) : lenient.ReadGeneralizedTime()).UtcDateTime;
        }

        int Number(ReadOnlySpan<byte> text, int start, int length)
        {
            var n = 0;
            for (var i = start; i < start + length; i++)
            {
                n = (n * 10) + (text[i] - '0');
            }

            return n;
        }

        var offset = isUtcTime ? 0 : 2;
        var year = isUtcTime ? Number(contents, 0, 2) : Number(contents, 0, 4);
        if (isUtcTime)
        {
            year += year < 50 ? 2000 : 1900;
        }

        return new DateTime(year, Number(contents, 2 + offset, 2), Number(contents, 4 + offset, 2), Number(contents, 6 + offset, 2),
            Number(contents, 8 + offset, 2), Number(contents, 10 + offset, 2), DateTimeKind.Utc);
    }

    private static ParsedCertificate ParseCore(byte[] der)
    {
        // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
        AsnDecoder.ReadSequence(der, Der, out _, out _, out var consumed);
        if (consumed != der.Length)
        {
            throw new FormatException($"{der.Length - consumed} bytes follow the certificate");
        }

        var certificate = new AsnReader(der, Der).ReadSequence();
        var tbs = certificate.ReadSequence();
        var result = new ParsedCertificate { OuterSignatureAlgorithm = Expect(certificate, Asn1Tag.Sequence, "signatureAlgorithm").ToArray() };
        _ = Expect(certificate, Asn1Tag.PrimitiveBitString, "signatureValue");
        if (certificate.HasData)
        {
            throw new FormatException("a Certificate is SEQUENCE { TBSCertificate, AlgorithmIdentifier, BIT STRING }");
        }

        var explicitVersion = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        if (tbs.HasData && tbs.PeekTag() == explicitVersion)
        {
            var version = tbs.ReadSequence(explicitVersion);
            if (!version.TryReadInt32(out var number))
            {
                throw new FormatException("the version does not fit an integer");
            }

            version.ThrowIfNotEmpty();
            result.Version = number;
        }

        result.Serial = tbs.ReadInteger();
        result.TbsSignatureAlgorithm = Expect(tbs, Asn1Tag.Sequence, "signature").ToArray();
        var issuer = Expect(tbs, Asn1Tag.Sequence, "issuer");
        result.Issuer = issuer.ToArray();
        var issuerRdns = new AsnReader(issuer, Der).ReadSequence();
        while (issuerRdns.HasData)
        {
            _ = issuerRdns.ReadEncodedValue();
            result.IssuerRdnCount++;
        }

        var validity = tbs.ReadSequence();
        result.NotBefore = ReadTime(validity, out var strictBefore, out var beforeIsUtc);
        result.NotAfter = ReadTime(validity, out var strictAfter, out var afterIsUtc);
        validity.ThrowIfNotEmpty();
        result.NotBeforeIsUtcTime = beforeIsUtc;
        result.NotAfterIsUtcTime = afterIsUtc;
        result.TimesInStrictForm = strictBefore && strictAfter;

        var subject = Expect(tbs, Asn1Tag.Sequence, "subject");
        result.Subject = subject.ToArray();
        ReadName(subject, result.SubjectAttributes);

        var spki = Expect(tbs, Asn1Tag.Sequence, "subjectPublicKeyInfo");
        result.SubjectPublicKeyInfo = spki.ToArray();
        var spkiFields = new AsnReader(spki, Der).ReadSequence();
        result.SpkiAlgorithm = Expect(spkiFields, Asn1Tag.Sequence, "the SubjectPublicKeyInfo algorithm").ToArray();
        if (!spkiFields.TryReadPrimitiveBitString(out _, out var key))
        {
            throw new FormatException("the subjectPublicKey BIT STRING is constructed");
        }

        spkiFields.ThrowIfNotEmpty();
        result.SubjectPublicKey = key.ToArray();

        while (tbs.HasData)
        {
            var tag = tbs.PeekTag();
            if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue is 1 or 2)
            {
                result.HasUniqueIds = true;
                _ = tbs.ReadEncodedValue();
            }
            else if (tag == new Asn1Tag(TagClass.ContextSpecific, 3, isConstructed: true))
            {
                var wrapper = tbs.ReadSequence(tag);
                ReadExtensions(wrapper.ReadSequence(), result.Extensions);
                wrapper.ThrowIfNotEmpty();
            }
            else
            {
                throw new FormatException($"unexpected TBSCertificate field with tag {tag}");
            }
        }

        return result;
    }

    // Name ::= SEQUENCE OF RelativeDistinguishedName; RDN ::= SET OF AttributeTypeAndValue { type OID, value ANY }
    private static void ReadName(ReadOnlyMemory<byte> name, List<RawAttribute> into)
    {
        var rdns = new AsnReader(name, Der).ReadSequence();
        while (rdns.HasData)
        {
            var rdn = rdns.ReadSetOf(skipSortOrderValidation: true);
            while (rdn.HasData)
            {
                var attribute = rdn.ReadSequence();
                var oid = attribute.ReadObjectIdentifier();
                var value = attribute.ReadEncodedValue();
                attribute.ThrowIfNotEmpty();
                into.Add(new RawAttribute(oid, Asn1Text.TagOf(value.Span), Asn1Text.StringValue(value.Span)));
            }
        }
    }

    // Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    private static void ReadExtensions(AsnReader extensions, List<RawExtension> into)
    {
        while (extensions.HasData)
        {
            var fields = extensions.ReadSequence();
            var oid = fields.ReadObjectIdentifier();
            var critical = fields.HasData && fields.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && fields.ReadBoolean();
            var value = fields.ReadOctetString();
            if (fields.HasData)
            {
                throw new FormatException("an Extension is SEQUENCE { OBJECT IDENTIFIER, BOOLEAN OPTIONAL, OCTET STRING }");
            }

            into.Add(new RawExtension(oid, critical, value));
        }
    }

    private static ReadOnlyMemory<byte> Expect(AsnReader reader, Asn1Tag tag, string what)
    {
        var actual = reader.PeekTag();
        return actual == tag ? reader.ReadEncodedValue() : throw new FormatException($"{what} has tag {actual}, expected {tag}");
    }
}

/// <summary>What the linter compares from the issuing CA certificate.</summary>
internal sealed record IssuerInfo(byte[] Certificate, byte[] Subject, byte[] SubjectPublicKeyInfo, SmimeKeyAlgorithm? KeyAlgorithm, byte[]? SubjectKeyIdentifier, bool IsCa);
