using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Pki.Smime.Internal;

namespace Pki.Smime.Tests;

public sealed class BuilderTests
{
    private static SmimeComplianceException Refused(SmimeCertificateRequest request, bool legacy = false) =>
        Assert.Throws<SmimeComplianceException>(() => TestPki.Builder(legacy).Build(request, TestPki.Ca));

    [Fact]
    public void Serial_numbers_come_from_the_injected_random_source_positive_and_below_2_to_159()
    {
        var builder = new SmimeCertificateBuilder(timeProvider: new FixedTime(TestPki.Now), random: new CountingRandom(0xF0));

        var certificate = builder.Build(TestPki.Request(TestPki.StrictMailbox), TestPki.Ca);

        // Bytes F0 F1 ... FF 00 ... with the top two bits of the first byte forced to 01: 0x70.
        Assert.Equal("70F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF", certificate.SerialNumber);
        using var dotnet = TestPki.Load(certificate.RawData.Span);
        Assert.Equal(certificate.SerialNumber, dotnet.SerialNumber);
    }

    [Fact]
    public void Validity_starts_at_the_injected_time_and_defaults_to_365_days_inclusive()
    {
        var certificate = TestPki.Builder().Build(TestPki.Request(TestPki.StrictMailbox), TestPki.Ca);

        Assert.Equal(TestPki.Now, certificate.NotBefore);
        Assert.Equal(TestPki.Now.AddDays(365).AddSeconds(-1), certificate.NotAfter);
        using var dotnet = TestPki.Load(certificate.RawData.Span);
        Assert.Equal(TestPki.Now.UtcDateTime, dotnet.NotBefore.ToUniversalTime());
    }

