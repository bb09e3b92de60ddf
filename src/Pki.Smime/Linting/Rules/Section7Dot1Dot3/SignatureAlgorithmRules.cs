using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot3;

/// <summary><c>SIGALG_NOT_ALLOWED</c> (7.1.3.2): The signature AlgorithmIdentifier SHALL be byte-for-byte one of the encodings of section 7.1.3.2.</summary>
internal sealed class SignatureAlgorithmNotAllowedRule() : LintRule(SmimeLintRules.SignatureAlgorithmNotAllowed, SmimeLintSeverity.Error, "7.1.3.2",
    "The signature AlgorithmIdentifier SHALL be byte-for-byte one of the encodings of section 7.1.3.2.")
{
    // 7.1.3.2: signature AlgorithmIdentifier byte-exact.
    public override void Check(LintContext context)
    {
        var algorithm = context.Certificate.TbsSignatureAlgorithm;
        if (!AlgorithmIdentifiers.IsSignatureAllowed(algorithm, out _, context.Issuer?.KeyAlgorithm))
        {
            Report(context, $"The signature AlgorithmIdentifier {HexText.Of(algorithm)} is not one of the encodings of section 7.1.3.2.");
        }
    }
}

/// <summary><c>SIGALG_MISMATCH</c> (7.1.3.2): signatureAlgorithm and tbsCertificate.signature SHALL be identical (RFC 5280 section 4.1.1.2).</summary>
internal sealed class SignatureAlgorithmMismatchRule() : LintRule(SmimeLintRules.SignatureAlgorithmMismatch, SmimeLintSeverity.Error, "7.1.3.2",
    "signatureAlgorithm and tbsCertificate.signature SHALL be identical (RFC 5280 section 4.1.1.2).")
{
    public override void Check(LintContext context)
    {
        var cert = context.Certificate;
        if (!cert.TbsSignatureAlgorithm.AsSpan().SequenceEqual(cert.OuterSignatureAlgorithm))
        {
            Report(context, $"signatureAlgorithm ({HexText.Of(cert.OuterSignatureAlgorithm)}) differs from tbsCertificate.signature ({HexText.Of(cert.TbsSignatureAlgorithm)}).");
        }
    }
}

/// <summary><c>SIGALG_ISSUER_KEY</c> (7.1.3.2): The signature algorithm SHALL fit the issuing CA's key (P-256 with SHA-256, P-384 with SHA-384, P-521 with SHA-512, RSA with RSA, EdDSA with its curve).</summary>
internal sealed class SignatureAlgorithmIssuerKeyRule() : LintRule(SmimeLintRules.SignatureAlgorithmIssuerKey, SmimeLintSeverity.Error, "7.1.3.2",
    "The signature algorithm SHALL fit the issuing CA's key (P-256 with SHA-256, P-384 with SHA-384, P-521 with SHA-512, RSA with RSA, EdDSA with its curve).")
{
    public override void Check(LintContext context)
    {
        var algorithm = context.Certificate.TbsSignatureAlgorithm;
        if (AlgorithmIdentifiers.IsSignatureAllowed(algorithm, out var fits, context.Issuer?.KeyAlgorithm) && !fits)
        {
            Report(context, $"The signature AlgorithmIdentifier {HexText.Of(algorithm)} does not fit the issuing CA's {context.Issuer?.KeyAlgorithm} key.");
        }
    }
}
