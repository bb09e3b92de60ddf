using Pki.Smime.Testing;

namespace Pki.Smime.Tests;

/// <summary>The README's opening example, kept compiling and passing.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void The_readme_example_issues_and_lints_a_strict_mailbox_certificate()
    {
        var path = Path.Combine(Path.GetTempPath(), $"alice-{Guid.NewGuid():N}.pem");
        try
        {
            // --- README example starts ---
            using var hierarchy = SmimeTestHierarchy.Create();            // root + S/MIME issuing CA, for tests and demos
            using var subscriberKey = SmimeKeyPair.Generate(SmimeKeyAlgorithm.EcP256);

            var request = new SmimeCertificateRequest
            {
                Profile = new SmimeProfile(SmimeValidationType.Mailbox, SmimeGeneration.Strict),
                Mailboxes = ["alice@example.com"],
                Subject = new SmimeSubject { CommonName = "alice@example.com" },
                PublicKey = subscriberKey.PublicKey,                         // or SmimePublicKey.FromCertificationRequest(csr)
            };

            var certificate = new SmimeCertificateBuilder().Build(request, hierarchy.IssuingCa);   // lints before it signs
            File.WriteAllText(path, certificate.ToPem());

            var report = SmimeLinter.Lint(File.ReadAllText(path));      // profile taken from the policy OID
            Console.WriteLine($"{report.Profile}: {(report.IsCompliant ? "compliant" : string.Join("; ", report.Errors))}");
            // --- README example ends ---

            Assert.True(report.IsCompliant);
            Assert.Equal(request.Profile, report.Profile);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
