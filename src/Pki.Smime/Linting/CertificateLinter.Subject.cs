using System.Text.RegularExpressions;
using Org.BouncyCastle.Asn1;
using Pki.Smime.Internal;

namespace Pki.Smime.Linting;

internal sealed partial class CertificateLinter
{
    // 7.1.4.2.2 (d): scheme (3), country (2), optional "+" subdivision (up to 3), optional "-" reference.
    private static readonly Regex OrganizationIdentifierSyntax = new(
        "^(?<scheme>[A-Z]{3})(?<country>[A-Z]{2})(?:\\+(?<subdivision>[A-Z0-9]{1,3}))?(?:-(?<reference>.+))?$",
        RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromMilliseconds(100));

    private static readonly Regex LeiSyntax = new("^[A-Z0-9]{18}[0-9]{2}$", RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromMilliseconds(100));

    private static readonly string[] AbsentMarkers = ["n/a", "not applicable", "null", "none", "unknown"];

    private string? First(string oid) => _cert.SubjectAttributes.Find(a => a.Oid == oid)?.Text;

    private bool Has(string oid) => _cert.SubjectAttributes.Exists(a => a.Oid == oid);

    private void CheckSubject()
    {
        var sanKeys = new HashSet<string>(_sanMailboxes.Select(MailboxAddress.Canonical).OfType<string>(), StringComparer.Ordinal);
        foreach (var attribute in _cert.SubjectAttributes)
        {
            CheckAttributeValue(attribute);
        }

        CheckSubjectMailboxes(sanKeys);
        CheckNameCombination();
        CheckAddressAndCountry();
        CheckOrganizationIdentifier();
        if (_profile is not null)
        {
            CheckAttributeTable(_profile);
            CheckCommonName(_profile);
        }
    }

    // 7.1.4 encoding and RFC 5280 upper bounds; 7.1.4.2 "SHALL NOT contain only metadata".
    private void CheckAttributeValue(RawAttribute attribute)
    {
        if (!SubjectAttributes.ByOid.TryGetValue(attribute.Oid, out var definition))
        {
            return;
        }

        var encodingOk = definition.Encoding switch
        {
            AttributeEncoding.Printable => attribute.Value is DerPrintableString,
            AttributeEncoding.Ia5 => attribute.Value is DerIA5String,
            _ => attribute.Value is DerPrintableString or DerUtf8String,
        };
        if (!encodingOk)
        {
            var expected = definition.Encoding switch
            {
                AttributeEncoding.Printable => "PrintableString",
                AttributeEncoding.Ia5 => "IA5String",
                _ => "PrintableString or UTF8String",
            };
            Add(SmimeLintRules.SubjectAttributeEncoding, $"subject {definition.Name} is a {attribute.Value.GetType().Name}; {expected} is required.");
        }

        var text = attribute.Text;
        if (text is null)
        {
            return;
        }

        if (CountCharacters(text) > definition.UpperBound && definition.Oid != Oids.CountryName)
        {
            Add(SmimeLintRules.SubjectAttributeTooLong, $"subject {definition.Name} has {CountCharacters(text)} characters; the upper bound is {definition.UpperBound}.");
        }

        if (IsMetadataOnly(text))
        {
            Add(SmimeLintRules.SubjectMetadataOnly, $"subject {definition.Name} '{text}' holds no information.");
        }
    }

