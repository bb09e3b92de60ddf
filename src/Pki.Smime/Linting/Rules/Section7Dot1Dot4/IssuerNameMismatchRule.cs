using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot4;

/// <summary><c>ISSUER_NAME_MISMATCH</c> (7.1.4.1): The issuer SHALL be byte-for-byte identical with the issuing CA's subject.</summary>
internal sealed class IssuerNameMismatchRule() : LintRule(SmimeLintRules.IssuerNameMismatch, SmimeLintSeverity.Error, "7.1.4.1",
    "The issuer SHALL be byte-for-byte identical with the issuing CA's subject.")
{
    // 7.1.4.1: issuer byte-for-byte identical with the issuing CA's subject.
    public override void Check(LintContext context)
    {
        if (context.Issuer is { } issuer && !context.Certificate.Issuer.AsSpan().SequenceEqual(issuer.Subject))
        {
            Report(context, $"The issuer name ({HexText.Of(context.Certificate.Issuer)}) is not byte-identical with the issuing CA subject ({HexText.Of(issuer.Subject)}).");
        }
    }
}
