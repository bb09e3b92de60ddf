using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Pki.Smime.Tests;

/// <summary>
/// Issue point 6 (FsCheck): random valid subject data always builds a lint-clean certificate; random
/// invalid data is always refused with the rule it breaks named.
/// </summary>
public sealed class PropertyTests
{
    /// <summary>One generated issuance: request plus whether the builder may use Legacy.</summary>
    public sealed record Issuance(SmimeCertificateRequest Request, bool AllowLegacy, string? ExpectedRule = null)
    {
        public override string ToString() =>
            $"{Request.Profile} {Request.PublicKey.Algorithm} {Request.KeyPurpose} mailboxes=[{string.Join(", ", Request.Mailboxes)}] validity={Request.Validity?.TotalDays} "
            + $"subject={Request.Subject} eku=[{string.Join(",", Request.AdditionalExtendedKeyUsages)}] expected={ExpectedRule}";
    }

    private static readonly string[] GivenNames = ["Anna", "Jörg", "Zoë", "Mei", "Oluwaseun", "Łukasz", "Björn", "José", "Ngozi", "Siobhán", "李"];
    private static readonly string[] Surnames = ["Müller", "O'Brien", "Nakamura", "Okafor", "García Márquez", "Smith-Jones", "Ødegaard", "王"];
    private static readonly string[] Pseudonyms = ["Nightingale", "Blue Heron", "Agent 42", "Schwarzfuchs"];
    private static readonly string[] Organizations = ["Example Widgets Ltd", "Beispiel GmbH", "Société Exemple SA", "Voorbeeld B.V.", "Acme & Sons"];
    private static readonly string[] Countries = ["DE", "GB", "FR", "NL", "US", "XX"];
    private static readonly string[] LocalParts = ["alice", "bob.smith", "c+tag", "d_e", "x", "first.last", "jörg", "用户", "ñandú"];
    private static readonly string[] Domains = ["example.test", "mail.example.test", "bücher.example", "xn--bcher-kva.example", "sub.domain.example"];

    private static Gen<T?> Maybe<T>(Gen<T> gen)
        where T : class =>
        Gen.Frequency((1, Gen.Constant<T?>(null)), (2, gen.Select(v => (T?)v)));

    private static Gen<string> Mailbox =>
        from local in Gen.Elements(LocalParts)
        from domain in Gen.Elements(Domains)
        select $"{local}@{domain}";

    private static Gen<string> Digits(int min, int max) =>
        from length in Gen.Choose(min, max)
        from digits in Gen.ArrayOf(Gen.Choose(0, 9), length)
        select string.Concat(digits);

    private static Gen<(string Identifier, string? Country)> OrganizationIdentifier =>
        from country in Gen.Elements(Countries.Where(c => c != "XX").ToArray())
        from reference in Digits(4, 12)
        from kind in Gen.Choose(0, 4)
        select kind switch
        {
            0 => ($"NTR{country}-{reference}", (string?)country),
            1 => ($"VAT{country}-{reference}", country),
            2 => ("LEIXG-529900T8BM49AURSDO55", country),
            3 => ($"GOV{country}", country),
            _ => ("INTXG", (string?)null),
        };

    private static Gen<SmimeSubject> Personal(SmimeSubject subject, string mailbox, bool legacy) =>
        from usePseudonym in Gen.Elements(true, false)
        from given in Maybe(Gen.Elements(GivenNames))
        from surname in Gen.Elements(Surnames)
        from pseudonym in Gen.Elements(Pseudonyms)
        from cnKind in Gen.Choose(0, 2)
        from title in Maybe(Gen.Elements("Engineer", "Dr.", "Chief Financial Officer"))
        let personalName = given is null ? surname : $"{given} {surname}"
        select usePseudonym
            ? subject with { Pseudonym = pseudonym, Title = title, CommonName = cnKind switch { 0 => null, 1 => pseudonym, _ => mailbox } }
            : subject with { GivenName = given, Surname = surname, Title = title, CommonName = cnKind switch { 0 => null, 1 => personalName, _ => mailbox } };

    private static Gen<SmimeSubject> Organizational(SmimeGeneration generation) =>
        from organization in Gen.Elements(Organizations)
        from identifier in OrganizationIdentifier
        from unit in Maybe(Gen.Elements("Sales", "Research & Development"))
        from locality in Maybe(Gen.Elements("Berlin", "London", "Nijmegen"))
        from state in Maybe(Gen.Elements("Bayern", "Greater London"))
        from street in Maybe(Gen.Elements("1 Main Street", "Hauptstraße 5"))
        from postal in Maybe(Gen.Elements("10115", "SW1A 1AA"))
        let strict = generation == SmimeGeneration.Strict
        let country = identifier.Country
        select new SmimeSubject
        {
            OrganizationName = organization,
            OrganizationIdentifier = identifier.Identifier,
            OrganizationalUnitName = unit,
            Country = country,
            Locality = country is null ? null : locality,
            StateOrProvince = country is null ? null : state,
            StreetAddress = strict || country is null || (locality is null && state is null) ? null : street,
            PostalCode = strict || country is null ? null : postal,
        };

