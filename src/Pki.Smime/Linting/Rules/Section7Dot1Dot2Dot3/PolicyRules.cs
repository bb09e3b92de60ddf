using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot2Dot3;

/// <summary><c>POLICY_MISSING</c> (7.1.2.3 a): certificatePolicies SHALL be present.</summary>
internal sealed class PolicyMissingRule() : LintRule(SmimeLintRules.PolicyMissing, SmimeLintSeverity.Error, "7.1.2.3 a",
    "certificatePolicies SHALL be present.")
{
    public override void Check(LintContext context) => ReportMissing(context, Oids.CertificatePolicies);
}

/// <summary><c>POLICY_RESERVED_COUNT</c> (7.1.2.3 a): certificatePolicies SHALL include exactly one reserved policy identifier of section 7.1.6.1.</summary>
internal sealed class PolicyReservedCountRule() : LintRule(SmimeLintRules.PolicyReservedCount, SmimeLintSeverity.Error, "7.1.2.3 a",
    "certificatePolicies SHALL include exactly one reserved policy identifier of section 7.1.6.1.")
{
    // 7.1.6.1: exactly one reserved policy identifier.
    public override void Check(LintContext context)
    {
        if (context.Policies is { Reserved: { Count: not 1 } reserved })
        {
            Report(context, $"certificatePolicies has {reserved.Count} reserved S/MIME policy identifiers ({string.Join(", ", reserved.Select(p => p.PolicyOid))}); exactly one is required.");
        }
    }
}

/// <summary><c>POLICY_CRITICAL</c> (7.1.2.3 a): certificatePolicies SHOULD NOT be marked critical.</summary>
internal sealed class PolicyCriticalRule() : LintRule(SmimeLintRules.PolicyCritical, SmimeLintSeverity.Warning, "7.1.2.3 a",
    "certificatePolicies SHOULD NOT be marked critical.")
{
    public override void Check(LintContext context) => ReportCriticality(context, Oids.CertificatePolicies, expected: false);
}

/// <summary><c>POLICY_QUALIFIER_INVALID</c> (7.1.2.3 a): A CPS qualifier SHALL be an HTTP or HTTPS URL; a user notice SHALL contain explicitText and SHALL NOT contain noticeRef.</summary>
internal sealed class PolicyQualifierInvalidRule() : LintRule(SmimeLintRules.PolicyQualifierInvalid, SmimeLintSeverity.Error, "7.1.2.3 a",
    "A CPS qualifier SHALL be an HTTP or HTTPS URL; a user notice SHALL contain explicitText and SHALL NOT contain noticeRef.")
{
    public override void Check(LintContext context)
    {
        foreach (var qualifier in context.Policies?.Qualifiers ?? [])
        {
            if (qualifier.Id == Oids.QualifierCps)
            {
                var uri = qualifier.CpsUri;
                if (uri is null || !(uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
                {
                    Report(context, $"The CPS qualifier '{qualifier.Description}' is not an HTTP or HTTPS URL.");
                }
            }
            else if (qualifier.Id == Oids.QualifierUserNotice && (qualifier.NoticeHasReference || !qualifier.NoticeHasText))
            {
                Report(context, qualifier.NoticeHasReference ? "The user notice qualifier contains noticeRef." : "The user notice qualifier has no explicitText.");
            }
        }
    }
}
