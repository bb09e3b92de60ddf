// README:begin src/Pki.Smime/README.md#3
using Pki.Caa;
// README:end
using Pki.Smime;

namespace Pki.Readme.Tests.Snippets.Smime;

/// <summary>Pki.Smime's README, issuance with the CAA issuemail check.</summary>
public static class IssuancePipeline
{
    public static async Task<SmimeCertificate> RunAsync(SmimeCertificateRequest request, SmimeIssuingCa ca, string nameServer, CancellationToken cancellationToken)
    {
        // README:begin src/Pki.Smime/README.md#3
        // request and ca as above; nameServer: the resolver to ask, e.g. "127.0.0.1:5353" (without NameServers, the system's resolvers answer).
        var caa = new CaaEvaluator(new DnsCaaResolver(new DnsCaaResolverOptions { NameServers = { nameServer } }));
        var pipeline = new SmimeIssuancePipeline(new SmimeCertificateBuilder(), new CaaIssueMailAuthorizer(caa));
        var certificate = await pipeline.IssueAsync(request, ca, cancellationToken);   // SmimeIssuanceDeniedException on denied/indeterminate
        // README:end
        return certificate;
    }
}
