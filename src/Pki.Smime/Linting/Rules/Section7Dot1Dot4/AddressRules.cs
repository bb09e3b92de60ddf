using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot4;

/// <summary><c>SUBJECT_ADDRESS_DEPENDENCY</c> (7.1.4.2.2 j): streetAddress needs localityName or stateOrProvinceName; localityName, stateOrProvinceName and postalCode need countryName.</summary>
internal sealed class SubjectAddressDependencyRule() : LintRule(SmimeLintRules.SubjectAddressDependency, SmimeLintSeverity.Error, "7.1.4.2.2 j",
    "streetAddress needs localityName or stateOrProvinceName; localityName, stateOrProvinceName and postalCode need countryName.")
{
    private static readonly (string Oid, string Name, string Section)[] NeedCountry =
    [
        (Oids.LocalityName, "localityName", "7.1.4.2.2 k"), (Oids.StateOrProvinceName, "stateOrProvinceName", "7.1.4.2.2 l"),
        (Oids.PostalCode, "postalCode", "7.1.4.2.2 m"),
    ];

    // 7.1.4.2.2 (j) to (m): address dependencies.
    public override void Check(LintContext context)
    {
        if (context.HasAttribute(Oids.StreetAddress) && !context.HasAttribute(Oids.LocalityName) && !context.HasAttribute(Oids.StateOrProvinceName))
        {
            Report(context, "subject streetAddress is present without localityName or stateOrProvinceName.", "7.1.4.2.2 j");
        }

        if (context.HasAttribute(Oids.CountryName))
        {
            return;
        }

        foreach (var (oid, name, section) in NeedCountry)
        {
            if (context.HasAttribute(oid))
            {
                Report(context, $"subject {name} is present without countryName.", section);
            }
        }
    }
}

/// <summary><c>SUBJECT_COUNTRY_INVALID</c> (7.1.4.2.2 n): countryName SHALL be a two-letter ISO 3166-1 code (or XX).</summary>
internal sealed class SubjectCountryInvalidRule() : LintRule(SmimeLintRules.SubjectCountryInvalid, SmimeLintSeverity.Error, "7.1.4.2.2 n",
    "countryName SHALL be a two-letter ISO 3166-1 code (or XX).")
{
    public override void Check(LintContext context)
    {
        var country = context.FirstAttribute(Oids.CountryName);
        if (country is not null && !(country.Length == 2 && country[0] is >= 'A' and <= 'Z' && country[1] is >= 'A' and <= 'Z'))
        {
            Report(context, $"subject countryName '{country}' is not a two-letter upper-case ISO 3166-1 code.");
        }
    }
}
