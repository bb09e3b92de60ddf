namespace Pki.Smime;

/// <summary>
/// The verified subject data that goes into the <c>subject</c> distinguished name (section 7.1.4.2.2).
/// Which attributes are allowed or required depends on the profile (sections 7.1.4.2.3 to 7.1.4.2.6);
/// the builder refuses a combination the profile does not allow, naming the rule.
/// </summary>
public sealed record SmimeSubject
{
    /// <summary>
    /// <c>commonName</c>: a mailbox address (any type), the organization name (Organization), or a personal
    /// name or pseudonym (Sponsor, Individual).
    /// </summary>
    public string? CommonName { get; init; }

    /// <summary><c>givenName</c> of a natural person (Sponsor, Individual).</summary>
    public string? GivenName { get; init; }

    /// <summary><c>surname</c> of a natural person (Sponsor, Individual); a single legal name goes here.</summary>
    public string? Surname { get; init; }

    /// <summary><c>pseudonym</c> (Sponsor, Individual); excludes <see cref="GivenName"/> and <see cref="Surname"/>.</summary>
    public string? Pseudonym { get; init; }

    /// <summary><c>organizationName</c>: the full legal name or assumed name (Organization, Sponsor: required).</summary>
    public string? OrganizationName { get; init; }

    /// <summary><c>organizationalUnitName</c> (Organization, Sponsor).</summary>
    public string? OrganizationalUnitName { get; init; }

    /// <summary>
    /// <c>organizationIdentifier</c> (Organization, Sponsor: required), e.g. <c>NTRGB-12345678</c>,
    /// <c>VATDE-123456789</c>, <c>LEIXG-529900T8BM49AURSDO55</c>, <c>GOVUS+CA</c>, <c>INTXG</c> (section 7.1.4.2.2 d).
    /// </summary>
    public string? OrganizationIdentifier { get; init; }

    /// <summary><c>title</c> (Sponsor, Individual).</summary>
    public string? Title { get; init; }

    /// <summary><c>serialNumber</c> attribute: a CA/RA-assigned identifier or a Natural Person Identifier (PrintableString).</summary>
    public string? SerialNumber { get; init; }

    /// <summary><c>emailAddress</c>: a single mailbox address that is also in the subjectAltName.</summary>
    public string? EmailAddress { get; init; }

    /// <summary><c>streetAddress</c> (Legacy and Multipurpose Organization, Sponsor, Individual); needs locality or state.</summary>
    public string? StreetAddress { get; init; }

    /// <summary><c>localityName</c>; needs <see cref="Country"/>.</summary>
    public string? Locality { get; init; }

    /// <summary><c>stateOrProvinceName</c>; needs <see cref="Country"/>.</summary>
    public string? StateOrProvince { get; init; }

    /// <summary><c>postalCode</c> (Legacy and Multipurpose); needs <see cref="Country"/>.</summary>
    public string? PostalCode { get; init; }

    /// <summary><c>countryName</c>: two-letter ISO 3166-1 code (or <c>XX</c>).</summary>
    public string? Country { get; init; }
}
