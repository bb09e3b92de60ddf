namespace Pki.Smime.Linting.Rules.Section7Dot1Dot6;

/// <summary><c>LEGACY_AFTER_SUNSET</c> (7.1.6.1): Legacy-generation certificates SHALL NOT be issued on or after 2025-07-15 (SMC08).</summary>
internal sealed class LegacyAfterSunsetRule() : LintRule(SmimeLintRules.LegacyAfterSunset, SmimeLintSeverity.Error, "7.1.6.1",
    "Legacy-generation certificates SHALL NOT be issued on or after 2025-07-15 (SMC08).")
{
    // SMC08: Legacy-generation certificates are not issued on or after 2025-07-15.
    public override void Check(LintContext context)
    {
        var notBefore = context.Certificate.NotBefore;
        if (context.Profile is { Generation: SmimeGeneration.Legacy } profile && !context.AllowLegacy && notBefore >= SmimeProfile.LegacySunset.UtcDateTime)
        {
            Report(context, $"The Legacy profile {profile.PolicyOid} is used with notBefore {notBefore:yyyy-MM-dd}, on or after 2025-07-15.");
        }
    }
}
