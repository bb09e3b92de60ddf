using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot2Dot3;

/// <summary><c>AKI_MISSING</c> (7.1.2.3 g): authorityKeyIdentifier SHALL be present.</summary>
internal sealed class AuthorityKeyIdentifierMissingRule() : LintRule(SmimeLintRules.AuthorityKeyIdentifierMissing, SmimeLintSeverity.Error, "7.1.2.3 g",
    "authorityKeyIdentifier SHALL be present.")
{
    public override void Check(LintContext context) => ReportMissing(context, Oids.AuthorityKeyIdentifier);
}

/// <summary><c>AKI_NO_KEY_ID</c> (7.1.2.3 g): authorityKeyIdentifier SHALL contain keyIdentifier.</summary>
internal sealed class AuthorityKeyIdentifierNoKeyIdRule() : LintRule(SmimeLintRules.AuthorityKeyIdentifierNoKeyId, SmimeLintSeverity.Error, "7.1.2.3 g",
    "authorityKeyIdentifier SHALL contain keyIdentifier.")
{
    public override void Check(LintContext context)
    {
        if (context.AuthorityKeyIdentifier is { KeyIdentifier: null })
        {
            Report(context, "authorityKeyIdentifier has no keyIdentifier.");
        }
    }
}

/// <summary><c>AKI_ISSUER_SERIAL</c> (7.1.2.3 g): authorityCertIssuer and authorityCertSerialNumber SHALL NOT be present.</summary>
internal sealed class AuthorityKeyIdentifierIssuerSerialRule() : LintRule(SmimeLintRules.AuthorityKeyIdentifierIssuerSerial, SmimeLintSeverity.Error, "7.1.2.3 g",
    "authorityCertIssuer and authorityCertSerialNumber SHALL NOT be present.")
{
    public override void Check(LintContext context)
    {
        if (context.AuthorityKeyIdentifier is { HasIssuerOrSerial: true })
        {
            Report(context, "authorityKeyIdentifier contains authorityCertIssuer or authorityCertSerialNumber.");
        }
    }
}
