// README:begin README.md#1
using Pki.Acme;
// README:end

namespace Pki.Readme.Tests.Snippets.Root;

/// <summary>The root README, "Getting a certificate".</summary>
public static class GettingACertificate
{
    public static async Task<AcmeIssuedCertificate> RunAsync(HttpClient http, Uri directoryUri)
    {
        // README:begin README.md#1
        // http: new HttpClient() (or one from IHttpClientFactory); directoryUri: the CA's ACME directory, e.g. AcmeClientOptions.LetsEncryptStaging
        var client = new AcmeClient(http, new AcmeClientOptions { DirectoryUri = directoryUri });
        using var accountKey = AcmeKey.Create();
        var account = await client.CreateAccountAsync(accountKey, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });

        var tokens = new InMemoryHttp01TokenStore();
        await using var responder = Http01Responder.Start(tokens, port: 80);
        var issuer = new AcmeCertificateIssuer(client);   // the section 7.1 flow over the protocol client
        var issued = await issuer.IssueAsync(account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("www.example.com")] },
            [new Http01ChallengeSolver(tokens)]);
        // issued.PrivateKeyPem, issued.ChainPem (leaf first)
        // README:end
        return issued;
    }
}
