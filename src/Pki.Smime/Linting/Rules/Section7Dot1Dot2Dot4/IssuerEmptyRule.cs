namespace Pki.Smime.Linting.Rules.Section7Dot1Dot2Dot4;

/// <summary><c>ISSUER_EMPTY</c> (7.1.2.4): The issuer SHALL be a non-empty distinguished name (RFC 5280 section 4.1.2.4).</summary>
internal sealed class IssuerEmptyRule() : LintRule(SmimeLintRules.IssuerEmpty, SmimeLintSeverity.Error, "7.1.2.4",
    "The issuer SHALL be a non-empty distinguished name (RFC 5280 section 4.1.2.4).")
{
    public override void Check(LintContext context)
    {
        if (context.Certificate.IssuerRdnCount == 0)
        {
            Report(context, "The issuer name is empty.");
        }
    }
}
