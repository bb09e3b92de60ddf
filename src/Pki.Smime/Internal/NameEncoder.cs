using Org.BouncyCastle.Asn1;

namespace Pki.Smime.Internal;

/// <summary>Encodes a distinguished name, one attribute per RDN, in the given order (RFC 5280 section 4.1.2.4).</summary>
internal static class NameEncoder
{
    public static byte[] Encode(IEnumerable<(SubjectAttribute Attribute, string Value)> attributes)
    {
        var rdns = attributes.Select(a =>
            (Asn1Encodable)new DerSet(new DerSequence(new DerObjectIdentifier(a.Attribute.Oid), EncodeValue(a.Attribute, a.Value))));
        return new DerSequence(rdns.ToArray()).GetEncoded(Asn1Encodable.Der);
    }

    /// <summary>The subject attributes of <paramref name="subject"/> in the builder's order.</summary>
    public static IEnumerable<(SubjectAttribute Attribute, string Value)> AttributesOf(SmimeSubject subject)
    {
        (SubjectAttribute Attribute, string? Value)[] all =
        [
            (SubjectAttributes.Country, subject.Country), (SubjectAttributes.StateOrProvince, subject.StateOrProvince),
            (SubjectAttributes.Locality, subject.Locality), (SubjectAttributes.StreetAddress, subject.StreetAddress),
            (SubjectAttributes.PostalCode, subject.PostalCode), (SubjectAttributes.Organization, subject.OrganizationName),
            (SubjectAttributes.OrganizationalUnit, subject.OrganizationalUnitName), (SubjectAttributes.OrganizationIdentifier, subject.OrganizationIdentifier),
            (SubjectAttributes.Title, subject.Title), (SubjectAttributes.Surname, subject.Surname), (SubjectAttributes.GivenName, subject.GivenName),
            (SubjectAttributes.Pseudonym, subject.Pseudonym), (SubjectAttributes.SerialNumber, subject.SerialNumber),
            (SubjectAttributes.CommonName, subject.CommonName), (SubjectAttributes.EmailAddress, subject.EmailAddress),
        ];
        return all.Where(a => a.Value is not null).Select(a => (a.Attribute, a.Value!));
    }

    /// <summary>
    /// PrintableString for countryName and serialNumber, IA5String for emailAddress, UTF8String otherwise;
    /// a value the required type cannot hold is written as UTF8String so the linter names the problem.
    /// </summary>
    private static Asn1Encodable EncodeValue(SubjectAttribute attribute, string value) => attribute.Encoding switch
    {
        AttributeEncoding.Printable when DerPrintableString.IsPrintableString(value) => new DerPrintableString(value),
        AttributeEncoding.Ia5 when MailboxAddress.IsAscii(value) => new DerIA5String(value),
        _ => new DerUtf8String(value),
    };
}
