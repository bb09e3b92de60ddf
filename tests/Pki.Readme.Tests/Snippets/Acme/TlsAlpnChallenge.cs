using Pki.Acme;

namespace Pki.Readme.Tests.Snippets.Acme;

/// <summary>Pki.Acme's README, "Challenges": tls-alpn-01 with the built-in responder.</summary>
public static class TlsAlpnChallenge
{
    public static async Task<AcmeIssuedCertificate> RunAsync(AcmeCertificateIssuer issuer, AcmeAccount account)
    {
        // README:begin src/Pki.Acme/README.md#2
        // issuer and account as in the example above; the CA connects to port 443.
        var alpnStore = new InMemoryTlsAlpn01ChallengeStore();
        await using var alpnResponder = TlsAlpn01Responder.Start(alpnStore, new System.Net.IPEndPoint(System.Net.IPAddress.Any, 443));
        var alpnIssued = await issuer.IssueAsync(account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("alpn.example.com")] },
            [new TlsAlpn01ChallengeSolver(alpnStore)]);
        // README:end
        return alpnIssued;
    }
}
