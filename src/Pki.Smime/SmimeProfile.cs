using System.Diagnostics.CodeAnalysis;
using Pki.Smime.Internal;

namespace Pki.Smime;

/// <summary>The four certificate types of the S/MIME Baseline Requirements (section 1.2 and 7.1.6.1).</summary>
public enum SmimeValidationType
{
    /// <summary>Mailbox-validated: only the mailbox address was validated (section 7.1.4.2.3).</summary>
    Mailbox = 1,

    /// <summary>Organization-validated: issued to a Legal Entity (section 7.1.4.2.4).</summary>
    Organization = 2,

    /// <summary>Sponsor-validated: an Individual affiliated with a Legal Entity (section 7.1.4.2.5).</summary>
    Sponsor = 3,

    /// <summary>Individual-validated: an Individual, no organization (section 7.1.4.2.6).</summary>
    Individual = 4,
}

/// <summary>The three profile generations of the S/MIME Baseline Requirements (section 1.2).</summary>
public enum SmimeGeneration
{
    /// <summary>Legacy: not to be issued after 2025-07-15 (section 7.1.6.1, ballot SMC08).</summary>
    Legacy = 1,

    /// <summary>Multipurpose: aligned with Strict but with a few extra extended key usages and subject fields.</summary>
    Multipurpose = 2,

    /// <summary>Strict: the long-term target profile, <c>id-kp-emailProtection</c> only.</summary>
    Strict = 3,
}

/// <summary>
/// One cell of the S/MIME profile table: a validation type and a generation, identified in certificates
/// by its reserved certificate policy OID (section 7.1.6.1).
/// </summary>
/// <param name="Type">What was validated: mailbox only, organization, sponsor (person in an organization) or individual (section 7.1.4.2).</param>
/// <param name="Generation">Legacy, Multipurpose or Strict: how much the certificate may carry besides email protection (section 7.1.6.1).</param>
public sealed record SmimeProfile(SmimeValidationType Type, SmimeGeneration Generation)
{
    /// <summary>
    /// The date from which Legacy-generation certificates SHALL NOT be issued (section 7.1.6.1:
    /// "Effective July 15, 2025 S/MIME Subscriber Certificates SHALL NOT be issued using the Legacy
    /// Generation profiles").
    /// </summary>
    public static readonly DateTimeOffset LegacySunset = new(2025, 7, 15, 0, 0, 0, TimeSpan.Zero);

    /// <summary>All twelve profiles, by type then generation (Legacy, Multipurpose, Strict).</summary>
    public static IReadOnlyList<SmimeProfile> All { get; } =
    [
        .. from type in new[] { SmimeValidationType.Mailbox, SmimeValidationType.Organization, SmimeValidationType.Sponsor, SmimeValidationType.Individual }
           from generation in new[] { SmimeGeneration.Legacy, SmimeGeneration.Multipurpose, SmimeGeneration.Strict }
           select new SmimeProfile(type, generation),
    ];

    /// <summary>The reserved policy identifier, <c>2.23.140.1.5.{type}.{generation}</c> (section 7.1.6.1).</summary>
    public string PolicyOid => $"2.23.140.1.5.{(int)Type}.{(int)Generation}";

    /// <summary>The maximum validity period of section 6.3.2: 825 days (Strict, Multipurpose) or 1185 days (Legacy).</summary>
    public TimeSpan MaximumValidity => TimeSpan.FromDays(Generation == SmimeGeneration.Legacy ? 1185 : 825);

    /// <summary>The profile whose reserved policy OID is <paramref name="policyOid"/>.</summary>
    /// <param name="policyOid">A dotted OID such as <c>2.23.140.1.5.1.3</c>.</param>
    /// <exception cref="ArgumentException">The OID is not one of the twelve reserved identifiers.</exception>
    public static SmimeProfile FromPolicyOid(string policyOid)
    {
        ArgumentNullException.ThrowIfNull(policyOid);
        return TryFromPolicyOid(policyOid, out var profile)
            ? profile
            : throw new ArgumentException(
                $"'{policyOid}' is not one of the reserved S/MIME policy identifiers 2.23.140.1.5.{{1-4}}.{{1-3}} (section 7.1.6.1).",
                nameof(policyOid));
    }

    /// <summary>Finds the profile whose reserved policy OID is <paramref name="policyOid"/>.</summary>
    /// <param name="policyOid">A dotted OID, e.g. <c>2.23.140.1.5.1.3</c> (Mailbox-validated Strict); any other OID gives false.</param>
    /// <param name="profile">The profile the OID reserves, or null when the method returns false.</param>
    /// <returns>Whether the OID is a reserved S/MIME policy identifier.</returns>
    public static bool TryFromPolicyOid(string? policyOid, [NotNullWhen(true)] out SmimeProfile? profile)
    {
        profile = null;
        const string Prefix = "2.23.140.1.5.";
        if (policyOid is null || policyOid.Length != Prefix.Length + 3 || !policyOid.StartsWith(Prefix, StringComparison.Ordinal)
            || policyOid[Prefix.Length + 1] != '.')
        {
            return false;
        }

        var type = policyOid[Prefix.Length] - '0';
        var generation = policyOid[Prefix.Length + 2] - '0';
        if (type is < 1 or > 4 || generation is < 1 or > 3)
        {
            return false;
        }

        profile = new SmimeProfile((SmimeValidationType)type, (SmimeGeneration)generation);
        return true;
    }

    /// <summary>Parses names such as <c>mailbox</c>/<c>strict</c> (case-insensitive), as used on command lines.</summary>
    /// <param name="type">mailbox, organization, sponsor or individual.</param>
    /// <param name="generation">legacy, multipurpose or strict.</param>
    /// <exception cref="ArgumentException">A name is not one of the listed values.</exception>
    public static SmimeProfile Parse(string type, string generation)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(generation);
        if (!Enum.TryParse<SmimeValidationType>(type, ignoreCase: true, out var t) || !Enum.IsDefined(t)
            || int.TryParse(type, out _))
        {
            throw new ArgumentException($"'{type}' is not an S/MIME certificate type; use mailbox, organization, sponsor or individual.", nameof(type));
        }

        if (!Enum.TryParse<SmimeGeneration>(generation, ignoreCase: true, out var g) || !Enum.IsDefined(g)
            || int.TryParse(generation, out _))
        {
            throw new ArgumentException($"'{generation}' is not an S/MIME profile generation; use legacy, multipurpose or strict.", nameof(generation));
        }

        return new SmimeProfile(t, g);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Type}-validated {Generation} ({PolicyOid})";
}
