using System.Text;
using Pki.Smime.Internal;
using Pki.Smime.Linting;

namespace Pki.Smime;

/// <summary>
/// Checks any certificate against the subscriber certificate rules of S/MIME BR section 7.1 (the linting
/// of section 4.3.1.2). The profile is given, or taken from the certificate's reserved policy OID.
/// </summary>
public static class SmimeLinter
{
    /// <summary>Every rule with its code, severity, BR section and summary; the same list as <see cref="SmimeLintRules.All"/>.</summary>
    public static IReadOnlyList<SmimeLintRule> Rules => SmimeLintRules.All;

    /// <summary>Lints a certificate given as DER bytes or as PEM text in UTF-8 bytes.</summary>
    /// <param name="certificate">DER, or PEM (<c>-----BEGIN CERTIFICATE-----</c>).</param>
    /// <param name="profile">The profile to check against; null to take it from the certificate's policy OID.</param>
    /// <param name="options">Issuer certificate and Legacy handling.</param>
    /// <returns>The findings; <see cref="SmimeLintReport.IsCompliant"/> tells whether any is an error.</returns>
    /// <exception cref="SmimeFormatException">The input is not a certificate, or the issuer certificate is malformed.</exception>
    public static SmimeLintReport Lint(ReadOnlySpan<byte> certificate, SmimeProfile? profile = null, SmimeLintOptions? options = null)
    {
        if (certificate.IsEmpty)
        {
            throw new SmimeFormatException("The certificate input is empty.");
        }

        var der = Pem.DerOrPem(certificate, "certificate", "CERTIFICATE");
        IssuerInfo? issuer = null;
        if (options is not null && !options.IssuerCertificate.IsEmpty)
        {
            issuer = ParsedCertificate.ParseIssuer(Pem.DerOrPem(options.IssuerCertificate.Span, "issuer certificate", "CERTIFICATE"));
        }

        return Lint(der, profile, issuer, options?.AllowLegacyGeneration ?? false);
    }

    /// <summary>Lints a certificate given as PEM text.</summary>
    /// <param name="pem">PEM text with a <c>CERTIFICATE</c> block.</param>
    /// <param name="profile">The profile to check against; null to take it from the certificate's policy OID.</param>
    /// <param name="options">Issuer certificate and Legacy handling.</param>
    /// <exception cref="SmimeFormatException">The text has no certificate block, or it is malformed.</exception>
    public static SmimeLintReport Lint(string pem, SmimeProfile? profile = null, SmimeLintOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pem);
        return Lint(Encoding.UTF8.GetBytes(pem), profile, options);
    }

    internal static SmimeLintReport Lint(byte[] der, SmimeProfile? profile, IssuerInfo? issuer, bool allowLegacy) =>
        LintRuleTable.Run(ParsedCertificate.Parse(der), profile, issuer, allowLegacy);
}