    [Fact]
    public void The_maximum_825_days_is_accepted_and_one_second_more_is_refused()
    {
        var request = TestPki.Request(TestPki.StrictMailbox);

        var longest = TestPki.Builder().Build(request with { Validity = TimeSpan.FromDays(825) }, TestPki.Ca);
        var ex = Refused(request with { Validity = TimeSpan.FromDays(825).Add(TimeSpan.FromSeconds(1)) });

        Assert.Equal(TestPki.Now.AddDays(825).AddSeconds(-1), longest.NotAfter);
        Assert.Equal(SmimeLintRules.ValidityTooLong, ex.Rule);
        Assert.Equal("6.3.2", ex.Section);
        Assert.Contains("Strict allows 825 days", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Legacy_is_refused_unless_explicitly_allowed()
    {
        var legacy = new SmimeProfile(SmimeValidationType.Mailbox, SmimeGeneration.Legacy);

        var ex = Refused(TestPki.Request(legacy));

        Assert.Equal(SmimeLintRules.LegacyGenerationRefused, ex.Rule);
        Assert.Equal(
            "Refused by rule LEGACY_GENERATION_REFUSED (S/MIME BR 7.1.6.1): The Legacy profile 2.23.140.1.5.1.1 SHALL NOT be issued after 2025-07-15 (SMC08); use Multipurpose or Strict, or set SmimeBuilderOptions.AllowLegacyGeneration for historic or test material.",
            ex.Message);
        Assert.Empty(TestPki.Builder(legacy: true).Build(TestPki.Request(legacy), TestPki.Ca).Lint.Findings);
    }

    [Fact]
    public void Allowed_legacy_material_dated_after_the_sunset_still_builds_for_tests()
    {
        var legacy = new SmimeProfile(SmimeValidationType.Individual, SmimeGeneration.Legacy);
        var builder = new SmimeCertificateBuilder(new SmimeBuilderOptions { AllowLegacyGeneration = true }, new FixedTime(TestPki.Now));

        var certificate = builder.Build(TestPki.Request(legacy), TestPki.Ca);

        Assert.True(certificate.Lint.IsCompliant);
        var strictLint = SmimeLinter.Lint(certificate.RawData.Span);
        Assert.Equal(SmimeLintRules.LegacyAfterSunset, Assert.Single(strictLint.Findings).Code);
    }

    [Theory]
    [InlineData(SmimeKeyAlgorithm.Rsa, SmimeKeyPurpose.Signing, X509KeyUsageFlags.DigitalSignature)]
    [InlineData(SmimeKeyAlgorithm.Rsa, SmimeKeyPurpose.KeyManagement, X509KeyUsageFlags.KeyEncipherment)]
    [InlineData(SmimeKeyAlgorithm.Rsa, SmimeKeyPurpose.DualUse, X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment)]
    [InlineData(SmimeKeyAlgorithm.EcP256, SmimeKeyPurpose.Signing, X509KeyUsageFlags.DigitalSignature)]
    [InlineData(SmimeKeyAlgorithm.EcP256, SmimeKeyPurpose.KeyManagement, X509KeyUsageFlags.KeyAgreement)]
    [InlineData(SmimeKeyAlgorithm.EcP384, SmimeKeyPurpose.DualUse, X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement)]
    [InlineData(SmimeKeyAlgorithm.EcP521, SmimeKeyPurpose.DualUse, X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement)]
    [InlineData(SmimeKeyAlgorithm.Ed25519, SmimeKeyPurpose.Signing, X509KeyUsageFlags.DigitalSignature)]
    public void Key_usage_follows_the_section_7_1_2_3_table(SmimeKeyAlgorithm key, SmimeKeyPurpose purpose, X509KeyUsageFlags expected)
    {
        var certificate = TestPki.Builder().Build(TestPki.Request(TestPki.StrictMailbox, key) with { KeyPurpose = purpose }, TestPki.Ca);

        using var dotnet = TestPki.Load(certificate.RawData.Span);
        var keyUsage = Assert.Single(dotnet.Extensions.OfType<X509KeyUsageExtension>());
        Assert.True(keyUsage.Critical);
        Assert.Equal(expected, keyUsage.KeyUsages);
        Assert.Empty(certificate.Lint.Findings);
    }

    [Theory]
    [InlineData(null, X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, SmimeKeyAlgorithm.EcP256)]
    [InlineData(null, X509KeyUsageFlags.DigitalSignature, SmimeKeyAlgorithm.Ed25519)]
    public void Default_key_purpose_is_dual_use_except_for_EdDSA(SmimeKeyPurpose? purpose, X509KeyUsageFlags expected, SmimeKeyAlgorithm key)
    {
        var certificate = TestPki.Builder().Build(TestPki.Request(TestPki.StrictMailbox, key) with { KeyPurpose = purpose }, TestPki.Ca);

        using var dotnet = TestPki.Load(certificate.RawData.Span);
        Assert.Equal(expected, dotnet.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
    }

    [Theory]
    [InlineData(SmimeKeyPurpose.KeyManagement)]
    [InlineData(SmimeKeyPurpose.DualUse)]
    public void Ed25519_keys_are_refused_for_key_management(SmimeKeyPurpose purpose)
    {
        var ex = Refused(TestPki.Request(TestPki.StrictMailbox, SmimeKeyAlgorithm.Ed25519) with { KeyPurpose = purpose });

        Assert.Equal(SmimeLintRules.KeyUsageInvalidBits, ex.Rule);
        Assert.Contains($"Ed25519 keys are for signing only; {purpose}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_ascii_local_part_becomes_an_SmtpUTF8Mailbox_other_name_with_a_U_label_domain()
    {
        var request = TestPki.Request(TestPki.StrictMailbox, subject: new SmimeSubject()) with { Mailboxes = ["jörg@xn--bcher-kva.example", "anna@bücher.example"] };

        var certificate = TestPki.Builder().Build(request, TestPki.Ca);

        var san = SanOf(certificate);
        var other = Asn1Sequence.GetInstance(Asn1TaggedObject.GetInstance(san[0]), false);
        Assert.Equal("1.3.6.1.5.5.7.8.9", DerObjectIdentifier.GetInstance(other[0]).Id);
        Assert.Equal("jörg@bücher.example", DerUtf8String.GetInstance(Asn1TaggedObject.GetInstance(other[1]).GetExplicitBaseObject()).GetString());
        var rfc822 = Asn1TaggedObject.GetInstance(san[1]);
        Assert.Equal(1, rfc822.TagNo);
        Assert.Equal("anna@xn--bcher-kva.example", DerIA5String.GetInstance(rfc822, false).GetString());
        Assert.Empty(certificate.Lint.Findings);
    }

    [Fact]
    public void An_empty_subject_makes_the_subject_alt_name_critical()
    {
        var certificate = TestPki.Builder().Build(TestPki.Request(TestPki.StrictMailbox, subject: new SmimeSubject()), TestPki.Ca);

        using var dotnet = TestPki.Load(certificate.RawData.Span);
        Assert.True(dotnet.Extensions["2.5.29.17"]!.Critical);
        Assert.Empty(dotnet.SubjectName.RawData.Skip(2));
        Assert.Empty(certificate.Lint.Findings);
    }

    [Fact]
    public void Issuer_aki_crl_aia_and_ski_come_from_the_issuing_ca()
    {
        var ca = TestPki.Ca;
        var caWithOcsp = new SmimeIssuingCa(ca.Certificate.Span, ca.Key, new Uri("http://crl.example.test/x.crl"))
        {
            CaIssuers = new Uri("http://ca.example.test/x.cer"),
            Ocsp = new Uri("http://ocsp.example.test/"),
            CpsUri = new Uri("https://example.test/cps"),
            AdditionalPolicyOids = ["1.3.6.1.4.1.99999.1"],
        };

        var certificate = TestPki.Builder().Build(TestPki.Request(TestPki.StrictMailbox), caWithOcsp);

        using var dotnet = TestPki.Load(certificate.RawData.Span);
        using var issuer = TestPki.Load(ca.Certificate.Span);
        var aki = dotnet.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single();
        Assert.Equal(issuer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray(), aki.KeyIdentifier!.Value.ToArray());
        Assert.Null(aki.SerialNumber);
        var aia = dotnet.Extensions.OfType<X509AuthorityInformationAccessExtension>().Single();
        Assert.Equal(["http://ca.example.test/x.cer"], aia.EnumerateCAIssuersUris());
        Assert.Equal(["http://ocsp.example.test/"], aia.EnumerateOcspUris());
        Assert.Contains("http://crl.example.test/x.crl", Encoding.ASCII.GetString(dotnet.Extensions["2.5.29.31"]!.RawData), StringComparison.Ordinal);
        var ski = dotnet.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single();
        Assert.Equal(SHA256.HashData(dotnet.PublicKey.EncodedKeyValue.RawData).AsSpan(0, 20).ToArray(), ski.SubjectKeyIdentifierBytes.ToArray());
        Assert.Empty(certificate.Lint.Findings);
    }

    [Fact]
    public void Multipurpose_may_add_client_auth_but_strict_may_not()
    {
        var multipurpose = new SmimeProfile(SmimeValidationType.Mailbox, SmimeGeneration.Multipurpose);
        var request = TestPki.Request(multipurpose) with { AdditionalExtendedKeyUsages = ["1.3.6.1.5.5.7.3.2"] };

        var certificate = TestPki.Builder().Build(request, TestPki.Ca);
        var ex = Refused(request with { Profile = TestPki.StrictMailbox });
        var serverAuth = Refused(request with { AdditionalExtendedKeyUsages = ["1.3.6.1.5.5.7.3.1"] });

        Assert.Empty(certificate.Lint.Findings);
        Assert.Equal(SmimeLintRules.ExtendedKeyUsageStrictOtherPurpose, ex.Rule);
        Assert.Equal(SmimeLintRules.ExtendedKeyUsageForbiddenPurpose, serverAuth.Rule);
    }

    public static TheoryData<string, SmimeProfile, SmimeSubject, string> BadSubjects() => new()
    {
        { "organization in mailbox", TestPki.StrictMailbox, new SmimeSubject { OrganizationName = "Example" }, SmimeLintRules.SubjectAttributeProhibited },
        { "missing organizationIdentifier", new(SmimeValidationType.Organization, SmimeGeneration.Strict), new SmimeSubject { OrganizationName = "Example" }, SmimeLintRules.SubjectAttributeRequired },
        { "no name in sponsor", new(SmimeValidationType.Sponsor, SmimeGeneration.Multipurpose), new SmimeSubject { OrganizationName = "Example", OrganizationIdentifier = "VATDE-123456789", Country = "DE" }, SmimeLintRules.SubjectNameRequired },
        { "pseudonym with given name", new(SmimeValidationType.Individual, SmimeGeneration.Strict), new SmimeSubject { Pseudonym = "Owl", Surname = "Example" }, SmimeLintRules.SubjectPseudonymWithName },
        { "orgId country mismatch", new(SmimeValidationType.Organization, SmimeGeneration.Strict), new SmimeSubject { OrganizationName = "Example", OrganizationIdentifier = "VATFR-123", Country = "DE" }, SmimeLintRules.SubjectOrganizationIdentifierCountry },
        { "postal code in strict", new(SmimeValidationType.Organization, SmimeGeneration.Strict), new SmimeSubject { OrganizationName = "Example", OrganizationIdentifier = "GOVDE", Country = "DE", PostalCode = "10115" }, SmimeLintRules.SubjectAttributeProhibited },
        { "serialNumber not printable", TestPki.StrictMailbox, new SmimeSubject { SerialNumber = "Nr. 1 ä" }, SmimeLintRules.SubjectAttributeEncoding },
        { "emailAddress non-ASCII", TestPki.StrictMailbox, new SmimeSubject { EmailAddress = "jörg@example.test" }, SmimeLintRules.SubjectAttributeEncoding },
        { "common name too long", TestPki.StrictMailbox, new SmimeSubject { CommonName = new string('a', 60) + "@example.test" }, SmimeLintRules.SubjectAttributeTooLong },
        { "only spaces", new(SmimeValidationType.Individual, SmimeGeneration.Strict), new SmimeSubject { GivenName = "   " }, SmimeLintRules.SubjectMetadataOnly },
    };

    [Theory]
    [MemberData(nameof(BadSubjects))]
    public void Subject_data_that_breaks_a_rule_is_refused_naming_it(string description, SmimeProfile profile, SmimeSubject subject, string rule)
    {
        var ex = Refused(TestPki.Request(profile, subject: subject));

        Assert.True(ex.Findings.Any(f => f.Code == rule), $"{description}: {ex.Message}");
        Assert.StartsWith($"Refused by rule {ex.Rule} (S/MIME BR ", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alice", SmimeLintRules.SanRfc822Invalid, "is not of the form local-part@domain")]
    [InlineData("alice@", SmimeLintRules.SanRfc822Invalid, "is not of the form local-part@domain")]
    [InlineData("al ice@example.test", SmimeLintRules.SanRfc822Invalid, "has an invalid local part")]
    [InlineData(".alice@example.test", SmimeLintRules.SanRfc822Invalid, "has an invalid local part")]
    [InlineData("alice@-example.test", SmimeLintRules.SanRfc822Invalid, "has an invalid domain")]
    [InlineData("alice@example..test", SmimeLintRules.SanRfc822Invalid, "has an invalid domain")]
    [InlineData("jö rg@example.test", SmimeLintRules.SanSmtpUtf8Invalid, "has an invalid local part")]
    public void Malformed_mailboxes_are_refused_naming_the_address(string mailbox, string rule, string problem)
    {
        var ex = Refused(TestPki.Request(TestPki.StrictMailbox, subject: new SmimeSubject()) with { Mailboxes = [mailbox] });

        Assert.Equal(rule, ex.Rule);
        Assert.Contains($"The mailbox address '{mailbox}' {problem}", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The shared IDN mapping runs without STD3 rules (so <c>_acme-challenge</c> style labels pass through it);
    /// mailbox domains keep their own LDH check, so non-LDH ASCII is refused exactly as with STD3 on.
    /// </summary>
    [Theory]
    [InlineData("alice@ex_ample.test", SmimeLintRules.SanRfc822Invalid, "has an invalid domain 'ex_ample.test': label 'ex_ample' has the character '_'")]
    [InlineData("alice@_dmarc.example.test", SmimeLintRules.SanRfc822Invalid, "has an invalid domain '_dmarc.example.test': label '_dmarc' has the character '_'")]
    [InlineData("alice@exa mple.test", SmimeLintRules.SanRfc822Invalid, "has an invalid domain 'exa mple.test': label 'exa mple' has the character ' '")]
    [InlineData("alice@bücher_shop.example", SmimeLintRules.SanRfc822Invalid, "contains non-ASCII characters")]
    [InlineData("jörg@ex_ample.test", SmimeLintRules.SanSmtpUtf8Invalid, "has an invalid domain 'ex_ample.test': label 'ex_ample' has the character '_'")]
    [InlineData("jörg@bücher_shop.example", SmimeLintRules.SanSmtpUtf8Invalid, "has an invalid domain 'bücher_shop.example': label 'bücher_shop' is not a valid U-label")]
    [InlineData("alice@example.test.", SmimeLintRules.SanRfc822Invalid, "has an invalid domain 'example.test.': empty label")]
    public void Mailbox_domains_with_non_LDH_labels_are_refused(string mailbox, string rule, string problem) =>
        Malformed_mailboxes_are_refused_naming_the_address(mailbox, rule, problem);

    [Fact]
    public void A_request_without_mailboxes_is_refused()
    {
        var ex = Refused(TestPki.Request(TestPki.StrictMailbox) with { Mailboxes = [] });

        Assert.Equal(SmimeLintRules.SanNoMailbox, ex.Rule);
        Assert.Equal("7.1.4.2.1", ex.Section);
    }

    [Fact]
    public void Wrong_options_get_argument_exceptions_naming_the_value()
    {
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => TestPki.Builder().Build(TestPki.Request(TestPki.StrictMailbox) with { Validity = TimeSpan.Zero }, TestPki.Ca));
        var badOid = Assert.Throws<ArgumentException>(() => TestPki.Builder().Build(
            TestPki.Request(new SmimeProfile(SmimeValidationType.Mailbox, SmimeGeneration.Multipurpose)) with { AdditionalExtendedKeyUsages = ["not.an.oid"] }, TestPki.Ca));
        var defaultValidity = Assert.Throws<ArgumentOutOfRangeException>(() => new SmimeCertificateBuilder(new SmimeBuilderOptions { DefaultValidity = TimeSpan.FromDays(-1) }));

        Assert.StartsWith("The validity period must be at least one second.", zero.Message, StringComparison.Ordinal);
        Assert.StartsWith("'not.an.oid' is not a valid extended key usage OID.", badOid.Message, StringComparison.Ordinal);
        Assert.StartsWith("DefaultValidity must be positive.", defaultValidity.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => TestPki.Builder().Build(null!, TestPki.Ca));
        Assert.Throws<ArgumentNullException>(() => TestPki.Builder().Build(TestPki.Request(TestPki.StrictMailbox), null!));
    }

    [Fact]
    public void The_pem_output_round_trips()
    {
        var certificate = TestPki.Builder().Build(TestPki.Request(TestPki.StrictMailbox), TestPki.Ca);

        var pem = certificate.ToPem();

        Assert.StartsWith("-----BEGIN CERTIFICATE-----\n", pem, StringComparison.Ordinal);
        Assert.Equal(certificate.RawData.ToArray(), PemEncoding.Find(pem) is var found ? Convert.FromBase64String(pem[found.Base64Data]) : null);
        Assert.Empty(SmimeLinter.Lint(pem).Findings);
    }

    private static Asn1Sequence SanOf(SmimeCertificate certificate)
    {
        using var dotnet = TestPki.Load(certificate.RawData.Span);
        return Asn1Sequence.GetInstance(dotnet.Extensions["2.5.29.17"]!.RawData);
    }
}
