namespace Pki.Smime.Internal;

/// <summary>Object identifiers used by the S/MIME profiles (RFC 5280, RFC 9598, S/MIME BR section 7.1).</summary>
internal static class Oids
{
    // Extensions (RFC 5280 section 4.2).
    public const string SubjectDirectoryAttributes = "2.5.29.9";
    public const string SubjectKeyIdentifier = "2.5.29.14";
    public const string KeyUsage = "2.5.29.15";
    public const string SubjectAltName = "2.5.29.17";
    public const string BasicConstraints = "2.5.29.19";
    public const string NameConstraints = "2.5.29.30";
    public const string CrlDistributionPoints = "2.5.29.31";
    public const string CertificatePolicies = "2.5.29.32";
    public const string AnyPolicy = "2.5.29.32.0";
    public const string AuthorityKeyIdentifier = "2.5.29.35";
    public const string ExtendedKeyUsage = "2.5.29.37";
    public const string AuthorityInfoAccess = "1.3.6.1.5.5.7.1.1";
    public const string QcStatements = "1.3.6.1.5.5.7.1.3";
    public const string SmimeCapabilities = "1.2.840.113549.1.9.15";
    public const string LegalEntityIdentifier = "1.3.6.1.4.1.52266.1";
    public const string LegalEntityRole = "1.3.6.1.4.1.52266.2";
    public const string AdobeTimestamp = "1.2.840.113583.1.1.9.1";
    public const string AdobeArchiveRevInfo = "1.2.840.113583.1.1.9.2";

    // Access methods and policy qualifiers (RFC 5280 sections 4.2.2.1 and 4.2.1.4).
    public const string AccessOcsp = "1.3.6.1.5.5.7.48.1";
    public const string AccessCaIssuers = "1.3.6.1.5.5.7.48.2";
    public const string QualifierCps = "1.3.6.1.5.5.7.2.1";
    public const string QualifierUserNotice = "1.3.6.1.5.5.7.2.2";

    // Extended key usages (RFC 5280 section 4.2.1.12).
    public const string AnyExtendedKeyUsage = "2.5.29.37.0";
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    public const string CodeSigning = "1.3.6.1.5.5.7.3.3";
    public const string EmailProtection = "1.3.6.1.5.5.7.3.4";
    public const string TimeStamping = "1.3.6.1.5.5.7.3.8";

    // otherName types (RFC 9598).
    public const string SmtpUtf8Mailbox = "1.3.6.1.5.5.7.8.9";

    // Subject attributes (X.520, PKCS #9).
    public const string CommonName = "2.5.4.3";
    public const string Surname = "2.5.4.4";
    public const string SerialNumber = "2.5.4.5";
    public const string CountryName = "2.5.4.6";
    public const string LocalityName = "2.5.4.7";
    public const string StateOrProvinceName = "2.5.4.8";
    public const string StreetAddress = "2.5.4.9";
    public const string OrganizationName = "2.5.4.10";
    public const string OrganizationalUnitName = "2.5.4.11";
    public const string Title = "2.5.4.12";
    public const string PostalCode = "2.5.4.17";
    public const string GivenName = "2.5.4.42";
    public const string Pseudonym = "2.5.4.65";
    public const string OrganizationIdentifier = "2.5.4.97";
    public const string EmailAddress = "1.2.840.113549.1.9.1";

    // Key algorithms (section 7.1.3.1).
    public const string RsaEncryption = "1.2.840.113549.1.1.1";
    public const string EcPublicKey = "1.2.840.10045.2.1";
    public const string Ed25519 = "1.3.101.112";
    public const string Ed448 = "1.3.101.113";

    /// <summary>
    /// Whether <paramref name="oid"/> is a dotted OBJECT IDENTIFIER (X.660): at least two arcs of decimal
    /// digits without leading zeros, the first 0, 1 or 2, the second below 40 under 0 and 1.
    /// </summary>
    public static bool IsValid(string oid)
    {
        var arcs = oid.Split('.');
        if (arcs.Length < 2)
        {
            return false;
        }

        foreach (var arc in arcs)
        {
            if (arc.Length == 0 || (arc.Length > 1 && arc[0] == '0'))
            {
                return false;
            }

            foreach (var c in arc)
            {
                if (c is < '0' or > '9')
                {
                    return false;
                }
            }
        }

        return arcs[0] is "0" or "1" or "2" && (arcs[0] == "2" || arcs[1].Length == 1 || (arcs[1].Length == 2 && arcs[1][0] < '4'));
    }
}
