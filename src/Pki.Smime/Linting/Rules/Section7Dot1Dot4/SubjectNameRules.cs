using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot4;

/// <summary><c>SUBJECT_CN_CONTENT</c> (7.1.4.2.2 a): commonName SHALL be a mailbox address (any type), the organizationName (Organization), or a personal name or the pseudonym (Sponsor, Individual).</summary>
internal sealed class SubjectCommonNameContentRule() : LintRule(SmimeLintRules.SubjectCommonNameContent, SmimeLintSeverity.Error, "7.1.4.2.2 a",
    "commonName SHALL be a mailbox address (any type), the organizationName (Organization), or a personal name or the pseudonym (Sponsor, Individual).")
{
    // 7.1.4.2.2 (a): what commonName may contain, by certificate type.
    public override void Check(LintContext context)
    {
        if (context.Profile is not { } profile)
        {
            return;
        }

        foreach (var attribute in context.Certificate.SubjectAttributes)
        {
            // A mailbox: SUBJECT_MAILBOX_NOT_IN_SAN already covers one that is not in the SAN.
            if (attribute.Oid == Oids.CommonName && attribute.Text is { } cn && !cn.Contains('@') && Problem(context, profile.Type, cn) is { } problem)
            {
                Report(context, $"commonName '{cn}': {problem}.");
            }
        }
    }

    private static string? Problem(LintContext context, SmimeValidationType type, string cn)
    {
        switch (type)
        {
            case SmimeValidationType.Mailbox:
                return "Mailbox-validated commonName must be a mailbox address";
            case SmimeValidationType.Organization:
                return string.Equals(cn, context.FirstAttribute(Oids.OrganizationName), StringComparison.Ordinal)
                    ? null
                    : "Organization-validated commonName must be the organizationName or a mailbox address";
            default:
                var pseudonym = context.FirstAttribute(Oids.Pseudonym);
                var given = context.FirstAttribute(Oids.GivenName);
                var surname = context.FirstAttribute(Oids.Surname);
                if (pseudonym is not null)
                {
                    return cn.Contains(pseudonym) ? null : $"commonName must contain the pseudonym '{pseudonym}' (or be a mailbox address)";
                }

                return (given is not null || surname is not null) && !((given is not null && cn.Contains(given)) || (surname is not null && cn.Contains(surname)))
                    ? "commonName must be a personal name built from givenName and/or surname, a pseudonym, or a mailbox address"
                    : null;
        }
    }
}

/// <summary><c>SUBJECT_PSEUDONYM_WITH_NAME</c> (7.1.4.2.2 e): pseudonym SHALL NOT be present together with givenName or surname.</summary>
internal sealed class SubjectPseudonymWithNameRule() : LintRule(SmimeLintRules.SubjectPseudonymWithName, SmimeLintSeverity.Error, "7.1.4.2.2 e",
    "pseudonym SHALL NOT be present together with givenName or surname.")
{
    public override void Check(LintContext context)
    {
        if (context.HasAttribute(Oids.Pseudonym) && (context.HasAttribute(Oids.GivenName) || context.HasAttribute(Oids.Surname)))
        {
            Report(context, "The subject has a pseudonym together with givenName or surname.");
        }
    }
}
