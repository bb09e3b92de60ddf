using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Pki.Acme.Management.NetStandard.Tests;

/// <summary>
/// Pki.Acme's netstandard2.1 build without BouncyCastle: ECDSA certificate signatures are turned from
/// DER into IEEE P1363 by hand there (no DSASignatureFormat), and Ed25519 keys hash with the SHA-512 polyfill.
/// </summary>
public sealed class AcmeCryptoNetStandardTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_loaded_client_is_the_netstandard21_build() =>
        Assert.Equal(".NETStandard,Version=v2.1", typeof(AcmeCertificateVerifier).Assembly.GetCustomAttributes(typeof(System.Runtime.Versioning.TargetFrameworkAttribute), false).Cast<System.Runtime.Versioning.TargetFrameworkAttribute>().Single().FrameworkName);

    [Theory]
    [InlineData("nistP256", "SHA256")]
    [InlineData("nistP384", "SHA384")]
    [InlineData("nistP521", "SHA512")]
    public void Ecdsa_chains_verify_and_a_foreign_signature_is_BadSignature(string curve, string hash)
    {
        using var caKey = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve));
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = new CertificateRequest("CN=NetStandard CA", caKey, new HashAlgorithmName(hash)).CreateSelfSigned(Now.AddDays(-1), Now.AddDays(30));
        AcmeIdentifier[] names = [AcmeIdentifier.Dns("ns.example.test")];

        using var leaf = Leaf(leafKey, ca.SubjectName, caKey, hash);
        AcmeCertificateVerifier.Verify(Chain(leaf, ca), leafKey.ExportSubjectPublicKeyInfo(), names, Now);

        using var impostor = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve));
        using var forged = Leaf(leafKey, ca.SubjectName, impostor, hash);
        var ex = Assert.Throws<AcmeCertificateMismatchException>(() => AcmeCertificateVerifier.Verify(Chain(forged, ca), leafKey.ExportSubjectPublicKeyInfo(), names, Now));
        Assert.Equal(AcmeCertificateMismatchReason.BadSignature, ex.Reason);
    }

    [Fact]
    public void The_rfc_8410_Ed25519_key_imports_with_its_public_key_and_round_trips()
    {
        const string Pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n";
        using var key = AcmeKey.ImportPem(Pem);

        Assert.Equal("""{"crv":"Ed25519","kty":"OKP","x":"Gb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE"}""", Encoding.UTF8.GetString(key.JwkJson.ToArray()));
        using var again = AcmeKey.ImportPkcs8(key.ExportPkcs8());
        Assert.Equal(key.Thumbprint, again.Thumbprint);
    }

    private static X509Certificate2 Leaf(ECDsa key, X500DistinguishedName issuer, ECDsa signer, string hash)
    {
        var request = new CertificateRequest("CN=Leaf", key, new HashAlgorithmName(hash));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("ns.example.test");
        request.CertificateExtensions.Add(san.Build());
        return request.Create(issuer, X509SignatureGenerator.CreateForECDsa(signer), Now.AddHours(-1), Now.AddDays(1), [7, 7]);
    }

    private static AcmeCertificateChain Chain(params X509Certificate2[] certificates) =>
        AcmeCertificateChain.FromPem(string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n")), new Uri("https://ca.test/cert/1"));
}
