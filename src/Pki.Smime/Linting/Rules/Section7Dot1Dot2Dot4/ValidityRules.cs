namespace Pki.Smime.Linting.Rules.Section7Dot1Dot2Dot4;

/// <summary><c>VALIDITY_INVERTED</c> (7.1.2.4): notAfter SHALL NOT be before notBefore (RFC 5280 section 4.1.2.5).</summary>
internal sealed class ValidityInvertedRule() : LintRule(SmimeLintRules.ValidityInverted, SmimeLintSeverity.Error, "7.1.2.4",
    "notAfter SHALL NOT be before notBefore (RFC 5280 section 4.1.2.5).")
{
    public override void Check(LintContext context)
    {
        var cert = context.Certificate;
        if (cert.NotAfter < cert.NotBefore)
        {
            Report(context, $"notAfter {cert.NotAfter:u} is before notBefore {cert.NotBefore:u}.");
        }
    }
}

/// <summary><c>VALIDITY_TIME_ENCODING</c> (7.1.2.4): Dates through 2049 SHALL be UTCTime and later dates GeneralizedTime (RFC 5280 section 4.1.2.5).</summary>
internal sealed class ValidityTimeEncodingRule() : LintRule(SmimeLintRules.ValidityTimeEncoding, SmimeLintSeverity.Error, "7.1.2.4",
    "Dates through 2049 SHALL be UTCTime and later dates GeneralizedTime (RFC 5280 section 4.1.2.5).")
{
    public override void Check(LintContext context)
    {
        var cert = context.Certificate;
        if (!cert.TimesInStrictForm)
        {
            Report(context, "A validity date is not in the RFC 5280 form YYMMDDHHMMSSZ (UTCTime) or YYYYMMDDHHMMSSZ (GeneralizedTime).");
        }

        CheckEncoding(context, "notBefore", cert.NotBeforeIsUtcTime, cert.NotBefore);
        CheckEncoding(context, "notAfter", cert.NotAfterIsUtcTime, cert.NotAfter);
    }

    private void CheckEncoding(LintContext context, string field, bool isUtcTime, DateTime value)
    {
        if (isUtcTime != (value.Year < 2050))
        {
            Report(context, $"{field} ({value:u}) is encoded as {(isUtcTime ? "UTCTime" : "GeneralizedTime")}; years before 2050 use UTCTime, later years GeneralizedTime.");
        }
    }
}
