using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot2Dot3;

/// <summary><c>EKU_MISSING</c> (7.1.2.3 f): extKeyUsage SHALL be present.</summary>
internal sealed class ExtendedKeyUsageMissingRule() : LintRule(SmimeLintRules.ExtendedKeyUsageMissing, SmimeLintSeverity.Error, "7.1.2.3 f",
    "extKeyUsage SHALL be present.")
{
    public override void Check(LintContext context) => ReportMissing(context, Oids.ExtendedKeyUsage);
}

/// <summary><c>EKU_NO_EMAIL_PROTECTION</c> (7.1.2.3 f): id-kp-emailProtection SHALL be present.</summary>
internal sealed class ExtendedKeyUsageNoEmailProtectionRule() : LintRule(SmimeLintRules.ExtendedKeyUsageNoEmailProtection, SmimeLintSeverity.Error, "7.1.2.3 f",
    "id-kp-emailProtection SHALL be present.")
{
    public override void Check(LintContext context)
    {
        if (context.ExtendedKeyUsages is { } purposes && !purposes.Contains(Oids.EmailProtection))
        {
            Report(context, $"extKeyUsage ({string.Join(", ", purposes)}) lacks id-kp-emailProtection.");
        }
    }
}

/// <summary><c>EKU_FORBIDDEN_PURPOSE</c> (7.1.2.3 f): id-kp-serverAuth, id-kp-codeSigning, id-kp-timeStamping and anyExtendedKeyUsage SHALL NOT be present.</summary>
internal sealed class ExtendedKeyUsageForbiddenPurposeRule() : LintRule(SmimeLintRules.ExtendedKeyUsageForbiddenPurpose, SmimeLintSeverity.Error, "7.1.2.3 f",
    "id-kp-serverAuth, id-kp-codeSigning, id-kp-timeStamping and anyExtendedKeyUsage SHALL NOT be present.")
{
    /// <summary>Purposes never allowed: serverAuth, codeSigning, timeStamping, anyExtendedKeyUsage.</summary>
    internal static bool IsForbidden(string purpose) => purpose is Oids.ServerAuth or Oids.CodeSigning or Oids.TimeStamping or Oids.AnyExtendedKeyUsage;

    public override void Check(LintContext context)
    {
        var forbidden = context.ExtendedKeyUsages?.FindAll(IsForbidden) ?? [];
        if (forbidden.Count > 0)
        {
            Report(context, $"extKeyUsage contains the forbidden purposes {string.Join(", ", forbidden)}.");
        }
    }
}

/// <summary><c>EKU_STRICT_OTHER_PURPOSE</c> (7.1.2.3 f): In Strict, no key purpose other than id-kp-emailProtection SHALL be present.</summary>
internal sealed class ExtendedKeyUsageStrictOtherPurposeRule() : LintRule(SmimeLintRules.ExtendedKeyUsageStrictOtherPurpose, SmimeLintSeverity.Error, "7.1.2.3 f",
    "In Strict, no key purpose other than id-kp-emailProtection SHALL be present.")
{
    public override void Check(LintContext context)
    {
        if (context.Profile?.Generation != SmimeGeneration.Strict || context.ExtendedKeyUsages is not { } purposes)
        {
            return;
        }

        var others = purposes.FindAll(p => p != Oids.EmailProtection && !ExtendedKeyUsageForbiddenPurposeRule.IsForbidden(p));
        if (others.Count > 0)
        {
            Report(context, $"extKeyUsage contains {string.Join(", ", others)}; Strict allows only id-kp-emailProtection.");
        }
    }
}
