using Pki.Acme;

namespace Pki.Readme.Tests.Snippets.Acme;

/// <summary>Pki.Acme's README, "External Account Binding, keys, revocation": the account.</summary>
public static class ExternalAccountBinding
{
    public static async Task<AcmeAccount> RunAsync(AcmeClient client, string keyId, string macKeyBase64Url)
    {
        // README:begin src/Pki.Acme/README.md#3
        // client as above; keyId and macKeyBase64Url: the EAB credentials the CA gave you
        var account = await client.CreateAccountAsync(AcmeKey.Create(),
            new AcmeNewAccountRequest
            {
                TermsOfServiceAgreed = true,
                ExternalAccountBinding = new AcmeExternalAccountBinding(keyId, macKeyBase64Url),
            });
        // README:end
        return account;
    }
}
