using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot2Dot3;

/// <summary><c>EXT_PROHIBITED</c> (7.1.2.3): subjectDirectoryAttributes (Strict, Multipurpose), LEI (Mailbox, Individual), LEI role (Mailbox, Organization, Individual) and Adobe extensions (Strict) SHALL NOT be present.</summary>
internal sealed class ExtensionProhibitedRule() : LintRule(SmimeLintRules.ExtensionProhibited, SmimeLintSeverity.Error, "7.1.2.3",
    "subjectDirectoryAttributes (Strict, Multipurpose), LEI (Mailbox, Individual), LEI role (Mailbox, Organization, Individual) and Adobe extensions (Strict) SHALL NOT be present.")
{
    // 7.1.2.3 (j), (l), (m): optional extensions some types and generations do not allow.
    public override void Check(LintContext context)
    {
        if (context.Profile is not { } profile)
        {
            return;
        }

        var type = profile.Type;
        Prohibit(context, Oids.SubjectDirectoryAttributes, context.StrictOrMultipurpose, "7.1.2.3 j", $"in {profile.Generation}");
        Prohibit(context, Oids.LegalEntityIdentifier, type is SmimeValidationType.Mailbox or SmimeValidationType.Individual, "7.1.2.3 l", $"in {type}-validated certificates");
        Prohibit(context, Oids.LegalEntityRole, type != SmimeValidationType.Sponsor, "7.1.2.3 l", $"in {type}-validated certificates");
        Prohibit(context, Oids.AdobeTimestamp, profile.Generation == SmimeGeneration.Strict, "7.1.2.3 m", "in Strict");
        Prohibit(context, Oids.AdobeArchiveRevInfo, profile.Generation == SmimeGeneration.Strict, "7.1.2.3 m", "in Strict");
    }

    private void Prohibit(LintContext context, string oid, bool prohibited, string section, string why)
    {
        if (prohibited && context.Extension(oid) is not null)
        {
            Report(context, $"The {LintContext.NameOf(oid)} extension is not allowed {why}.", section);
        }
    }
}
