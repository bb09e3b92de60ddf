using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot2Dot3;

/// <summary><c>SKI_MISSING</c> (7.1.2.3 n): subjectKeyIdentifier SHOULD be present.</summary>
internal sealed class SubjectKeyIdentifierMissingRule() : LintRule(SmimeLintRules.SubjectKeyIdentifierMissing, SmimeLintSeverity.Warning, "7.1.2.3 n",
    "subjectKeyIdentifier SHOULD be present.")
{
    public override void Check(LintContext context) => ReportMissing(context, Oids.SubjectKeyIdentifier);
}
