// README:begin src/Pki.Ari/README.md#1
using System.Security.Cryptography.X509Certificates;
using Pki.Acme;
using Pki.Ari;
// README:end

namespace Pki.Readme.Tests.Snippets.Ari;

/// <summary>Pki.Ari's README, "Example".</summary>
public static class RenewalExample
{
    public static async Task<RenewalPlan> RunAsync(HttpClient http, Uri directoryUri, AcmeAccount account, AcmeIssuanceRequest request, IReadOnlyList<IChallengeSolver> solvers)
    {
        // README:begin src/Pki.Ari/README.md#1
        // http: new HttpClient() (or one from IHttpClientFactory); directoryUri: the issuing CA's ACME directory, e.g. AcmeClientOptions.LetsEncryptProduction;
        // account, request and solvers: as for the first issuance (see Pki.Acme); fullchain.pem: the certificate to renew.
        var acme = new AcmeClient(http, new AcmeClientOptions { DirectoryUri = directoryUri });
        var renewalInfoUrl = (await acme.GetDirectoryAsync()).RenewalInfo;       // null when the CA has no ARI

        var planner = new RenewalPlanner(new RenewalInfoClient(http));
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText("fullchain.pem")); // the leaf, no key needed
        RenewalPlan plan = await planner.PlanAsync(new TrackedCertificate(certificate, renewalInfoUrl));

        Console.WriteLine($"{plan.CertId}: renew at {plan.RenewAt:u} ({plan.Reason}): {plan.Explanation}");
        // aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE: renew at 2025-01-02 13:12:00Z (AriWindow): Random time ... inside the CA's window ...

        if (plan.IsDue(DateTimeOffset.UtcNow))
        {
            // replaces = the old CertID, only towards the issuing CA and only if it has renewalInfo;
            // the issuer orders once more without it if the CA answers alreadyReplaced.
            var issuer = new AcmeCertificateIssuer(acme);
            var renewed = await AriRenewal.IssueRenewalAsync(issuer, account, request, solvers, certificate, predecessorDirectory: acme.DirectoryUri);
        }
        // README:end
        return plan;
    }
}
