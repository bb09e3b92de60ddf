using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot4;

/// <summary><c>SUBJECT_ORGID_SYNTAX</c> (7.1.4.2.2 d): organizationIdentifier SHALL be scheme (NTR, VAT, PSD, LEI, GOV, INT), country, optional +subdivision, hyphen and registration reference.</summary>
internal sealed class SubjectOrganizationIdentifierSyntaxRule() : LintRule(SmimeLintRules.SubjectOrganizationIdentifierSyntax, SmimeLintSeverity.Error, "7.1.4.2.2 d",
    "organizationIdentifier SHALL be scheme (NTR, VAT, PSD, LEI, GOV, INT), country, optional +subdivision, hyphen and registration reference.")
{
    public override void Check(LintContext context)
    {
        if (context.FirstAttribute(Oids.OrganizationIdentifier) is { } value && OrganizationIdentifier.Parse(value).SyntaxProblem is { } problem)
        {
            Report(context, problem);
        }
    }
}

/// <summary><c>SUBJECT_ORGID_COUNTRY</c> (7.1.4.2.2 d): The organizationIdentifier country SHALL match countryName (except LEI and INT, which use XG).</summary>
internal sealed class SubjectOrganizationIdentifierCountryRule() : LintRule(SmimeLintRules.SubjectOrganizationIdentifierCountry, SmimeLintSeverity.Error, "7.1.4.2.2 d",
    "The organizationIdentifier country SHALL match countryName (except LEI and INT, which use XG).")
{
    // Note 1 of 7.1.4.2.2 (d): the country matches countryName; LEI and INT use XG.
    public override void Check(LintContext context)
    {
        if (context.FirstAttribute(Oids.OrganizationIdentifier) is not { } value || OrganizationIdentifier.Parse(value) is not { SyntaxProblem: null } parsed)
        {
            return;
        }

        if (parsed.Scheme is "LEI" or "INT")
        {
            if (parsed.Country != "XG")
            {
                Report(context, $"organizationIdentifier '{value}': the {parsed.Scheme} scheme uses the country code XG.");
            }

            return;
        }

        if (context.FirstAttribute(Oids.CountryName) is not { } subjectCountry)
        {
            return;
        }

        // VAT may use the Article 215 prefix of Directive 2006/112/EC: EL for Greece, XI for Northern Ireland.
        var expected = parsed.Scheme == "VAT" ? parsed.Country switch { "EL" => "GR", "XI" => "GB", _ => parsed.Country } : parsed.Country;
        if (!string.Equals(expected, subjectCountry, StringComparison.Ordinal))
        {
            Report(context, $"organizationIdentifier '{value}' names the country {parsed.Country} but subject countryName is {subjectCountry}.");
        }
    }
}
