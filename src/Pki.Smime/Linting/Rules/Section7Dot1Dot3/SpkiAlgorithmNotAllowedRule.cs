using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot3;

/// <summary><c>SPKI_ALGORITHM_NOT_ALLOWED</c> (7.1.3.1): The public key AlgorithmIdentifier SHALL be byte-for-byte one of the encodings of section 7.1.3.1.</summary>
internal sealed class SpkiAlgorithmNotAllowedRule() : LintRule(SmimeLintRules.SpkiAlgorithmNotAllowed, SmimeLintSeverity.Error, "7.1.3.1",
    "The public key AlgorithmIdentifier SHALL be byte-for-byte one of the encodings of section 7.1.3.1.")
{
    public override void Check(LintContext context)
    {
        if (context.KeyAlgorithm is null)
        {
            Report(context, $"The public key AlgorithmIdentifier {HexText.Of(context.Certificate.SpkiAlgorithm)} is not one of the encodings of section 7.1.3.1.");
        }
    }
}