    private static Gen<SmimeSubject> SubjectFor(SmimeProfile profile, IReadOnlyList<string> mailboxes)
    {
        var mailbox = mailboxes[0];
        var asciiMailbox = mailboxes.FirstOrDefault(m => m.All(c => c < 0x80));
        var legacy = profile.Generation == SmimeGeneration.Legacy;
        switch (profile.Type)
        {
            case SmimeValidationType.Mailbox:
                return from cn in Gen.Elements<string?>(null, mailbox)
                       from email in Gen.Elements<string?>(null, asciiMailbox)
                       from serial in Maybe(Digits(1, 10))
                       select new SmimeSubject { CommonName = cn, EmailAddress = email, SerialNumber = serial };
            case SmimeValidationType.Organization:
                return from subject in Organizational(profile.Generation)
                       from cn in Gen.Elements<string?>(null, subject.OrganizationName, mailbox)
                       select subject with { CommonName = cn };
            case SmimeValidationType.Sponsor:
                return from subject in Organizational(profile.Generation)
                       from personal in Personal(subject, mailbox, legacy)
                       select personal;
            default:
                return from country in Maybe(Gen.Elements(Countries))
                       from locality in Maybe(Gen.Elements("Berlin", "Utrecht"))
                       from personal in Personal(new SmimeSubject { Country = country, Locality = country is null ? null : locality }, mailbox, legacy)
                       select personal;
        }
    }

    private static Gen<Issuance> ValidIssuance =>
        from profile in Gen.Elements(SmimeProfile.All.ToArray())
        from mailboxes in Gen.NonEmptyListOf(Mailbox).Select(l => l.Take(3).ToList())
        from subject in SubjectFor(profile, mailboxes)
        from key in Gen.Elements(SmimeKeyAlgorithm.EcP256, SmimeKeyAlgorithm.Ed25519, SmimeKeyAlgorithm.Rsa)
        from purpose in key == SmimeKeyAlgorithm.Ed25519
            ? Gen.Elements<SmimeKeyPurpose?>(null, SmimeKeyPurpose.Signing)
            : Gen.Elements<SmimeKeyPurpose?>(null, SmimeKeyPurpose.Signing, SmimeKeyPurpose.KeyManagement, SmimeKeyPurpose.DualUse)
        from days in Gen.Choose(1, 825)
        select new Issuance(
            new SmimeCertificateRequest
            {
                Profile = profile,
                Mailboxes = mailboxes,
                Subject = subject,
                PublicKey = TestPki.Key(key),
                KeyPurpose = purpose,
                Validity = TimeSpan.FromDays(days),
            },
            profile.Generation == SmimeGeneration.Legacy);

