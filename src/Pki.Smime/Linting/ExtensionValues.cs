using System.Formats.Asn1;
using Pki.Smime.Internal;

namespace Pki.Smime.Linting;

/// <summary>The policies of certificatePolicies: the reserved S/MIME ones (section 7.1.6.1) and every qualifier.</summary>
internal sealed record PolicyInformationList(List<SmimeProfile> Reserved, List<PolicyQualifier> Qualifiers);

/// <summary>
/// One PolicyQualifierInfo: its id, and for id-qt-cps the URI (null when not an IA5String, then
/// <see cref="Description"/> names what it is), for id-qt-unotice whether noticeRef and explicitText are present.
/// </summary>
internal sealed record PolicyQualifier(string Id, string? CpsUri, string Description, bool NoticeHasReference, bool NoticeHasText);

/// <summary>
/// One subjectAltName GeneralName (RFC 5280 section 4.2.1.6): its context tag and, once decoded, the
/// rfc822Name, or the otherName type with the SmtpUTF8Mailbox value (or the type its value wrongly has).
/// </summary>
internal sealed record SanEntry(int Tag, ReadOnlyMemory<byte> Encoded)
{
    public string? Rfc822 { get; init; }

    public string? OtherNameType { get; init; }

    public string? SmtpUtf8Mailbox { get; init; }

    /// <summary>The ASN.1 type of an SmtpUTF8Mailbox value that is not a UTF8String.</summary>
    public string? SmtpUtf8WrongType { get; init; }
}

