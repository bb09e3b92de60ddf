namespace Pki.Smime.Linting.Rules.Section6Dot1;

/// <summary><c>RSA_KEY_SIZE</c> (6.1.5): RSA moduli SHALL be at least 2048 bits and a multiple of 8 bits.</summary>
internal sealed class RsaKeySizeRule() : LintRule(SmimeLintRules.RsaKeySize, SmimeLintSeverity.Error, "6.1.5",
    "RSA moduli SHALL be at least 2048 bits and a multiple of 8 bits.")
{
    public override void Check(LintContext context)
    {
        if (context.SubjectKey.RsaModulusBits is { } bits && (bits < 2048 || bits % 8 != 0))
        {
            Report(context, $"The RSA modulus is {bits} bits; at least 2048 and a multiple of 8 are required.");
        }
    }
}

/// <summary><c>RSA_EXPONENT</c> (6.1.6): The RSA public exponent SHALL be an odd number of 3 or more.</summary>
internal sealed class RsaExponentRule() : LintRule(SmimeLintRules.RsaExponent, SmimeLintSeverity.Error, "6.1.6",
    "The RSA public exponent SHALL be an odd number of 3 or more.")
{
    public override void Check(LintContext context)
    {
        if (context.SubjectKey.RsaExponent is { } exponent && (exponent.IsEven || exponent < 3))
        {
            Report(context, $"The RSA public exponent {exponent} is not an odd number of 3 or more.");
        }
    }
}

/// <summary><c>PUBLIC_KEY_INVALID</c> (6.1.5): EC and EdDSA keys SHALL be valid points on their curve.</summary>
internal sealed class PublicKeyInvalidRule() : LintRule(SmimeLintRules.PublicKeyInvalid, SmimeLintSeverity.Error, "6.1.5",
    "EC and EdDSA keys SHALL be valid points on their curve.")
{
    public override void Check(LintContext context)
    {
        if (context.SubjectKey.Problem is { } problem)
        {
            Report(context, context.KeyAlgorithm == SmimeKeyAlgorithm.Rsa
                ? $"The RSA public key is not a valid RSAPublicKey: {problem}"
                : $"The {context.KeyAlgorithm} public key is not a valid point on its curve: {problem}");
        }
    }
}
