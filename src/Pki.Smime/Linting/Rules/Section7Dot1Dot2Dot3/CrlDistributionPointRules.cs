using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot2Dot3;

/// <summary><c>CRLDP_MISSING</c> (7.1.2.3 b): cRLDistributionPoints SHALL be present.</summary>
internal sealed class CrlDistributionPointsMissingRule() : LintRule(SmimeLintRules.CrlDistributionPointsMissing, SmimeLintSeverity.Error, "7.1.2.3 b",
    "cRLDistributionPoints SHALL be present.")
{
    public override void Check(LintContext context) => ReportMissing(context, Oids.CrlDistributionPoints);
}

/// <summary><c>CRLDP_CRITICAL</c> (7.1.2.3 b): cRLDistributionPoints SHOULD NOT be marked critical.</summary>
internal sealed class CrlDistributionPointsCriticalRule() : LintRule(SmimeLintRules.CrlDistributionPointsCritical, SmimeLintSeverity.Warning, "7.1.2.3 b",
    "cRLDistributionPoints SHOULD NOT be marked critical.")
{
    public override void Check(LintContext context) => ReportCriticality(context, Oids.CrlDistributionPoints, expected: false);
}

/// <summary><c>CRLDP_NO_HTTP_URI</c> (7.1.2.3 b): cRLDistributionPoints SHALL contain a fullName uniformResourceIdentifier with the HTTP scheme.</summary>
internal sealed class CrlDistributionPointsNoHttpUriRule() : LintRule(SmimeLintRules.CrlDistributionPointsNoHttpUri, SmimeLintSeverity.Error, "7.1.2.3 b",
    "cRLDistributionPoints SHALL contain a fullName uniformResourceIdentifier with the HTTP scheme.")
{
    public override void Check(LintContext context)
    {
        if (context.CrlUris is { } uris && !uris.Exists(Uris.IsHttp))
        {
            Report(context, uris.Count == 0 ? "cRLDistributionPoints has no fullName URI." : $"cRLDistributionPoints has no HTTP URI ({string.Join(", ", uris)}).");
        }
    }
}

/// <summary><c>CRLDP_NON_HTTP_URI</c> (7.1.2.3 b): In Strict and Multipurpose, every CRL distribution point URI SHALL have the HTTP scheme.</summary>
internal sealed class CrlDistributionPointsNonHttpUriRule() : LintRule(SmimeLintRules.CrlDistributionPointsNonHttpUri, SmimeLintSeverity.Error, "7.1.2.3 b",
    "In Strict and Multipurpose, every CRL distribution point URI SHALL have the HTTP scheme.")
{
    // Strict and Multipurpose: every URI is http (Legacy: at least one, CRLDP_NO_HTTP_URI).
    public override void Check(LintContext context)
    {
        if (context.StrictOrMultipurpose && context.CrlUris is { } uris && uris.Exists(Uris.IsHttp) && uris.Find(u => !Uris.IsHttp(u)) is { } other)
        {
            Report(context, $"cRLDistributionPoints has the non-HTTP URI '{other}'.");
        }
    }
}
