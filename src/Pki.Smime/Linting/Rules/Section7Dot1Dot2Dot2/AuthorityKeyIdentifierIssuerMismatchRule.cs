using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot2Dot2;

/// <summary><c>AKI_ISSUER_MISMATCH</c> (7.1.2.2 i): keyIdentifier SHALL be the issuing CA's subjectKeyIdentifier.</summary>
internal sealed class AuthorityKeyIdentifierIssuerMismatchRule() : LintRule(SmimeLintRules.AuthorityKeyIdentifierIssuerMismatch, SmimeLintSeverity.Error, "7.1.2.2 i",
    "keyIdentifier SHALL be the issuing CA's subjectKeyIdentifier.")
{
    // 7.1.2.2 (i) for the issuing CA: the subscriber AKI equals the issuing CA's subjectKeyIdentifier.
    public override void Check(LintContext context)
    {
        if (context.AuthorityKeyIdentifier is { KeyIdentifier: { } value } && context.Issuer?.SubjectKeyIdentifier is { } ski && !value.AsSpan().SequenceEqual(ski))
        {
            Report(context, $"authorityKeyIdentifier {HexText.Of(value)} is not the issuing CA's subjectKeyIdentifier {HexText.Of(ski)}.");
        }
    }
}
