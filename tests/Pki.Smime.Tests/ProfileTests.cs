namespace Pki.Smime.Tests;

public sealed class ProfileTests
{
    [Theory]
    [InlineData(SmimeValidationType.Mailbox, SmimeGeneration.Legacy, "2.23.140.1.5.1.1")]
    [InlineData(SmimeValidationType.Mailbox, SmimeGeneration.Multipurpose, "2.23.140.1.5.1.2")]
    [InlineData(SmimeValidationType.Mailbox, SmimeGeneration.Strict, "2.23.140.1.5.1.3")]
    [InlineData(SmimeValidationType.Organization, SmimeGeneration.Legacy, "2.23.140.1.5.2.1")]
    [InlineData(SmimeValidationType.Organization, SmimeGeneration.Multipurpose, "2.23.140.1.5.2.2")]
    [InlineData(SmimeValidationType.Organization, SmimeGeneration.Strict, "2.23.140.1.5.2.3")]
    [InlineData(SmimeValidationType.Sponsor, SmimeGeneration.Legacy, "2.23.140.1.5.3.1")]
    [InlineData(SmimeValidationType.Sponsor, SmimeGeneration.Multipurpose, "2.23.140.1.5.3.2")]
    [InlineData(SmimeValidationType.Sponsor, SmimeGeneration.Strict, "2.23.140.1.5.3.3")]
    [InlineData(SmimeValidationType.Individual, SmimeGeneration.Legacy, "2.23.140.1.5.4.1")]
    [InlineData(SmimeValidationType.Individual, SmimeGeneration.Multipurpose, "2.23.140.1.5.4.2")]
    [InlineData(SmimeValidationType.Individual, SmimeGeneration.Strict, "2.23.140.1.5.4.3")]
    public void Each_profile_has_its_reserved_policy_oid_from_section_7_1_6_1(SmimeValidationType type, SmimeGeneration generation, string oid)
    {
        var profile = new SmimeProfile(type, generation);

        Assert.Equal(oid, profile.PolicyOid);
        Assert.Equal(profile, SmimeProfile.FromPolicyOid(oid));
        Assert.Contains(profile, SmimeProfile.All);
    }

    [Fact]
    public void All_lists_the_twelve_profiles_once()
    {
        Assert.Equal(12, SmimeProfile.All.Count);
        Assert.Equal(12, SmimeProfile.All.Select(p => p.PolicyOid).Distinct().Count());
    }

    [Theory]
    [InlineData(SmimeGeneration.Legacy, 1185)]
    [InlineData(SmimeGeneration.Multipurpose, 825)]
    [InlineData(SmimeGeneration.Strict, 825)]
    public void Maximum_validity_follows_section_6_3_2(SmimeGeneration generation, int days)
    {
        Assert.Equal(TimeSpan.FromDays(days), new SmimeProfile(SmimeValidationType.Mailbox, generation).MaximumValidity);
    }

    [Theory]
    [InlineData("2.23.140.1.5.5.1")]
    [InlineData("2.23.140.1.5.1.4")]
    [InlineData("2.23.140.1.5.1.0")]
    [InlineData("2.23.140.1.2.1")]
    [InlineData("2.23.140.1.5.1.31")]
    [InlineData("")]
    public void An_oid_that_is_not_reserved_is_refused_with_its_value_named(string oid)
    {
        var ex = Assert.Throws<ArgumentException>(() => SmimeProfile.FromPolicyOid(oid));

        Assert.Contains($"'{oid}' is not one of the reserved S/MIME policy identifiers", ex.Message, StringComparison.Ordinal);
        Assert.False(SmimeProfile.TryFromPolicyOid(oid, out _));
    }

    [Fact]
    public void Parse_reads_command_line_names()
    {
        Assert.Equal(new SmimeProfile(SmimeValidationType.Sponsor, SmimeGeneration.Multipurpose), SmimeProfile.Parse("Sponsor", "multipurpose"));
    }

    [Theory]
    [InlineData("mailbox", "strictest", "'strictest' is not an S/MIME profile generation")]
    [InlineData("person", "strict", "'person' is not an S/MIME certificate type")]
    [InlineData("1", "strict", "'1' is not an S/MIME certificate type")]
    public void Parse_refuses_unknown_names(string type, string generation, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => SmimeProfile.Parse(type, generation));

        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }
}
