using System.Security.Cryptography;
using Pki.Smime;

namespace Pki.Readme.Tests.Snippets.Smime;

/// <summary>Pki.Smime's README, an <see cref="SmimeIssuingCa"/> from a real CA's certificate and key.</summary>
public static class IssuingCa
{
    public static SmimeIssuingCa Run(ECDsa caKey)
    {
        // README:begin src/Pki.Smime/README.md#2
        // caKey: the CA's private key (an ECDsa); smime-ca.pem: its certificate
        var ca = new SmimeIssuingCa(File.ReadAllBytes("smime-ca.pem"), SmimeKeyPair.FromECDsa(caKey), new Uri("http://crl.example.com/smime.crl"))
        {
            CaIssuers = new Uri("http://ca.example.com/smime.cer"),
            IssuerDomainNames = ["ca.example.com"],                      // what CAA issuemail records name
        };
        // README:end
        return ca;
    }
}
