using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot2Dot4;

/// <summary><c>EXT_DUPLICATE</c> (7.1.2.4): An extension SHALL NOT appear more than once (RFC 5280 section 4.2).</summary>
internal sealed class ExtensionDuplicateRule() : LintRule(SmimeLintRules.ExtensionDuplicate, SmimeLintSeverity.Error, "7.1.2.4",
    "An extension SHALL NOT appear more than once (RFC 5280 section 4.2).")
{
    // RFC 5280 section 4.2: "A certificate MUST NOT include more than one instance of a particular extension."
    public override void Check(LintContext context)
    {
        foreach (var extension in context.Duplicates)
        {
            Report(context, $"The {LintContext.NameOf(extension.Oid)} extension ({extension.Oid}) appears more than once.");
        }
    }
}

/// <summary><c>EXT_MALFORMED</c> (7.1.2.4): Every extension value SHALL be encoded as RFC 5280 defines it.</summary>
internal sealed class ExtensionMalformedRule() : LintRule(SmimeLintRules.ExtensionMalformed, SmimeLintSeverity.Error, "7.1.2.4",
    "Every extension value SHALL be encoded as RFC 5280 defines it.")
{
    public override void Check(LintContext context)
    {
        foreach (var problem in context.Malformed)
        {
            Report(context, problem);
        }
    }
}

/// <summary><c>EXT_UNKNOWN</c> (7.1.2.4): Extensions not specified in section 7.1.2.3 SHALL NOT be included unless the CA is aware of a reason.</summary>
internal sealed class ExtensionUnknownRule() : LintRule(SmimeLintRules.ExtensionUnknown, SmimeLintSeverity.Warning, "7.1.2.4",
    "Extensions not specified in section 7.1.2.3 SHALL NOT be included unless the CA is aware of a reason.")
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        Oids.CertificatePolicies, Oids.CrlDistributionPoints, Oids.AuthorityInfoAccess, Oids.BasicConstraints, Oids.KeyUsage,
        Oids.ExtendedKeyUsage, Oids.AuthorityKeyIdentifier, Oids.SubjectAltName, Oids.SmimeCapabilities, Oids.SubjectDirectoryAttributes,
        Oids.QcStatements, Oids.LegalEntityIdentifier, Oids.LegalEntityRole, Oids.AdobeTimestamp, Oids.AdobeArchiveRevInfo,
        Oids.SubjectKeyIdentifier,
    };

    // 7.1.2.4: no extension "not specified in ... 7.1.2.3 unless the CA is aware of a reason".
    public override void Check(LintContext context)
    {
        foreach (var extension in context.Certificate.Extensions)
        {
            if (!Known.Contains(extension.Oid) && context.Extension(extension.Oid) == extension)
            {
                Report(context, $"The extension {extension.Oid} is not specified for subscriber certificates in section 7.1.2.3.");
            }
        }
    }
}
