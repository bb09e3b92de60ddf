using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;
using GeneralName = Org.BouncyCastle.Asn1.X509.GeneralName;
using GeneralNames = Org.BouncyCastle.Asn1.X509.GeneralNames;
using X509Extensions = Org.BouncyCastle.Asn1.X509.X509Extensions;
using X509Name = Org.BouncyCastle.Asn1.X509.X509Name;

namespace Pki.Acme.Tests.Unit;

/// <summary><see cref="AcmeCertificateVerifier"/> on its own, as Management and renewal code call it.</summary>
public sealed class CertificateVerifierTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly StubCa _ca = new(Now);
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _ca.Dispose();
        _key.Dispose();
    }

    private AcmeCertificateChain Chain(params X509Certificate2[] certificates) =>
        AcmeCertificateChain.FromPem(StubCa.Pem(certificates), new Uri("https://ca.test/cert/9"));

    [Fact]
    public void A_matching_chain_passes_and_its_key_may_be_given_from_the_csr()
    {
        AcmeIdentifier[] names = [AcmeIdentifier.Dns("a.example.test"), AcmeIdentifier.Ip(IPAddress.Parse("192.0.2.4"))];
        using var leaf = _ca.Leaf(new PublicKey(_key), names);
        var csrKey = AcmeCertificateVerifier.GetCsrSubjectPublicKeyInfo(CsrBuilder.Build(_key, names));

        Assert.Equal(_key.ExportSubjectPublicKeyInfo(), csrKey);
        AcmeCertificateVerifier.Verify(Chain(leaf, _ca.Intermediate, _ca.Root), csrKey, names, Now);
        AcmeCertificateVerifier.Verify(Chain(leaf), csrKey, names, Now); // a lone leaf has no chain to check
    }

    [Fact]
    public void An_rsa_leaf_under_an_ecdsa_intermediate_passes()
    {
        using var rsa = RSA.Create(2048);
        AcmeIdentifier[] names = [AcmeIdentifier.Dns("rsa.example.test")];
        using var leaf = _ca.Leaf(new PublicKey(rsa), names);

        AcmeCertificateVerifier.Verify(Chain(leaf, _ca.Intermediate), rsa.ExportSubjectPublicKeyInfo(), names, Now);
    }

    [Fact]
    public void The_same_key_in_another_encoding_is_the_same_key()
    {
        AcmeIdentifier[] names = [AcmeIdentifier.Dns("a.example.test")];
        using var leaf = _ca.Leaf(new PublicKey(_key), names);
        var uncompressed = (ECPublicKeyParameters)PublicKeyFactory.CreateKey(_key.ExportSubjectPublicKeyInfo());
        var compressed = new ECPublicKeyParameters("EC", uncompressed.Q.Normalize(), uncompressed.PublicKeyParamSet);
        var info = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(compressed);
        var compressedDer = new Org.BouncyCastle.Asn1.X509.SubjectPublicKeyInfo(info.Algorithm, compressed.Q.GetEncoded(compressed: true)).GetDerEncoded();
        Assert.NotEqual(_key.ExportSubjectPublicKeyInfo(), compressedDer);

        AcmeCertificateVerifier.Verify(Chain(leaf, _ca.Intermediate), compressedDer, names, Now);
    }

    [Fact]
    public void Validity_is_inclusive_of_notAfter_and_checked_for_every_certificate()
    {
        AcmeIdentifier[] names = [AcmeIdentifier.Dns("a.example.test")];
        var notAfter = Now.AddDays(1);
        using var leaf = _ca.Leaf(new PublicKey(_key), names, Now.AddDays(-1), notAfter);
        var chain = Chain(leaf, _ca.Intermediate);

        AcmeCertificateVerifier.Verify(chain, _key.ExportSubjectPublicKeyInfo(), names, notAfter);
        var expired = Assert.Throws<AcmeCertificateMismatchException>(() => AcmeCertificateVerifier.Verify(chain, _key.ExportSubjectPublicKeyInfo(), names, notAfter.AddSeconds(1)));
        Assert.Equal(AcmeCertificateMismatchReason.Expired, expired.Reason);
        Assert.Equal($"notAfter {notAfter.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}", expired.Actual);

        // Before the intermediate's notBefore (30 days before Now), the intermediate is reported.
        using var early = _ca.Leaf(new PublicKey(_key), names, Now.AddDays(-40), Now.AddDays(1));
        var notYet = Assert.Throws<AcmeCertificateMismatchException>(() => AcmeCertificateVerifier.Verify(Chain(early, _ca.Intermediate), _key.ExportSubjectPublicKeyInfo(), names, Now.AddDays(-35)));
        Assert.Equal(AcmeCertificateMismatchReason.NotYetValid, notYet.Reason);
        Assert.Equal(1, notYet.CertificateIndex);
    }

    [Fact]
    public void The_clock_skew_applies_to_notBefore_only()
    {
        AcmeIdentifier[] names = [AcmeIdentifier.Dns("a.example.test")];
        using var leaf = _ca.Leaf(new PublicKey(_key), names, Now.AddMinutes(3), Now.AddDays(1));
        var chain = Chain(leaf, _ca.Intermediate);

        Assert.Equal(AcmeCertificateMismatchReason.NotYetValid, Assert.Throws<AcmeCertificateMismatchException>(() => AcmeCertificateVerifier.Verify(chain, _key.ExportSubjectPublicKeyInfo(), names, Now)).Reason);
        AcmeCertificateVerifier.Verify(chain, _key.ExportSubjectPublicKeyInfo(), names, Now, AcmeCertificateVerifier.DefaultClockSkew);
        Assert.False(AcmeCertificateVerifier.TryVerify(chain, _key.ExportSubjectPublicKeyInfo(), names, Now.AddDays(1).AddSeconds(1), AcmeCertificateVerifier.DefaultClockSkew, out var mismatch));
        Assert.Equal(AcmeCertificateMismatchReason.Expired, mismatch!.Reason);
    }

    [Fact]
    public void A_leaf_without_subjectAltName_names_nothing()
    {
        using var leaf = _ca.Leaf(new PublicKey(_key), names: null!);

        var ex = Assert.Throws<AcmeCertificateMismatchException>(() => AcmeCertificateVerifier.Verify(Chain(leaf, _ca.Intermediate), _key.ExportSubjectPublicKeyInfo(), [AcmeIdentifier.Dns("a.example.test")], Now));

        Assert.Equal(AcmeCertificateMismatchReason.IdentifiersMismatch, ex.Reason);
        Assert.Equal("[]", ex.Actual);
    }

    [Fact]
    public void An_unreadable_subjectAltName_is_an_IdentifiersMismatch_not_a_crash()
    {
        var request = new CertificateRequest(new X500DistinguishedName("CN=Broken"), new PublicKey(_key), HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509Extension("2.5.29.17", [0x04, 0x01, 0x00], critical: false)); // an OCTET STRING, not GeneralNames
        using var leaf = request.Create(new X500DistinguishedName(StubCa.IntermediateName), X509SignatureGenerator.CreateForECDsa(_ca.IntermediateKey), Now.AddDays(-1), Now.AddDays(1), [7]);

        var ex = Assert.Throws<AcmeCertificateMismatchException>(() => AcmeCertificateVerifier.Verify(Chain(leaf, _ca.Intermediate), _key.ExportSubjectPublicKeyInfo(), [AcmeIdentifier.Dns("a.example.test")], Now));

        Assert.Equal(AcmeCertificateMismatchReason.IdentifiersMismatch, ex.Reason);
        Assert.Equal("(unreadable)", ex.Actual);
        Assert.Contains("the leaf certificate's subjectAltName cannot be read: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipv6_addresses_compare_by_value()
    {
        using var leaf = _ca.Leaf(new PublicKey(_key), [AcmeIdentifier.Ip(IPAddress.Parse("2001:db8::1"))]);

        AcmeCertificateVerifier.Verify(Chain(leaf, _ca.Intermediate), _key.ExportSubjectPublicKeyInfo(), [new AcmeIdentifier { Type = "ip", Value = "2001:DB8:0:0:0:0:0:1" }], Now);
    }

    [Fact]
    public void Bad_arguments_are_refused_by_name()
    {
        using var leaf = _ca.Leaf(new PublicKey(_key), [AcmeIdentifier.Dns("a.example.test")]);
        var chain = Chain(leaf);

        Assert.StartsWith("The expected key (3 bytes) is not a DER SubjectPublicKeyInfo", Assert.Throws<ArgumentException>(() => AcmeCertificateVerifier.Verify(chain, new byte[] { 1, 2, 3 }, [AcmeIdentifier.Dns("a.example.test")], Now)).Message, StringComparison.Ordinal);
        Assert.StartsWith("At least one identifier is needed", Assert.Throws<ArgumentException>(() => AcmeCertificateVerifier.Verify(chain, _key.ExportSubjectPublicKeyInfo(), [], Now)).Message, StringComparison.Ordinal);
        Assert.Equal("clockSkew", Assert.Throws<ArgumentException>(() => AcmeCertificateVerifier.Verify(chain, _key.ExportSubjectPublicKeyInfo(), [AcmeIdentifier.Dns("a.example.test")], Now, TimeSpan.FromSeconds(-1))).ParamName);
        Assert.Equal(AcmeProtocolError.MalformedCertificate, Assert.Throws<AcmeProtocolException>(() => AcmeCertificateChain.FromPem("no pem")).Error);
    }

    [Fact]
    public void A_leaf_under_an_Ed25519_intermediate_verifies_and_a_changed_signature_is_BadSignature()
    {
        var caKey = new Ed25519PrivateKeyParameters(new SecureRandom());
        var caName = new X509Name("CN=Ed25519 Intermediate");
        var ca = BcCertificate(caName, caName, caKey.GeneratePublicKey(), caKey, names: null);
        var leaf = BcCertificate(new X509Name("CN=Ed25519 Leaf"), caName, PublicKeyFactory.CreateKey(_key.ExportSubjectPublicKeyInfo()), caKey, "ed.example.test");
        AcmeIdentifier[] names = [AcmeIdentifier.Dns("ed.example.test")];

        AcmeCertificateVerifier.Verify(DerChain(leaf, ca), _key.ExportSubjectPublicKeyInfo(), names, Now);

        leaf[^1] ^= 0x01; // the last byte of the signature
        var ex = Assert.Throws<AcmeCertificateMismatchException>(() => AcmeCertificateVerifier.Verify(DerChain(leaf, ca), _key.ExportSubjectPublicKeyInfo(), names, Now));
        Assert.Equal(AcmeCertificateMismatchReason.BadSignature, ex.Reason);
        Assert.Equal("the signature does not verify", ex.Actual);
        Assert.Contains("with the public key of certificate 1 ('CN=Ed25519 Intermediate')", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signature_algorithm_without_a_verifier_is_BadSignature_naming_it()
    {
        var caKey = new Ed448PrivateKeyParameters(new SecureRandom());
        var caName = new X509Name("CN=Ed448 Intermediate");
        var ca = BcCertificate(caName, caName, caKey.GeneratePublicKey(), caKey, names: null, "Ed448");
        var leaf = BcCertificate(new X509Name("CN=Ed448 Leaf"), caName, PublicKeyFactory.CreateKey(_key.ExportSubjectPublicKeyInfo()), caKey, "ed.example.test", "Ed448");

        var ex = Assert.Throws<AcmeCertificateMismatchException>(() => AcmeCertificateVerifier.Verify(DerChain(leaf, ca), _key.ExportSubjectPublicKeyInfo(), [AcmeIdentifier.Dns("ed.example.test")], Now));

        Assert.Equal(AcmeCertificateMismatchReason.BadSignature, ex.Reason);
        Assert.StartsWith("the signature algorithm 1.3.101.113 is not supported", ex.Actual, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SHA256")]
    [InlineData("SHA384")]
    [InlineData("SHA512")]
    public void Rsa_pss_and_pkcs1_signatures_verify_and_fail_with_the_wrong_key(string hash)
    {
        var hashName = new HashAlgorithmName(hash);
        using var caKey = RSA.Create(2048);
        using var ca = new CertificateRequest("CN=Rsa Intermediate", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSelfSigned(Now.AddDays(-1), Now.AddDays(30));
        AcmeIdentifier[] names = [AcmeIdentifier.Dns("rsa.example.test")];
        foreach (var padding in new[] { RSASignaturePadding.Pss, RSASignaturePadding.Pkcs1 })
        {
            using var leaf = DotNetLeaf(ca.SubjectName, X509SignatureGenerator.CreateForRSA(caKey, padding), hashName, names);
            AcmeCertificateVerifier.Verify(Chain(leaf, ca), _key.ExportSubjectPublicKeyInfo(), names, Now);

            using var otherKey = RSA.Create(2048);
            using var forged = DotNetLeaf(ca.SubjectName, X509SignatureGenerator.CreateForRSA(otherKey, padding), hashName, names);
            Assert.Equal(AcmeCertificateMismatchReason.BadSignature, Assert.Throws<AcmeCertificateMismatchException>(() => AcmeCertificateVerifier.Verify(Chain(forged, ca), _key.ExportSubjectPublicKeyInfo(), names, Now)).Reason);
        }
    }

    [Fact]
    public void A_p384_ecdsa_sha384_signature_verifies_and_a_key_of_another_type_is_named()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var ca = new CertificateRequest("CN=P384 Intermediate", caKey, HashAlgorithmName.SHA384).CreateSelfSigned(Now.AddDays(-1), Now.AddDays(30));
        AcmeIdentifier[] names = [AcmeIdentifier.Dns("p384.example.test")];
        using var leaf = DotNetLeaf(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), HashAlgorithmName.SHA384, names);

        AcmeCertificateVerifier.Verify(Chain(leaf, ca), _key.ExportSubjectPublicKeyInfo(), names, Now);

        // The same issuer name on an RSA certificate: an ECDSA signature cannot be checked with it.
        using var rsa = RSA.Create(2048);
        using var rsaCa = new CertificateRequest("CN=P384 Intermediate", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSelfSigned(Now.AddDays(-1), Now.AddDays(30));
        var ex = Assert.Throws<AcmeCertificateMismatchException>(() => AcmeCertificateVerifier.Verify(Chain(leaf, rsaCa), _key.ExportSubjectPublicKeyInfo(), names, Now));
        Assert.Equal(AcmeCertificateMismatchReason.BadSignature, ex.Reason);
        Assert.Equal("an ECDSA signature cannot be checked with a RSA key", ex.Actual);
    }

    [Fact]
    public void Issuer_and_subject_names_compare_as_RFC_5280_section_7_1_allows()
    {
        AcmeIdentifier[] names = [AcmeIdentifier.Dns("a.example.test")];
        using var leaf = StubCa.Sign("CN=Stub Leaf", new PublicKey(_key), "CN=stub   INTERMEDIATE , O= pki tests", _ca.IntermediateKey, Now.AddDays(-1), Now.AddDays(1), names: names);

        AcmeCertificateVerifier.Verify(Chain(leaf, _ca.Intermediate), _key.ExportSubjectPublicKeyInfo(), names, Now);

        using var reordered = StubCa.Sign("CN=Stub Leaf", new PublicKey(_key), "O=Pki Tests, CN=Stub Intermediate", _ca.IntermediateKey, Now.AddDays(-1), Now.AddDays(1), names: names);
        var ex = Assert.Throws<AcmeCertificateMismatchException>(() => AcmeCertificateVerifier.Verify(Chain(reordered, _ca.Intermediate), _key.ExportSubjectPublicKeyInfo(), names, Now));
        Assert.Equal(AcmeCertificateMismatchReason.ChainOrder, ex.Reason);
        Assert.Equal("O=Pki Tests,CN=Stub Intermediate", ex.Actual);
    }

    [Fact]
    public void A_csr_that_is_not_pkcs10_is_a_configuration_error()
    {
        var ex = Assert.Throws<AcmeConfigurationException>(() => AcmeCertificateVerifier.GetCsrSubjectPublicKeyInfo(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x00 }));
        Assert.StartsWith("The CSR (5 bytes) is not a DER PKCS#10 certification request: ", ex.Message, StringComparison.Ordinal);

        var csr = new CertificateRequest("CN=x", _key, HashAlgorithmName.SHA256).CreateSigningRequest();
        Assert.Equal(_key.ExportSubjectPublicKeyInfo(), AcmeCertificateVerifier.GetCsrSubjectPublicKeyInfo(csr));
        Assert.Throws<AcmeConfigurationException>(() => AcmeCertificateVerifier.GetCsrSubjectPublicKeyInfo(csr.Concat(new byte[] { 0 }).ToArray()));
    }

    private X509Certificate2 DotNetLeaf(X500DistinguishedName issuer, X509SignatureGenerator generator, HashAlgorithmName hash, IEnumerable<AcmeIdentifier> names)
    {
        var request = new CertificateRequest("CN=Leaf", _key, hash);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            san.AddDnsName(name.Value);
        }

        request.CertificateExtensions.Add(san.Build());
        return request.Create(issuer, generator, Now.AddHours(-1), Now.AddDays(1), [1, 2, 3]);
    }

    private static byte[] BcCertificate(X509Name subject, X509Name issuer, Org.BouncyCastle.Crypto.AsymmetricKeyParameter publicKey, Org.BouncyCastle.Crypto.AsymmetricKeyParameter signer, string? names, string algorithm = "Ed25519")
    {
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(BcBigInteger.ValueOf(42));
        generator.SetSubjectDN(subject);
        generator.SetIssuerDN(issuer);
        generator.SetNotBefore(Now.UtcDateTime.AddDays(-1));
        generator.SetNotAfter(Now.UtcDateTime.AddDays(1));
        generator.SetPublicKey(publicKey);
        if (names is not null)
        {
            generator.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.DnsName, names)));
        }

        return generator.Generate(new Asn1SignatureFactory(algorithm, signer)).GetEncoded();
    }

    private static AcmeCertificateChain DerChain(params byte[][] certificates) =>
        AcmeCertificateChain.FromPem(string.Concat(certificates.Select(der => "-----BEGIN CERTIFICATE-----\n" + Convert.ToBase64String(der) + "\n-----END CERTIFICATE-----\n")), new Uri("https://ca.test/cert/9"));
}
