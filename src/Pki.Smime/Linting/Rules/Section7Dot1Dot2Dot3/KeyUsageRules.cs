using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot2Dot3;

/// <summary><c>KU_MISSING</c> (7.1.2.3 e): keyUsage SHALL be present.</summary>
internal sealed class KeyUsageMissingRule() : LintRule(SmimeLintRules.KeyUsageMissing, SmimeLintSeverity.Error, "7.1.2.3 e",
    "keyUsage SHALL be present.")
{
    public override void Check(LintContext context) => ReportMissing(context, Oids.KeyUsage);
}

/// <summary><c>KU_NOT_CRITICAL</c> (7.1.2.3 e): keyUsage SHOULD be marked critical.</summary>
internal sealed class KeyUsageNotCriticalRule() : LintRule(SmimeLintRules.KeyUsageNotCritical, SmimeLintSeverity.Warning, "7.1.2.3 e",
    "keyUsage SHOULD be marked critical.")
{
    public override void Check(LintContext context) => ReportCriticality(context, Oids.KeyUsage, expected: true);
}

/// <summary><c>KU_INVALID_BITS</c> (7.1.2.3 e): keyUsage bits SHALL be those of the signing, key management or dual use row for the key type and generation; other bits SHALL NOT be set.</summary>
internal sealed class KeyUsageInvalidBitsRule() : LintRule(SmimeLintRules.KeyUsageInvalidBits, SmimeLintSeverity.Error, "7.1.2.3 e",
    "keyUsage bits SHALL be those of the signing, key management or dual use row for the key type and generation; other bits SHALL NOT be set.")
{
    public override void Check(LintContext context)
    {
        if (context.KeyUsageBits is not { } bits || context.KeyAlgorithm is not { } key)
        {
            return;
        }

        if (KeyUsageTable.Problem(bits, key, context.Profile?.Generation ?? SmimeGeneration.Strict) is { } problem)
        {
            Report(context, $"keyUsage ({KeyUsageTable.Names(bits)}) for a {key} key: {problem}.");
        }
    }
}
