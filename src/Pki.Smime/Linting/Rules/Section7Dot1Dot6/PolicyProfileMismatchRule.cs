namespace Pki.Smime.Linting.Rules.Section7Dot1Dot6;

/// <summary><c>POLICY_PROFILE_MISMATCH</c> (7.1.6.4): The reserved policy identifier SHALL be the one of the profile the certificate is issued under.</summary>
internal sealed class PolicyProfileMismatchRule() : LintRule(SmimeLintRules.PolicyProfileMismatch, SmimeLintSeverity.Error, "7.1.6.4",
    "The reserved policy identifier SHALL be the one of the profile the certificate is issued under.")
{
    public override void Check(LintContext context)
    {
        if (context.GivenProfile is { } given && context.ProfileFromCertificate is { } asserted && asserted != given)
        {
            Report(context, $"The certificate asserts {asserted.PolicyOid} ({asserted.Type} {asserted.Generation}) but is checked against {given.PolicyOid} ({given.Type} {given.Generation}).");
        }
    }
}