    private static int CountCharacters(string text)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsLowSurrogate(text[i]))
            {
                count++;
            }
        }

        return count;
    }

    internal static bool IsMetadataOnly(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return true;
        }

        foreach (var c in trimmed)
        {
            if (!(char.IsWhiteSpace(c) || c is '.' or '-' or '_' or ',' or ';' or ':' or '/' or '\\' or '?' or '*' or '\u2013' or '\u2014'))
            {
                return Array.Exists(AbsentMarkers, m => string.Equals(m, trimmed, StringComparison.OrdinalIgnoreCase));
            }
        }

        return true;
    }

    // 7.1.4.2.1: "All Mailbox Addresses in the subject field ... SHALL be repeated" in subjectAltName.
    private void CheckSubjectMailboxes(HashSet<string> sanKeys)
    {
        foreach (var attribute in _cert.SubjectAttributes)
        {
            var isEmail = attribute.Oid == Oids.EmailAddress;
            if (!isEmail && attribute.Oid != Oids.CommonName)
            {
                continue;
            }

            var text = attribute.Text;
            if (text is null || (!isEmail && !text.Contains('@')))
            {
                continue;
            }

            var key = MailboxAddress.Canonical(text);
            if (key is null || !sanKeys.Contains(key))
            {
                Add(SmimeLintRules.SubjectMailboxNotInSan, $"The subject {(isEmail ? "emailAddress" : "commonName")} '{text}' is not a mailbox of subjectAltName.");
            }
        }
    }

    // 7.1.4.2.2 (e), (f): pseudonym excludes givenName and surname.
    private void CheckNameCombination()
    {
        if (Has(Oids.Pseudonym) && (Has(Oids.GivenName) || Has(Oids.Surname)))
        {
            Add(SmimeLintRules.SubjectPseudonymWithName, "The subject has a pseudonym together with givenName or surname.");
        }
    }

    // 7.1.4.2.2 (j) to (n): address dependencies and the country code.
    private void CheckAddressAndCountry()
    {
        if (Has(Oids.StreetAddress) && !Has(Oids.LocalityName) && !Has(Oids.StateOrProvinceName))
        {
            Add(SmimeLintRules.SubjectAddressDependency, "subject streetAddress is present without localityName or stateOrProvinceName.", "7.1.4.2.2 j");
        }

        if (!Has(Oids.CountryName))
        {
            foreach (var (oid, name, section) in new[]
            {
                (Oids.LocalityName, "localityName", "7.1.4.2.2 k"), (Oids.StateOrProvinceName, "stateOrProvinceName", "7.1.4.2.2 l"),
                (Oids.PostalCode, "postalCode", "7.1.4.2.2 m"),
            })
            {
                if (Has(oid))
                {
                    Add(SmimeLintRules.SubjectAddressDependency, $"subject {name} is present without countryName.", section);
                }
            }
        }

        var country = First(Oids.CountryName);
        if (country is not null && !(country.Length == 2 && country[0] is >= 'A' and <= 'Z' && country[1] is >= 'A' and <= 'Z'))
        {
            Add(SmimeLintRules.SubjectCountryInvalid, $"subject countryName '{country}' is not a two-letter upper-case ISO 3166-1 code.");
        }
    }

    // 7.1.4.2.2 (d): organizationIdentifier syntax, scheme and country match (Note 1).
    private void CheckOrganizationIdentifier()
    {
        var value = First(Oids.OrganizationIdentifier);
        if (value is null)
        {
            return;
        }

        var match = OrganizationIdentifierSyntax.Match(value);
        if (!match.Success)
        {
            Add(SmimeLintRules.SubjectOrganizationIdentifierSyntax, $"organizationIdentifier '{value}' is not scheme + country [+ subdivision] - reference.");
            return;
        }

        var scheme = match.Groups["scheme"].Value;
        var country = match.Groups["country"].Value;
        var reference = match.Groups["reference"].Success ? match.Groups["reference"].Value : null;
        var subdivision = match.Groups["subdivision"].Success;
        string? syntaxProblem = scheme switch
        {
            "NTR" or "VAT" or "PSD" or "LEI" when reference is null => $"the {scheme} scheme needs a registration reference after '-'",
            "VAT" or "PSD" or "LEI" when subdivision => $"the {scheme} scheme has no subdivision form",
            "INT" when reference is not null || subdivision => "the INT scheme is exactly 'INTXG'",
            "PSD" when !reference!.Contains('-') => "PSD references are the NCA identifier, '-', and the authorization number (ETSI TS 119 495)",
            "LEI" when !LeiSyntax.IsMatch(reference!) => "an LEI is 18 letters or digits followed by 2 check digits (ISO 17442)",
            "NTR" or "VAT" or "PSD" or "LEI" or "GOV" or "INT" => null,
            _ => $"'{scheme}' is not a registration scheme of Appendix A (NTR, VAT, PSD, LEI) or GOV/INT",
        };
        if (syntaxProblem is not null)
        {
            Add(SmimeLintRules.SubjectOrganizationIdentifierSyntax, $"organizationIdentifier '{value}': {syntaxProblem}.");
            return;
        }

        if (scheme is "LEI" or "INT")
        {
            if (country != "XG")
            {
                Add(SmimeLintRules.SubjectOrganizationIdentifierCountry, $"organizationIdentifier '{value}': the {scheme} scheme uses the country code XG.");
            }

            return;
        }

        var subjectCountry = First(Oids.CountryName);
        if (subjectCountry is null)
        {
            return;
        }

        // VAT may use the Article 215 prefix of Directive 2006/112/EC: EL for Greece, XI for Northern Ireland.
        var expected = scheme == "VAT" ? country switch { "EL" => "GR", "XI" => "GB", _ => country } : country;
        if (!string.Equals(expected, subjectCountry, StringComparison.Ordinal))
        {
            Add(SmimeLintRules.SubjectOrganizationIdentifierCountry,
                $"organizationIdentifier '{value}' names the country {country} but subject countryName is {subjectCountry}.");
        }
    }

    // 7.1.4.2.3 to 7.1.4.2.6: the attribute tables, and Note 2 (a name or pseudonym is required).
    private void CheckAttributeTable(SmimeProfile profile)
    {
        var section = SubjectAttributes.TableSection(profile.Type);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var attribute in _cert.SubjectAttributes)
        {
            var known = SubjectAttributes.ByOid.ContainsKey(attribute.Oid);
            if (SubjectAttributes.LevelOf(known ? attribute.Oid : null, profile) == SubjectAttributes.Level.ShallNot && reported.Add(attribute.Oid))
            {
                var name = known ? SubjectAttributes.ByOid[attribute.Oid].Name : $"attribute {attribute.Oid}";
                Add(SmimeLintRules.SubjectAttributeProhibited, $"subject {name} is not allowed in {profile.Type}-validated {profile.Generation} certificates.", section);
            }
        }

        foreach (var required in new[] { SubjectAttributes.Organization, SubjectAttributes.OrganizationIdentifier })
        {
            if (SubjectAttributes.LevelOf(required.Oid, profile) == SubjectAttributes.Level.Shall && !Has(required.Oid))
            {
                Add(SmimeLintRules.SubjectAttributeRequired, $"subject {required.Name} is required in {profile.Type}-validated certificates.", section);
            }
        }

        if (profile.Type is SmimeValidationType.Sponsor or SmimeValidationType.Individual && profile.Generation != SmimeGeneration.Legacy
            && !Has(Oids.GivenName) && !Has(Oids.Surname) && !Has(Oids.Pseudonym))
        {
            Add(SmimeLintRules.SubjectNameRequired,
                $"{profile.Type}-validated {profile.Generation} certificates need givenName and/or surname, or pseudonym.", section);
        }
    }

    // 7.1.4.2.2 (a): what commonName may contain, by certificate type.
    private void CheckCommonName(SmimeProfile profile)
    {
        foreach (var attribute in _cert.SubjectAttributes.Where(a => a.Oid == Oids.CommonName))
        {
            var cn = attribute.Text;
            if (cn is null || cn.Contains('@'))
            {
                // A mailbox: SUBJECT_MAILBOX_NOT_IN_SAN already covers one that is not in the SAN.
                continue;
            }

            string? problem = null;
            switch (profile.Type)
            {
                case SmimeValidationType.Mailbox:
                    problem = "Mailbox-validated commonName must be a mailbox address";
                    break;
                case SmimeValidationType.Organization:
                    if (!string.Equals(cn, First(Oids.OrganizationName), StringComparison.Ordinal))
                    {
                        problem = "Organization-validated commonName must be the organizationName or a mailbox address";
                    }

                    break;
                default:
                    var pseudonym = First(Oids.Pseudonym);
                    var given = First(Oids.GivenName);
                    var surname = First(Oids.Surname);
                    if (pseudonym is not null)
                    {
                        if (!cn.Contains(pseudonym))
                        {
                            problem = $"commonName must contain the pseudonym '{pseudonym}' (or be a mailbox address)";
                        }
                    }
                    else if ((given is not null || surname is not null)
                        && !((given is not null && cn.Contains(given)) || (surname is not null && cn.Contains(surname))))
                    {
                        problem = "commonName must be a personal name built from givenName and/or surname, a pseudonym, or a mailbox address";
                    }

                    break;
            }

            if (problem is not null)
            {
                Add(SmimeLintRules.SubjectCommonNameContent, $"commonName '{cn}': {problem}.");
            }
        }
    }
}
