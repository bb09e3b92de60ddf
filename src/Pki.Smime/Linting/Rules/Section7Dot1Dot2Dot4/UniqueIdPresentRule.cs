namespace Pki.Smime.Linting.Rules.Section7Dot1Dot2Dot4;

/// <summary><c>UNIQUE_ID_PRESENT</c> (7.1.2.4): issuerUniqueID and subjectUniqueID SHALL NOT be present (RFC 5280 section 4.1.2.8).</summary>
internal sealed class UniqueIdPresentRule() : LintRule(SmimeLintRules.UniqueIdPresent, SmimeLintSeverity.Error, "7.1.2.4",
    "issuerUniqueID and subjectUniqueID SHALL NOT be present (RFC 5280 section 4.1.2.8).")
{
    public override void Check(LintContext context)
    {
        if (context.Certificate.HasUniqueIds)
        {
            Report(context, "The certificate has issuerUniqueID or subjectUniqueID.");
        }
    }
}
