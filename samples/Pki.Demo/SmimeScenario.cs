using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pki.Smime;
using Pki.Smime.Testing;

namespace Pki.Demo;

/// <summary>
/// Pki.Smime: issue S/MIME certificates that meet the CA/Browser Forum S/MIME Baseline Requirements from a
/// throw-away test hierarchy, and lint any certificate against them.
/// </summary>
internal sealed class SmimeScenario : IDemoScenario
{
    public int Order => 40;

    public Command CreateCommand()
    {
        var command = new Command("smime", "S/MIME certificates per the CA/Browser Forum S/MIME Baseline Requirements: issue from a test hierarchy, or lint a certificate.");
        command.Subcommands.Add(CreateIssueCommand());
        command.Subcommands.Add(CreateLintCommand());
        command.SetAction(async (ParseResult _, CancellationToken cancellationToken) => await RunOfflineAsync(Console.Out, cancellationToken));
        return command;
    }

    public async Task<int> RunOfflineAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync("Issuing a Strict Mailbox-validated P-256 certificate from a fresh test hierarchy (CAA issuemail not checked: the .test hierarchy is not in DNS).");
        return await IssueAsync(output, "mailbox", "strict", "alice@example.test", "p256", outFile: null, new SubjectOverrides(null, null, null, null, null), cancellationToken);
    }

    private static Command CreateIssueCommand()
    {
        var type = new Option<string>("--type") { Description = "Validation type (section 7.1.6.1)", DefaultValueFactory = _ => "mailbox" };
        type.AcceptOnlyFromAmong("mailbox", "organization", "sponsor", "individual");
        var generation = new Option<string>("--generation") { Description = "Profile generation (Legacy is no longer issued, SMC08)", DefaultValueFactory = _ => "strict" };
        generation.AcceptOnlyFromAmong("strict", "multipurpose");
        var email = new Option<string>("--email") { Description = "Mailbox address for the subjectAltName", Required = true };
        var key = new Option<string>("--key") { Description = "Subscriber key type", DefaultValueFactory = _ => "p256" };
        key.AcceptOnlyFromAmong("p256", "p384", "rsa2048", "ed25519");
        var output = new Option<FileInfo?>("--out") { Description = "Write the certificate as PEM to this file" };
        var organization = new Option<string?>("--organization") { Description = "organizationName (Organization, Sponsor)" };
        var organizationIdentifier = new Option<string?>("--organization-identifier") { Description = "organizationIdentifier, e.g. NTRGB-12345678" };
        var givenName = new Option<string?>("--given-name") { Description = "givenName (Sponsor, Individual)" };
        var surname = new Option<string?>("--surname") { Description = "surname (Sponsor, Individual)" };
        var country = new Option<string?>("--country") { Description = "countryName, two letters" };

        var issue = new Command("issue", "Build a test hierarchy, issue one certificate, lint it and print it.");
        foreach (var option in new Option[] { type, generation, email, key, output, organization, organizationIdentifier, givenName, surname, country })
        {
            issue.Options.Add(option);
        }

        issue.SetAction(async (ParseResult result, CancellationToken cancellationToken) => await IssueAsync(
            Console.Out,
            result.GetValue(type)!,
            result.GetValue(generation)!,
            result.GetValue(email)!,
            result.GetValue(key)!,
            result.GetValue(output),
            new SubjectOverrides(result.GetValue(organization), result.GetValue(organizationIdentifier), result.GetValue(givenName), result.GetValue(surname), result.GetValue(country)),
            cancellationToken));
        return issue;
    }

    private static Command CreateLintCommand()
    {
        var file = new Argument<FileInfo>("file") { Description = "Certificate file, DER or PEM" };
        var lint = new Command("lint", "Lint a certificate against the S/MIME BR profile named by its policy OID.");
        lint.Arguments.Add(file);
        lint.SetAction(async (ParseResult result, CancellationToken cancellationToken) => await LintAsync(Console.Out, result.GetValue(file)!, cancellationToken));
        return lint;
    }

    private sealed record SubjectOverrides(string? Organization, string? OrganizationIdentifier, string? GivenName, string? Surname, string? Country);

    private static async Task<int> IssueAsync(
        TextWriter output, string type, string generation, string email, string keyName, FileInfo? outFile, SubjectOverrides overrides, CancellationToken cancellationToken)
    {
        var profile = SmimeProfile.Parse(type, generation);
        var algorithm = keyName switch
        {
            "p384" => SmimeKeyAlgorithm.EcP384,
            "rsa2048" => SmimeKeyAlgorithm.Rsa,
            "ed25519" => SmimeKeyAlgorithm.Ed25519,
            _ => SmimeKeyAlgorithm.EcP256,
        };

        using var hierarchy = SmimeTestHierarchy.Create();
        using var subscriberKey = SmimeKeyPair.Generate(algorithm);
        var request = new SmimeCertificateRequest
        {
            Profile = profile,
            Mailboxes = [email],
            Subject = ExampleSubject(profile.Type, email, overrides),
            PublicKey = subscriberKey.PublicKey,
        };

        SmimeCertificate certificate;
        try
        {
            certificate = new SmimeCertificateBuilder().Build(request, hierarchy.IssuingCa);
        }
        catch (SmimeComplianceException ex)
        {
            await output.WriteLineAsync($"Refused: {ex.Message}");
            foreach (var finding in ex.Findings.Skip(1))
            {
                await output.WriteLineAsync($"  {finding}");
            }

            return 2;
        }

        await PrintSummaryAsync(output, certificate.RawData.ToArray(), certificate.Lint);
        if (outFile is not null)
        {
            await File.WriteAllTextAsync(outFile.FullName, certificate.ToPem(), cancellationToken);
            await output.WriteLineAsync($"Wrote {outFile.FullName}");
        }

        return 0;
    }

    private static async Task<int> LintAsync(TextWriter output, FileInfo file, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            await output.WriteLineAsync($"No such file: {file.FullName}");
            return 2;
        }

        var bytes = await File.ReadAllBytesAsync(file.FullName, cancellationToken);
        SmimeLintReport report;
        try
        {
            report = SmimeLinter.Lint(bytes);
        }
        catch (SmimeFormatException ex)
        {
            await output.WriteLineAsync($"Not a certificate: {ex.Message}");
            return 2;
        }

        await PrintSummaryAsync(output, ToDer(bytes), report);
        return report.IsCompliant ? 0 : 1;
    }

    private static byte[] ToDer(byte[] bytes) =>
        PemEncoding.TryFindUtf8(bytes, out var fields)
            ? Convert.FromBase64String(System.Text.Encoding.ASCII.GetString(bytes.AsSpan()[fields.Base64Data]))
            : bytes;

    /// <summary>Fills the subject fields each type requires with example data, unless given.</summary>
    private static SmimeSubject ExampleSubject(SmimeValidationType type, string email, SubjectOverrides o)
    {
        var organization = o.Organization ?? "Example Widgets Ltd";
        var country = o.Country ?? "GB";
        var organizationIdentifier = o.OrganizationIdentifier ?? $"NTR{country}-12345678";
        var given = o.GivenName ?? "Alice";
        var surname = o.Surname ?? "Example";
        return type switch
        {
            SmimeValidationType.Mailbox => new SmimeSubject { CommonName = email },
            SmimeValidationType.Organization => new SmimeSubject
            {
                CommonName = organization, OrganizationName = organization, OrganizationIdentifier = organizationIdentifier, Country = country,
            },
            SmimeValidationType.Sponsor => new SmimeSubject
            {
                CommonName = $"{given} {surname}", GivenName = given, Surname = surname, OrganizationName = organization,
                OrganizationIdentifier = organizationIdentifier, Country = country,
            },
            _ => new SmimeSubject { CommonName = $"{given} {surname}", GivenName = given, Surname = surname, Country = country },
        };
    }

    private static async Task PrintSummaryAsync(TextWriter output, byte[] der, SmimeLintReport report)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        await output.WriteLineAsync($"Subject:      {(certificate.Subject.Length == 0 ? "(empty)" : certificate.Subject)}");
        await output.WriteLineAsync($"Issuer:       {certificate.Issuer}");
        await output.WriteLineAsync($"Serial:       {certificate.SerialNumber}");
        await output.WriteLineAsync($"Validity:     {certificate.NotBefore.ToUniversalTime():u} .. {certificate.NotAfter.ToUniversalTime():u}");
        await output.WriteLineAsync($"Profile:      {report.Profile?.ToString() ?? "(no reserved S/MIME policy)"}");
        await output.WriteLineAsync($"Key:          {certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value}, signed with {certificate.SignatureAlgorithm.FriendlyName ?? certificate.SignatureAlgorithm.Value}");
        await output.WriteLineAsync($"Mailbox:      {certificate.GetNameInfo(X509NameType.EmailName, forIssuer: false)}");

        if (certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is { } keyUsage)
        {
            await output.WriteLineAsync($"Key usage:    {keyUsage.KeyUsages}{(keyUsage.Critical ? " (critical)" : string.Empty)}");
        }

        if (certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } eku)
        {
            await output.WriteLineAsync($"EKU:          {string.Join(", ", eku.EnhancedKeyUsages.Cast<Oid>().Select(u => u.FriendlyName ?? u.Value))}");
        }

        await output.WriteLineAsync(report.Findings.Count == 0
            ? "Lint:         clean (no findings)"
            : $"Lint:         {report.Findings.Count} finding(s){(report.IsCompliant ? ", no errors" : string.Empty)}");
        foreach (var finding in report.Findings)
        {
            await output.WriteLineAsync($"  {finding}");
        }
    }
}
