using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pki.Ari.Tests;

internal static class TestCertificates
{
    // RFC 9773 section 4.1 example: AKI keyIdentifier 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4, serial 00:87:65:43:21.
    public static readonly byte[] Rfc9773KeyIdentifier = Convert.FromHexString("69885B6B87464041E1B37B847BA0AE2CDE01C8D4");
    public static readonly byte[] Rfc9773Serial = Convert.FromHexString("0087654321");

    /// <summary>A certificate with the given AKI keyIdentifier (none when null), serial and validity.</summary>
    public static X509Certificate2 Create(byte[]? authorityKeyId, byte[] serial, DateTimeOffset notBefore, DateTimeOffset notAfter, X509Extension? extra = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ari.example.test", key, HashAlgorithmName.SHA256);
        if (authorityKeyId is not null)
        {
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(authorityKeyId));
        }

        if (extra is not null)
        {
            request.CertificateExtensions.Add(extra);
        }

        return request.Create(new X500DistinguishedName("CN=Test Issuer"), X509SignatureGenerator.CreateForECDsa(key), notBefore, notAfter, serial);
    }
}
