using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot2Dot3;

/// <summary><c>EXT_CRITICAL</c> (7.1.2.3): authorityInformationAccess, authorityKeyIdentifier, subjectKeyIdentifier, smimeCapabilities, subjectDirectoryAttributes, qcStatements, LEI and Adobe extensions SHALL NOT be marked critical.</summary>
internal sealed class ExtensionCriticalRule() : LintRule(SmimeLintRules.ExtensionCritical, SmimeLintSeverity.Error, "7.1.2.3",
    "authorityInformationAccess, authorityKeyIdentifier, subjectKeyIdentifier, smimeCapabilities, subjectDirectoryAttributes, qcStatements, LEI and Adobe extensions SHALL NOT be marked critical.")
{
    private static readonly (string Oid, string Section)[] NonCritical =
    [
        (Oids.AuthorityInfoAccess, "7.1.2.3 c"), (Oids.AuthorityKeyIdentifier, "7.1.2.3 g"), (Oids.SubjectKeyIdentifier, "7.1.2.3 n"),
        (Oids.SmimeCapabilities, "7.1.2.3 i"), (Oids.SubjectDirectoryAttributes, "7.1.2.3 j"), (Oids.QcStatements, "7.1.2.3 k"),
        (Oids.LegalEntityIdentifier, "7.1.2.3 l"), (Oids.LegalEntityRole, "7.1.2.3 l"),
        (Oids.AdobeTimestamp, "7.1.2.3 m"), (Oids.AdobeArchiveRevInfo, "7.1.2.3 m"),
    ];

    public override void Check(LintContext context)
    {
        foreach (var (oid, section) in NonCritical)
        {
            ReportCriticality(context, oid, expected: false, section);
        }
    }
}
