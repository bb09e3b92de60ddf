namespace Pki.Smime.Internal;

/// <summary>How an attribute value is encoded (RFC 5280 Appendix A, S/MIME BR 7.1.4.2.2 d).</summary>
internal enum AttributeEncoding
{
    /// <summary>DirectoryString: PrintableString or UTF8String.</summary>
    Directory,

    /// <summary>PrintableString only (countryName, serialNumber).</summary>
    Printable,

    /// <summary>IA5String only (emailAddress).</summary>
    Ia5,
}

/// <summary>One subject attribute type the S/MIME profiles name, with its RFC 5280 upper bound.</summary>
internal sealed record SubjectAttribute(string Oid, string Name, int UpperBound, AttributeEncoding Encoding);

/// <summary>The subject attributes of section 7.1.4.2.2, in the order the builder writes them.</summary>
internal static class SubjectAttributes
{
    public static readonly SubjectAttribute Country = new(Oids.CountryName, "countryName", 2, AttributeEncoding.Printable);
    public static readonly SubjectAttribute StateOrProvince = new(Oids.StateOrProvinceName, "stateOrProvinceName", 128, AttributeEncoding.Directory);
    public static readonly SubjectAttribute Locality = new(Oids.LocalityName, "localityName", 128, AttributeEncoding.Directory);
    public static readonly SubjectAttribute StreetAddress = new(Oids.StreetAddress, "streetAddress", 128, AttributeEncoding.Directory);
    public static readonly SubjectAttribute PostalCode = new(Oids.PostalCode, "postalCode", 40, AttributeEncoding.Directory);
    public static readonly SubjectAttribute Organization = new(Oids.OrganizationName, "organizationName", 64, AttributeEncoding.Directory);
    public static readonly SubjectAttribute OrganizationalUnit = new(Oids.OrganizationalUnitName, "organizationalUnitName", 64, AttributeEncoding.Directory);
    public static readonly SubjectAttribute OrganizationIdentifier = new(Oids.OrganizationIdentifier, "organizationIdentifier", 128, AttributeEncoding.Directory);
    public static readonly SubjectAttribute Title = new(Oids.Title, "title", 64, AttributeEncoding.Directory);
    public static readonly SubjectAttribute Surname = new(Oids.Surname, "surname", 32768, AttributeEncoding.Directory);
    public static readonly SubjectAttribute GivenName = new(Oids.GivenName, "givenName", 32768, AttributeEncoding.Directory);
    public static readonly SubjectAttribute Pseudonym = new(Oids.Pseudonym, "pseudonym", 128, AttributeEncoding.Directory);
    public static readonly SubjectAttribute SerialNumber = new(Oids.SerialNumber, "serialNumber", 64, AttributeEncoding.Printable);
    public static readonly SubjectAttribute CommonName = new(Oids.CommonName, "commonName", 64, AttributeEncoding.Directory);
    public static readonly SubjectAttribute EmailAddress = new(Oids.EmailAddress, "emailAddress", 255, AttributeEncoding.Ia5);

    public static readonly IReadOnlyList<SubjectAttribute> Ordered =
    [
        Country, StateOrProvince, Locality, StreetAddress, PostalCode, Organization, OrganizationalUnit, OrganizationIdentifier,
        Title, Surname, GivenName, Pseudonym, SerialNumber, CommonName, EmailAddress,
    ];

    public static readonly Dictionary<string, SubjectAttribute> ByOid = Ordered.ToDictionary(a => a.Oid, StringComparer.Ordinal);

    /// <summary>Requirement levels of sections 7.1.4.2.3 to 7.1.4.2.6.</summary>
    public enum Level
    {
        ShallNot,
        May,
        Shall,
    }

    /// <summary>The requirement level of an attribute (null OID = "Other") for a profile.</summary>
    public static Level LevelOf(string? oid, SmimeProfile profile)
    {
        var type = profile.Type;
        var strict = profile.Generation == SmimeGeneration.Strict;
        var legacy = profile.Generation == SmimeGeneration.Legacy;
        var organizational = type is SmimeValidationType.Organization or SmimeValidationType.Sponsor;
        var personal = type is SmimeValidationType.Sponsor or SmimeValidationType.Individual;
        return oid switch
        {
            Oids.CommonName or Oids.SerialNumber or Oids.EmailAddress => Level.May,
            _ when type == SmimeValidationType.Mailbox => Level.ShallNot,
            Oids.OrganizationName or Oids.OrganizationIdentifier => organizational ? Level.Shall : Level.ShallNot,
            Oids.OrganizationalUnitName => organizational ? Level.May : Level.ShallNot,
            Oids.GivenName or Oids.Surname or Oids.Pseudonym or Oids.Title => personal ? Level.May : Level.ShallNot,
            Oids.StreetAddress or Oids.PostalCode => strict ? Level.ShallNot : Level.May,
            Oids.LocalityName or Oids.StateOrProvinceName or Oids.CountryName => Level.May,
            _ => legacy ? Level.May : Level.ShallNot,
        };
    }

    /// <summary>The section with the attribute table of a certificate type.</summary>
    public static string TableSection(SmimeValidationType type) => type switch
    {
        SmimeValidationType.Mailbox => "7.1.4.2.3",
        SmimeValidationType.Organization => "7.1.4.2.4",
        SmimeValidationType.Sponsor => "7.1.4.2.5",
        _ => "7.1.4.2.6",
    };
}
