namespace Pki.Smime.Linting.Rules.Section6Dot3;

/// <summary><c>VALIDITY_TOO_LONG</c> (6.3.2): The validity period SHALL NOT exceed 825 days (Strict, Multipurpose) or 1185 days (Legacy).</summary>
internal sealed class ValidityTooLongRule() : LintRule(SmimeLintRules.ValidityTooLong, SmimeLintSeverity.Error, "6.3.2",
    "The validity period SHALL NOT exceed 825 days (Strict, Multipurpose) or 1185 days (Legacy).")
{
    // 6.3.2: "a day is measured as 86,400 seconds. Any amount of time greater than this ... SHALL represent an additional day."
    public override void Check(LintContext context)
    {
        var cert = context.Certificate;
        if (context.Profile is not { } profile || cert.NotAfter < cert.NotBefore)
        {
            return;
        }

        // RFC 5280 4.1.2.5: the validity period includes both notBefore and notAfter, hence + 1 second.
        var seconds = (cert.NotAfter - cert.NotBefore).TotalSeconds + 1;
        if (seconds > profile.MaximumValidity.TotalSeconds)
        {
            Report(context, $"The validity period is {Math.Ceiling(seconds / 86400)} days; {profile.Generation} allows {profile.MaximumValidity.TotalDays} days.");
        }
    }
}