/// <summary>Readers for the extension values the linter inspects, each on System.Formats.Asn1 with DER rules.</summary>
internal static class ExtensionValues
{
    private const AsnEncodingRules Der = AsnEncodingRules.DER;
    private static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0);
    private static readonly Asn1Tag Context0Constructed = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag Uri = new(TagClass.ContextSpecific, 6);

    // certificatePolicies ::= SEQUENCE OF PolicyInformation { policyIdentifier, policyQualifiers SEQUENCE OF PolicyQualifierInfo OPTIONAL }
    public static PolicyInformationList ReadPolicies(AsnReader value)
    {
        var reserved = new List<SmimeProfile>();
        var qualifiers = new List<PolicyQualifier>();
        var policies = value.ReadSequence();
        while (policies.HasData)
        {
            var information = policies.ReadSequence();
            if (SmimeProfile.TryFromPolicyOid(information.ReadObjectIdentifier(), out var profile))
            {
                reserved.Add(profile);
            }

            if (information.HasData)
            {
                var list = information.ReadSequence();
                while (list.HasData)
                {
                    qualifiers.Add(ReadQualifier(list.ReadSequence()));
                }
            }

            information.ThrowIfNotEmpty();
        }

        return new PolicyInformationList(reserved, qualifiers);
    }

    // cRLDistributionPoints ::= SEQUENCE OF DistributionPoint { distributionPoint [0] DistributionPointName OPTIONAL, ... };
    // DistributionPointName ::= CHOICE { fullName [0] GeneralNames, nameRelativeToCRLIssuer [1] }.
    public static List<string> ReadCrlUris(AsnReader value)
    {
        var uris = new List<string>();
        var points = value.ReadSequence();
        while (points.HasData)
        {
            var fields = points.ReadSequence();
            while (fields.HasData)
            {
                var tag = fields.PeekTag();
                RequireContextTag(tag, "a DistributionPoint field");
                if (tag != Context0Constructed)
                {
                    _ = fields.ReadEncodedValue();
                    continue;
                }

                var pointName = fields.ReadSequence(Context0Constructed);
                var choice = pointName.PeekTag();
                RequireContextTag(choice, "a DistributionPointName");
                if (choice == Context0Constructed)
                {
                    uris.AddRange(UrisOf(pointName.ReadSequence(Context0Constructed)));
                }
                else
                {
                    _ = pointName.ReadEncodedValue();
                }

                pointName.ThrowIfNotEmpty();
            }
        }

        return uris;
    }

    // AuthorityInfoAccessSyntax ::= SEQUENCE OF AccessDescription { accessMethod OID, accessLocation GeneralName }
    public static List<(string Method, string? Uri)> ReadAccessDescriptions(AsnReader value)
    {
        var list = new List<(string, string?)>();
        var descriptions = value.ReadSequence();
        while (descriptions.HasData)
        {
            var description = descriptions.ReadSequence();
            var method = description.ReadObjectIdentifier();
            var location = description.PeekTag();
            RequireContextTag(location, "an accessLocation");
            list.Add((method, location == Uri ? Asn1Text.Ia5(description, Uri) : SkipValue(description)));
            description.ThrowIfNotEmpty();
        }

        return list;
    }

    // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }
    public static (bool Ca, bool HasPathLength) ReadBasicConstraints(AsnReader value)
    {
        var fields = value.ReadSequence();
        var ca = false;
        var pathLength = false;
        while (fields.HasData)
        {
            var tag = fields.PeekTag();
            if (tag.HasSameClassAndValue(Asn1Tag.Boolean))
            {
                ca |= fields.ReadBoolean();
            }
            else
            {
                pathLength |= tag.HasSameClassAndValue(Asn1Tag.Integer);
                _ = fields.ReadEncodedValue();
            }
        }

        return (ca, pathLength);
    }

    /// <summary>KeyUsage ::= BIT STRING; the first two octets as <c>first | second &lt;&lt; 8</c>.</summary>
    public static int ReadKeyUsage(AsnReader value)
    {
        var octets = value.ReadBitString(out _);
        var bits = 0;
        for (var i = 0; i < octets.Length && i < 4; i++)
        {
            bits |= octets[i] << (8 * i);
        }

        return bits;
    }

    // ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId
    public static List<string> ReadObjectIdentifiers(AsnReader value)
    {
        var list = new List<string>();
        var purposes = value.ReadSequence();
        while (purposes.HasData)
        {
            list.Add(purposes.ReadObjectIdentifier());
        }

        return list;
    }

    // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0], authorityCertIssuer [1], authorityCertSerialNumber [2] }
    public static (byte[]? KeyIdentifier, bool HasIssuerOrSerial) ReadAuthorityKeyIdentifier(AsnReader value)
    {
        var fields = value.ReadSequence();
        byte[]? keyIdentifier = null;
        var issuerOrSerial = false;
        while (fields.HasData)
        {
            var tag = fields.PeekTag();
            RequireContextTag(tag, "an authorityKeyIdentifier field");
            if (tag == Context0 && keyIdentifier is null)
            {
                keyIdentifier = fields.ReadOctetString(Context0);
                continue;
            }

            issuerOrSerial |= tag.TagValue is 1 or 2;
            _ = fields.ReadEncodedValue();
        }

        return (keyIdentifier, issuerOrSerial);
    }

    /// <summary>SubjectKeyIdentifier ::= OCTET STRING.</summary>
    public static byte[] ReadOctetString(AsnReader value) => value.ReadOctetString();

    /// <summary>GeneralNames ::= SEQUENCE OF GeneralName; each entry is decoded later on its own (<see cref="ReadGeneralName"/>).</summary>
    public static List<SanEntry> ReadGeneralNames(AsnReader value)
    {
        var entries = new List<SanEntry>();
        var names = value.ReadSequence();
        while (names.HasData)
        {
            var tag = names.PeekTag();
            RequireContextTag(tag, "a GeneralName");
            entries.Add(new SanEntry(tag.TagValue, names.ReadEncodedValue()));
        }

        return entries;
    }

    /// <summary>
    /// Decodes rfc822Name [1] IA5String and otherName [0] { type-id, [0] EXPLICIT value } (for the
    /// SmtpUTF8Mailbox value, RFC 9598 section 3); other entries are returned as they are.
    /// </summary>
    public static SanEntry ReadGeneralName(int tag, ReadOnlyMemory<byte> encoded)
    {
        var reader = new AsnReader(encoded, Der);
        switch (tag)
        {
            case 1:
                return new SanEntry(tag, encoded) { Rfc822 = Asn1Text.Ia5(reader, new Asn1Tag(TagClass.ContextSpecific, 1)) };
            case 0:
                var otherName = reader.ReadSequence(Context0Constructed);
                var typeId = otherName.ReadObjectIdentifier();
                if (typeId != Oids.SmtpUtf8Mailbox)
                {
                    return new SanEntry(tag, encoded) { OtherNameType = typeId };
                }

                var explicitValue = otherName.ReadSequence(Context0Constructed);
                var valueTag = explicitValue.PeekTag();
                return valueTag.HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.UTF8String))
                    ? new SanEntry(tag, encoded) { OtherNameType = typeId, SmtpUtf8Mailbox = explicitValue.ReadCharacterString(UniversalTagNumber.UTF8String) }
                    : new SanEntry(tag, encoded) { OtherNameType = typeId, SmtpUtf8WrongType = Asn1Text.TypeName(valueTag) };
            default:
                return new SanEntry(tag, encoded);
        }
    }

    // PolicyQualifierInfo ::= SEQUENCE { policyQualifierId, qualifier ANY }; UserNotice ::= SEQUENCE { noticeRef OPTIONAL, explicitText OPTIONAL }
    private static PolicyQualifier ReadQualifier(AsnReader qualifier)
    {
        var id = qualifier.ReadObjectIdentifier();
        if (id == Oids.QualifierCps)
        {
            var tag = qualifier.PeekTag();
            var ia5 = tag.HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.IA5String));
            var uri = ia5 ? Asn1Text.Ia5(qualifier, new Asn1Tag(UniversalTagNumber.IA5String)) : SkipValue(qualifier);
            return new PolicyQualifier(id, uri, uri ?? $"(a {Asn1Text.TypeName(tag)})", false, false);
        }

        if (id == Oids.QualifierUserNotice)
        {
            var notice = qualifier.ReadSequence();
            bool hasReference = false, hasText = false;
            while (notice.HasData)
            {
                var encoded = notice.ReadEncodedValue();
                var tag = Asn1Text.TagOf(encoded.Span);
                hasReference |= tag.HasSameClassAndValue(Asn1Tag.Sequence);
                hasText |= Asn1Text.StringValue(encoded.Span) is not null;
            }

            return new PolicyQualifier(id, null, string.Empty, hasReference, hasText);
        }

        while (qualifier.HasData)
        {
            _ = qualifier.ReadEncodedValue();
        }

        return new PolicyQualifier(id, null, string.Empty, false, false);
    }

    /// <summary>The URIs among GeneralNames (tag [6] uniformResourceIdentifier).</summary>
    private static List<string> UrisOf(AsnReader generalNames)
    {
        var uris = new List<string>();
        while (generalNames.HasData)
        {
            var tag = generalNames.PeekTag();
            RequireContextTag(tag, "a GeneralName");
            if (tag == Uri)
            {
                uris.Add(Asn1Text.Ia5(generalNames, Uri));
            }
            else
            {
                _ = generalNames.ReadEncodedValue();
            }
        }

        return uris;
    }

    private static string? SkipValue(AsnReader reader)
    {
        _ = reader.ReadEncodedValue();
        return null;
    }

    private static void RequireContextTag(Asn1Tag tag, string what)
    {
        if (tag.TagClass != TagClass.ContextSpecific)
        {
            throw new AsnContentException($"{what} has the tag {tag}, not a context-specific tag");
        }
    }
}
