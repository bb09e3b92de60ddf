using Pki.Acme;

namespace Pki.Readme.Tests.Snippets.Acme;

/// <summary>Pki.Acme's README, "External Account Binding, keys, revocation": key rollover and both ways to revoke.</summary>
public static class KeysAndRevocation
{
    public static async Task<AcmeAccount> RunAsync(AcmeClient client, AcmeAccount account, AcmeIssuedCertificate issued, AcmeIssuedCertificate leaked)
    {
        // README:begin src/Pki.Acme/README.md#4
        // client and account as above; issued and leaked: certificates the account ordered
        account = await client.ChangeAccountKeyAsync(account, AcmeKey.Create(AcmeKeyAlgorithm.ES384));
        await client.RevokeCertificateAsync(account, issued.Chain.Certificates[0], AcmeRevocationReason.Superseded);

        // A certificate's own key revokes it too, without the account:
        using var certificateKey = AcmeKey.ImportPem(leaked.PrivateKeyPem!);
        await client.RevokeCertificateAsync(certificateKey, leaked.Chain.Certificates[0], AcmeRevocationReason.KeyCompromise);
        // README:end
        return account;
    }
}
