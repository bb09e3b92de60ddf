using System.Formats.Asn1;
using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot4;

/// <summary><c>SUBJECT_METADATA_ONLY</c> (7.1.4.2): Subject attributes SHALL NOT contain only metadata such as '.', '-' or ' ', or say that the value is absent.</summary>
internal sealed class SubjectMetadataOnlyRule() : LintRule(SmimeLintRules.SubjectMetadataOnly, SmimeLintSeverity.Error, "7.1.4.2",
    "Subject attributes SHALL NOT contain only metadata such as '.', '-' or ' ', or say that the value is absent.")
{
    private static readonly string[] AbsentMarkers = ["n/a", "not applicable", "null", "none", "unknown"];

    // 7.1.4.2: attributes "SHALL NOT contain only metadata".
    public override void Check(LintContext context)
    {
        foreach (var attribute in context.Certificate.SubjectAttributes)
        {
            if (SubjectAttributes.ByOid.TryGetValue(attribute.Oid, out var definition) && attribute.Text is { } text && IsMetadataOnly(text))
            {
                Report(context, $"subject {definition.Name} '{text}' holds no information.");
            }
        }
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
}

/// <summary><c>SUBJECT_ATTR_TOO_LONG</c> (7.1.4.2.2 a): Subject attributes SHALL respect the RFC 5280 upper bounds.</summary>
internal sealed class SubjectAttributeTooLongRule() : LintRule(SmimeLintRules.SubjectAttributeTooLong, SmimeLintSeverity.Error, "7.1.4.2.2 a",
    "Subject attributes SHALL respect the RFC 5280 upper bounds.")
{
    // RFC 5280 Appendix A upper bounds, counted in characters (a surrogate pair is one).
    public override void Check(LintContext context)
    {
        foreach (var attribute in context.Certificate.SubjectAttributes)
        {
            if (SubjectAttributes.ByOid.TryGetValue(attribute.Oid, out var definition) && definition.Oid != Oids.CountryName && attribute.Text is { } text
                && CountCharacters(text) is var count && count > definition.UpperBound)
            {
                Report(context, $"subject {definition.Name} has {count} characters; the upper bound is {definition.UpperBound}.");
            }
        }
    }

    private static int CountCharacters(string text)
    {
        var count = 0;
        foreach (var c in text)
        {
            if (!char.IsLowSurrogate(c))
            {
                count++;
            }
        }

        return count;
    }
}

/// <summary><c>SUBJECT_ATTR_ENCODING</c> (7.1.4): countryName and serialNumber SHALL be PrintableString, emailAddress IA5String, other attributes PrintableString or UTF8String.</summary>
internal sealed class SubjectAttributeEncodingRule() : LintRule(SmimeLintRules.SubjectAttributeEncoding, SmimeLintSeverity.Error, "7.1.4",
    "countryName and serialNumber SHALL be PrintableString, emailAddress IA5String, other attributes PrintableString or UTF8String.")
{
    private static readonly Asn1Tag PrintableString = new(UniversalTagNumber.PrintableString);
    private static readonly Asn1Tag Ia5String = new(UniversalTagNumber.IA5String);
    private static readonly Asn1Tag Utf8String = new(UniversalTagNumber.UTF8String);

    // 7.1.4: countryName and serialNumber PrintableString, emailAddress IA5String, others PrintableString or UTF8String.
    public override void Check(LintContext context)
    {
        foreach (var attribute in context.Certificate.SubjectAttributes)
        {
            if (!SubjectAttributes.ByOid.TryGetValue(attribute.Oid, out var definition))
            {
                continue;
            }

            var tag = attribute.Tag;
            var (ok, expected) = definition.Encoding switch
            {
                AttributeEncoding.Printable => (tag == PrintableString, "PrintableString"),
                AttributeEncoding.Ia5 => (tag == Ia5String, "IA5String"),
                _ => (tag == PrintableString || tag == Utf8String, "PrintableString or UTF8String"),
            };
            if (!ok)
            {
                Report(context, $"subject {definition.Name} is a {attribute.TypeName}; {expected} is required.");
            }
        }
    }
}
