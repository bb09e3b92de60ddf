// README:begin src/Pki.Acme/README.md#1
using Pki.Acme;
// README:end

namespace Pki.Readme.Tests.Snippets.Acme;

/// <summary>Pki.Acme's README, "Example: a certificate over http-01".</summary>
public static class HttpChallengeExample
{
    public static async Task RunAsync(HttpClient http, Uri directoryUri)
    {
        // README:begin src/Pki.Acme/README.md#1
        // http: new HttpClient() (or one from IHttpClientFactory); directoryUri: the CA's ACME directory, e.g. AcmeClientOptions.LetsEncryptStaging
        var client = new AcmeClient(http, new AcmeClientOptions { DirectoryUri = directoryUri });

        // An account: keep its key (ExportPkcs8Pem / AcmeKey.ImportPem) to use the account again.
        using var accountKey = AcmeKey.Create(AcmeKeyAlgorithm.ES256);
        var account = await client.CreateAccountAsync(accountKey,
            new AcmeNewAccountRequest { TermsOfServiceAgreed = true, Contacts = ["mailto:ops@example.com"] });

        // The CA connects to port 80; the built-in responder serves /.well-known/acme-challenge/.
        var tokens = new InMemoryHttp01TokenStore();
        await using var responder = Http01Responder.Start(tokens, port: 80);

        var issuer = new AcmeCertificateIssuer(client);
        var issued = await issuer.IssueAsync(account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("www.example.com")] },
            [new Http01ChallengeSolver(tokens)]);

        File.WriteAllText("privkey.pem", issued.PrivateKeyPem);   // PKCS#8; keep it secret
        File.WriteAllText("fullchain.pem", issued.ChainPem);      // leaf first
        // README:end
    }
}
