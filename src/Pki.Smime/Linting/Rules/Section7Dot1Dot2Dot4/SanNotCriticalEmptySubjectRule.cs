using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot2Dot4;

/// <summary><c>SAN_NOT_CRITICAL_EMPTY_SUBJECT</c> (7.1.2.4): With an empty subject, subjectAltName SHALL be marked critical (RFC 5280 section 4.2.1.6).</summary>
internal sealed class SanNotCriticalEmptySubjectRule() : LintRule(SmimeLintRules.SanNotCriticalEmptySubject, SmimeLintSeverity.Error, "7.1.2.4",
    "With an empty subject, subjectAltName SHALL be marked critical (RFC 5280 section 4.2.1.6).")
{
    public override void Check(LintContext context)
    {
        if (context.Extension(Oids.SubjectAltName) is { Critical: false } && context.Certificate.SubjectAttributes.Count == 0)
        {
            Report(context, "The subject is empty and subjectAltName is not marked critical.");
        }
    }
}