    /// <summary>Breaks one rule of a valid issuance, returning the rule it must be refused with.</summary>
    private static Gen<Issuance> Break(Issuance valid)
    {
        var request = valid.Request;
        var subject = request.Subject;
        var type = request.Profile.Type;
        var personal = type is SmimeValidationType.Sponsor or SmimeValidationType.Individual;
        var organizational = type is SmimeValidationType.Organization or SmimeValidationType.Sponsor;
        var generation = request.Profile.Generation;
        var breaks = new List<Gen<Issuance>>
        {
            Gen.Elements("a..b@example.test", "@example.test", "alice@exa mple.test", "alice@-x.test")
                .Select(m => valid with { Request = request with { Mailboxes = [m] }, ExpectedRule = SmimeLintRules.SanRfc822Invalid }),
            Gen.Choose(generation == SmimeGeneration.Legacy ? 1186 : 826, 3000)
                .Select(d => valid with { Request = request with { Validity = TimeSpan.FromDays(d) }, ExpectedRule = SmimeLintRules.ValidityTooLong }),
            Gen.Elements("stranger@elsewhere.test")
                .Select(m => valid with { Request = request with { Subject = subject with { CommonName = m } }, ExpectedRule = SmimeLintRules.SubjectMailboxNotInSan }),
            Gen.Elements("-", ".", " ", "N/A", "--")
                .Select(v => valid with { Request = request with { Subject = subject with { SerialNumber = v } }, ExpectedRule = SmimeLintRules.SubjectMetadataOnly }),
            Gen.Elements("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.3", "1.3.6.1.5.5.7.3.8", "2.5.29.37.0")
                .Select(o => valid with { Request = request with { AdditionalExtendedKeyUsages = [o] }, ExpectedRule = SmimeLintRules.ExtendedKeyUsageForbiddenPurpose }),
        };

        if (generation == SmimeGeneration.Legacy)
        {
            breaks.Add(Gen.Constant(valid with { AllowLegacy = false, ExpectedRule = SmimeLintRules.LegacyGenerationRefused }));
        }

        if (request.PublicKey.Algorithm == SmimeKeyAlgorithm.Ed25519)
        {
            breaks.Add(Gen.Elements(SmimeKeyPurpose.KeyManagement, SmimeKeyPurpose.DualUse)
                .Select(p => valid with { Request = request with { KeyPurpose = p }, ExpectedRule = SmimeLintRules.KeyUsageInvalidBits }));
        }

        if (type == SmimeValidationType.Mailbox)
        {
            breaks.Add(Gen.Elements(Organizations)
                .Select(o => valid with { Request = request with { Subject = subject with { OrganizationName = o } }, ExpectedRule = SmimeLintRules.SubjectAttributeProhibited }));
        }
        else
        {
            breaks.Add(Gen.Elements("gb", "DEU", "G1", "  ")
                .Select(c => valid with { Request = request with { Subject = subject with { Country = c } }, ExpectedRule = c == "  " ? SmimeLintRules.SubjectMetadataOnly : SmimeLintRules.SubjectCountryInvalid }));
            breaks.Add(Gen.Constant(valid with { Request = request with { Subject = subject with { Country = null, Locality = "Berlin" } }, ExpectedRule = SmimeLintRules.SubjectAddressDependency }));
        }

        if (organizational)
        {
            breaks.Add(Gen.Constant(valid with { Request = request with { Subject = subject with { OrganizationIdentifier = null } }, ExpectedRule = SmimeLintRules.SubjectAttributeRequired }));
            breaks.Add(Gen.Elements("ABCDE-123", "NTR-123", "NTRGB", "LEIXG-123", "ntrgb-1")
                .Select(i => valid with { Request = request with { Subject = subject with { OrganizationIdentifier = i } }, ExpectedRule = SmimeLintRules.SubjectOrganizationIdentifierSyntax }));
        }
        else
        {
            breaks.Add(Gen.Constant(valid with { Request = request with { Subject = subject with { OrganizationIdentifier = "NTRGB-1" } }, ExpectedRule = SmimeLintRules.SubjectAttributeProhibited }));
        }

        if (personal)
        {
            breaks.Add(Gen.Constant(valid with { Request = request with { Subject = subject with { Pseudonym = "Owl", GivenName = "Anna" } }, ExpectedRule = SmimeLintRules.SubjectPseudonymWithName }));
            breaks.Add(Gen.Constant(valid with { Request = request with { Subject = subject with { Title = new string('t', 65) } }, ExpectedRule = SmimeLintRules.SubjectAttributeTooLong }));
            if (generation != SmimeGeneration.Legacy)
            {
                breaks.Add(Gen.Constant(valid with
                {
                    Request = request with { Subject = subject with { GivenName = null, Surname = null, Pseudonym = null, CommonName = null } },
                    ExpectedRule = SmimeLintRules.SubjectNameRequired,
                }));
            }
        }

        if (generation == SmimeGeneration.Strict && type != SmimeValidationType.Mailbox)
        {
            breaks.Add(Gen.Constant(valid with { Request = request with { Subject = subject with { PostalCode = "12345", Country = subject.Country ?? "DE" } }, ExpectedRule = SmimeLintRules.SubjectAttributeProhibited }));
        }

        return Gen.OneOf(breaks);
    }

    private static SmimeCertificate Build(Issuance issuance) =>
        TestPki.Builder(issuance.AllowLegacy).Build(issuance.Request, TestPki.Ca);

    [Property(MaxTest = 200)]
    public Property Random_valid_subject_data_always_builds_a_lint_clean_certificate() =>
        Prop.ForAll(Arb.From(ValidIssuance), issuance =>
        {
            var certificate = Build(issuance);
            var relint = SmimeLinter.Lint(certificate.RawData.Span, options: TestPki.LintOptions(legacy: issuance.AllowLegacy));
            return certificate.Lint.IsCompliant && relint.IsCompliant && relint.Profile == issuance.Request.Profile
                && certificate.Lint.Findings.Count == 0;
        });

    [Property(MaxTest = 200)]
    public Property Random_invalid_data_is_always_refused_naming_the_rule() =>
        Prop.ForAll(Arb.From(ValidIssuance.SelectMany(Break)), issuance =>
        {
            var ex = Assert.Throws<SmimeComplianceException>(() => Build(issuance));
            return SmimeLintRules.All.Any(r => r.Code == ex.Rule)
                && ex.Findings.Any(f => f.Code == issuance.ExpectedRule)
                && ex.Message.Contains(ex.Rule, StringComparison.Ordinal);
        });
}
