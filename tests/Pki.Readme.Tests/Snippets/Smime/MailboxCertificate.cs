// README:begin src/Pki.Smime/README.md#1
using Pki.Smime;
using Pki.Smime.Testing;   // SmimeTestHierarchy: a throw-away CA for tests and demos
// README:end

namespace Pki.Readme.Tests.Snippets.Smime;

/// <summary>Pki.Smime's README, the opening example.</summary>
public static class MailboxCertificate
{
    public static (SmimeCertificateRequest Request, SmimeLintReport Report) Run()
    {
        // README:begin src/Pki.Smime/README.md#1
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
        File.WriteAllText("alice.pem", certificate.ToPem());

        var report = SmimeLinter.Lint(File.ReadAllText("alice.pem"));  // profile taken from the policy OID
        Console.WriteLine($"{report.Profile}: {(report.IsCompliant ? "compliant" : string.Join("; ", report.Errors))}");
        // README:end
        return (request, report);
    }
}
