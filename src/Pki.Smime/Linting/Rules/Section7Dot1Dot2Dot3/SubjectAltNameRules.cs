using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot2Dot3;

/// <summary><c>SAN_MISSING</c> (7.1.2.3 h): subjectAltName SHALL be present.</summary>
internal sealed class SanMissingRule() : LintRule(SmimeLintRules.SanMissing, SmimeLintSeverity.Error, "7.1.2.3 h",
    "subjectAltName SHALL be present.")
{
    public override void Check(LintContext context) => ReportMissing(context, Oids.SubjectAltName);
}

/// <summary><c>SAN_CRITICAL</c> (7.1.2.3 h): subjectAltName SHOULD NOT be marked critical unless the subject is empty.</summary>
internal sealed class SanCriticalRule() : LintRule(SmimeLintRules.SanCritical, SmimeLintSeverity.Warning, "7.1.2.3 h",
    "subjectAltName SHOULD NOT be marked critical unless the subject is empty.")
{
    public override void Check(LintContext context)
    {
        if (context.Extension(Oids.SubjectAltName) is { Critical: true } && context.Certificate.SubjectAttributes.Count > 0)
        {
            Report(context, "subjectAltName is marked critical although the subject is not empty.");
        }
    }
}
