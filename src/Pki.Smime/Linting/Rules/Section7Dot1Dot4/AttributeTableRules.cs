using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot4;

/// <summary><c>SUBJECT_ATTR_PROHIBITED</c> (7.1.4.2.3): An attribute marked SHALL NOT for the certificate type and generation SHALL NOT be present (sections 7.1.4.2.3 to 7.1.4.2.6).</summary>
internal sealed class SubjectAttributeProhibitedRule() : LintRule(SmimeLintRules.SubjectAttributeProhibited, SmimeLintSeverity.Error, "7.1.4.2.3",
    "An attribute marked SHALL NOT for the certificate type and generation SHALL NOT be present (sections 7.1.4.2.3 to 7.1.4.2.6).")
{
    // 7.1.4.2.3 to 7.1.4.2.6: the attribute tables.
    public override void Check(LintContext context)
    {
        if (context.Profile is not { } profile)
        {
            return;
        }

        var section = SubjectAttributes.TableSection(profile.Type);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var attribute in context.Certificate.SubjectAttributes)
        {
            var known = SubjectAttributes.ByOid.TryGetValue(attribute.Oid, out var definition);
            if (SubjectAttributes.LevelOf(known ? attribute.Oid : null, profile) == SubjectAttributes.Level.ShallNot && reported.Add(attribute.Oid))
            {
                var name = known ? definition!.Name : $"attribute {attribute.Oid}";
                Report(context, $"subject {name} is not allowed in {profile.Type}-validated {profile.Generation} certificates.", section);
            }
        }
    }
}

/// <summary><c>SUBJECT_ATTR_REQUIRED</c> (7.1.4.2.4): organizationName and organizationIdentifier SHALL be present in Organization- and Sponsor-validated certificates.</summary>
internal sealed class SubjectAttributeRequiredRule() : LintRule(SmimeLintRules.SubjectAttributeRequired, SmimeLintSeverity.Error, "7.1.4.2.4",
    "organizationName and organizationIdentifier SHALL be present in Organization- and Sponsor-validated certificates.")
{
    public override void Check(LintContext context)
    {
        if (context.Profile is not { } profile)
        {
            return;
        }

        foreach (var required in new[] { SubjectAttributes.Organization, SubjectAttributes.OrganizationIdentifier })
        {
            if (SubjectAttributes.LevelOf(required.Oid, profile) == SubjectAttributes.Level.Shall && !context.HasAttribute(required.Oid))
            {
                Report(context, $"subject {required.Name} is required in {profile.Type}-validated certificates.", SubjectAttributes.TableSection(profile.Type));
            }
        }
    }
}

/// <summary><c>SUBJECT_NAME_REQUIRED</c> (7.1.4.2.5): Sponsor- and Individual-validated Strict and Multipurpose certificates SHALL include givenName and/or surname, or pseudonym.</summary>
internal sealed class SubjectNameRequiredRule() : LintRule(SmimeLintRules.SubjectNameRequired, SmimeLintSeverity.Error, "7.1.4.2.5",
    "Sponsor- and Individual-validated Strict and Multipurpose certificates SHALL include givenName and/or surname, or pseudonym.")
{
    // Note 2 of the Sponsor and Individual tables: a name or pseudonym is required.
    public override void Check(LintContext context)
    {
        if (context.Profile is { Type: SmimeValidationType.Sponsor or SmimeValidationType.Individual } profile && profile.Generation != SmimeGeneration.Legacy
            && !context.HasAttribute(Oids.GivenName) && !context.HasAttribute(Oids.Surname) && !context.HasAttribute(Oids.Pseudonym))
        {
            Report(context, $"{profile.Type}-validated {profile.Generation} certificates need givenName and/or surname, or pseudonym.", SubjectAttributes.TableSection(profile.Type));
        }
    }
}
