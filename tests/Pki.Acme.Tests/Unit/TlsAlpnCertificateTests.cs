using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Pki.Acme.Tests.Unit;

public sealed class TlsAlpnCertificateTests
{
    [Fact]
    public void The_validation_certificate_has_the_critical_acme_identifier_and_only_the_identifier_as_san()
    {
        using var certificate = TlsAlpn01Certificate.Create(AcmeIdentifier.Dns("a.example.test"), "tok.thumb");

        var extension = certificate.Extensions.Cast<X509Extension>().Single(e => e.Oid!.Value == TlsAlpn01Certificate.AcmeIdentifierOid);
        Assert.True(extension.Critical);
        Assert.Equal([0x04, 0x20, .. SHA256.HashData(Encoding.UTF8.GetBytes("tok.thumb"))], extension.RawData);
        Assert.Equal(["a.example.test"], certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.True(certificate.HasPrivateKey);
    }
}
