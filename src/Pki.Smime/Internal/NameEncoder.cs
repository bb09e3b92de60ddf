using System.Formats.Asn1;

namespace Pki.Smime.Internal;

/// <summary>Encodes a distinguished name, one attribute per RDN, in the given order (RFC 5280 section 4.1.2.4).</summary>
internal static class NameEncoder
{
    public static byte[] Encode(IEnumerable<(SubjectAttribute Attribute, string Value)> attributes)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var (attribute, value) in attributes)
            {
                using (writer.PushSetOf())
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(attribute.Oid);
                    writer.WriteCharacterString(EncodingOf(attribute, value), value);
                }
            }
        }

        return writer.Encode();
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

    /// <summary>Whether every character is in the PrintableString set of X.680 section 41.4.</summary>
    public static bool IsPrintableString(string value)
    {
        foreach (var c in value)
        {
            if (!(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
                or ' ' or '\'' or '(' or ')' or '+' or ',' or '-' or '.' or '/' or ':' or '=' or '?'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// PrintableString for countryName and serialNumber, IA5String for emailAddress, UTF8String otherwise;
    /// a value the required type cannot hold is written as UTF8String so the linter names the problem.
    /// </summary>
    private static UniversalTagNumber EncodingOf(SubjectAttribute attribute, string value) => attribute.Encoding switch
    {
        AttributeEncoding.Printable when IsPrintableString(value) => UniversalTagNumber.PrintableString,
        AttributeEncoding.Ia5 when IdnName.IsAscii(value) => UniversalTagNumber.IA5String,
        _ => UniversalTagNumber.UTF8String,
    };
}
