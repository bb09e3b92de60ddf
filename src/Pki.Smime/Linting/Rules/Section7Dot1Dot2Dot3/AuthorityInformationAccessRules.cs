using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot2Dot3;

/// <summary><c>AIA_MISSING</c> (7.1.2.3 c): authorityInformationAccess SHOULD be present.</summary>
internal sealed class AiaMissingRule() : LintRule(SmimeLintRules.AiaMissing, SmimeLintSeverity.Warning, "7.1.2.3 c",
    "authorityInformationAccess SHOULD be present.")
{
    public override void Check(LintContext context) => ReportMissing(context, Oids.AuthorityInfoAccess);
}

/// <summary><c>AIA_CA_ISSUERS_MISSING</c> (7.1.2.3 c): authorityInformationAccess SHOULD contain an id-ad-caIssuers URI.</summary>
internal sealed class AiaCaIssuersMissingRule() : LintRule(SmimeLintRules.AiaCaIssuersMissing, SmimeLintSeverity.Warning, "7.1.2.3 c",
    "authorityInformationAccess SHOULD contain an id-ad-caIssuers URI.")
{
    public override void Check(LintContext context)
    {
        if (context.AccessDescriptions is { } access && !access.Exists(a => a.Method == Oids.AccessCaIssuers))
        {
            Report(context, "authorityInformationAccess has no id-ad-caIssuers entry.");
        }
    }
}

/// <summary><c>AIA_NON_HTTP_URI</c> (7.1.2.3 c): OCSP and caIssuers URIs SHALL have the HTTP scheme (Strict, Multipurpose: every one; Legacy: at least one of each method present).</summary>
internal sealed class AiaNonHttpUriRule() : LintRule(SmimeLintRules.AiaNonHttpUri, SmimeLintSeverity.Error, "7.1.2.3 c",
    "OCSP and caIssuers URIs SHALL have the HTTP scheme (Strict, Multipurpose: every one; Legacy: at least one of each method present).")
{
    public override void Check(LintContext context)
    {
        if (context.AccessDescriptions is not { } access)
        {
            return;
        }

        foreach (var method in new[] { Oids.AccessOcsp, Oids.AccessCaIssuers })
        {
            var entries = access.FindAll(a => a.Method == method);
            var label = method == Oids.AccessOcsp ? "id-ad-ocsp" : "id-ad-caIssuers";
            if (entries.Count == 0)
            {
                continue;
            }

            if (context.StrictOrMultipurpose && entries.FirstOrDefault(e => e.Uri is null || !Uris.IsHttp(e.Uri)) is { Method: not null } bad)
            {
                Report(context, $"authorityInformationAccess {label} has the non-HTTP location '{bad.Uri ?? "(not a URI)"}'.");
            }
            else if (!entries.Exists(e => e.Uri is not null && Uris.IsHttp(e.Uri)))
            {
                Report(context, $"authorityInformationAccess {label} has no HTTP URI.");
            }
        }
    }
}
