using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;

namespace Pki.Smime.Tests;

/// <summary>Malformed certificates, requests and keys get typed exceptions naming the problem.</summary>
public sealed class InputFormatTests
{
    [Fact]
    public void An_ecdsa_certification_request_gives_its_public_key_after_its_signature_verifies()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=ignored", key, HashAlgorithmName.SHA256).CreateSigningRequest();

        var publicKey = SmimePublicKey.FromCertificationRequest(csr);

        Assert.Equal(SmimeKeyAlgorithm.EcP256, publicKey.Algorithm);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), publicKey.SubjectPublicKeyInfo.ToArray());
    }

    [Fact]
    public void A_pem_rsa_certification_request_is_accepted_and_builds_a_certificate()
    {
        using var key = RSA.Create(2048);
        var pem = new CertificateRequest("CN=ignored", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequestPem();

        var publicKey = SmimePublicKey.FromCertificationRequest(Encoding.UTF8.GetBytes(pem));
        var certificate = TestPki.Builder().Build(TestPki.Request(TestPki.StrictMailbox) with { PublicKey = publicKey }, TestPki.Ca);

        Assert.Equal(SmimeKeyAlgorithm.Rsa, publicKey.Algorithm);
        Assert.Empty(certificate.Lint.Findings);
    }

    [Fact]
    public void An_ed25519_certification_request_is_verified()
    {
        var privateKey = new Ed25519PrivateKeyParameters(new SecureRandom());
        var csr = new Pkcs10CertificationRequest(new Asn1SignatureFactory("Ed25519", privateKey), new X509Name("CN=ignored"), privateKey.GeneratePublicKey(), null);

        var publicKey = SmimePublicKey.FromCertificationRequest(csr.GetEncoded());

        Assert.Equal(SmimeKeyAlgorithm.Ed25519, publicKey.Algorithm);
        Assert.Equal(privateKey.GeneratePublicKey().GetEncoded(), publicKey.SubjectPublicKeyInfo.Span[^32..].ToArray());
    }

    [Fact]
    public void A_certification_request_whose_signature_does_not_verify_is_refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=ignored", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        csr[^5] ^= 0x01; // inside the signature value

        var ex = Assert.Throws<SmimeFormatException>(() => SmimePublicKey.FromCertificationRequest(csr));

        Assert.True(
            ex.Message == "The certification request signature does not verify with its own public key (no proof of possession)."
            || ex.Message.StartsWith("The certification request signature (1.2.840.10045.4.3.2) could not be verified", StringComparison.Ordinal),
            ex.Message);
    }

    [Fact]
    public void A_certification_request_with_a_changed_subject_does_not_verify()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=aaaa", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        var index = csr.AsSpan().IndexOf("aaaa"u8);
        csr[index] = (byte)'b';

        var ex = Assert.Throws<SmimeFormatException>(() => SmimePublicKey.FromCertificationRequest(csr));

        Assert.Equal("The certification request signature does not verify with its own public key (no proof of possession).", ex.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 })]
    [InlineData(new byte[] { 0x04, 0x02, 0x00, 0x00 })]
    [InlineData(new byte[] { 0x30 })]
    public void Garbage_is_not_a_certification_request(byte[] data)
    {
        var ex = Assert.Throws<SmimeFormatException>(() => SmimePublicKey.FromCertificationRequest(data));

        Assert.StartsWith("The certification request is not a DER PKCS#10 CertificationRequest", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pem_without_a_request_block_is_refused()
    {
        var ex = Assert.Throws<SmimeFormatException>(() => SmimePublicKey.FromCertificationRequest("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"u8));

        Assert.Equal("The certification request text has no PEM block labelled 'CERTIFICATE REQUEST' or 'NEW CERTIFICATE REQUEST'.", ex.Message);
    }

    [Fact]
    public void Dsa_public_keys_are_refused_naming_the_algorithm_identifier()
    {
        using var dsa = DSA.Create(2048);
        var dsaSpki = dsa.ExportSubjectPublicKeyInfo();

        var ex = Assert.Throws<SmimeComplianceException>(() => SmimePublicKey.FromSubjectPublicKeyInfo(dsaSpki));

        Assert.Equal(SmimeLintRules.SpkiAlgorithmNotAllowed, ex.Rule);
        Assert.StartsWith("Refused by rule SPKI_ALGORITHM_NOT_ALLOWED (S/MIME BR 7.1.3.1): The public key algorithm identifier 308", ex.Message, StringComparison.Ordinal);
        Assert.Contains("06072a8648ce380401", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_key_inputs_are_refused()
    {
        Assert.Throws<SmimeFormatException>(() => SmimePublicKey.FromSubjectPublicKeyInfo([0x30, 0x00]));
        var shortKey = Assert.Throws<ArgumentException>(() => SmimePublicKey.FromEd25519(new byte[31]));
        var shortPrivate = Assert.Throws<ArgumentException>(() => SmimeKeyPair.FromEd25519PrivateKey(new byte[16]));
        var rsaSize = Assert.Throws<ArgumentOutOfRangeException>(() => SmimeKeyPair.Generate(SmimeKeyAlgorithm.Rsa, 1024));
        var ed448 = Assert.Throws<ArgumentOutOfRangeException>(() => SmimeKeyPair.Generate(SmimeKeyAlgorithm.Ed448));
        using var dsa = DSA.Create();
        var notRsa = Assert.Throws<ArgumentException>(() => SmimePublicKey.FromKey(dsa));

        Assert.StartsWith("An Ed25519 public key is 32 bytes, not 31.", shortKey.Message, StringComparison.Ordinal);
        Assert.StartsWith("An Ed25519 private key is 32 bytes, not 16.", shortPrivate.Message, StringComparison.Ordinal);
        Assert.StartsWith("RSA keys must be at least 2048 bits and a multiple of 8 (section 6.1.5).", rsaSize.Message, StringComparison.Ordinal);
        Assert.StartsWith("Key generation supports Rsa, EcP256, EcP384, EcP521 and Ed25519.", ed448.Message, StringComparison.Ordinal);
        Assert.StartsWith("Only RSA and ECDSA keys are supported here, not", notRsa.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_pairs_never_show_private_material()
    {
        var seed = new byte[32];
        seed[0] = 0xAB;
        using var key = SmimeKeyPair.FromEd25519PrivateKey(seed);

        Assert.Equal("SmimeKeyPair(Ed25519)", key.ToString());
        Assert.Equal("SmimePublicKey(Ed25519)", key.PublicKey.ToString());
    }

    [Fact]
    public void A_disposed_key_refuses_to_sign()
    {
        var key = SmimeKeyPair.Generate(SmimeKeyAlgorithm.EcP256);
        key.Dispose();

        Assert.Throws<ObjectDisposedException>(() => key.Sign([1, 2, 3]));
    }

    [Theory]
    [InlineData(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }, "The input (5 bytes) is not a DER X.509 certificate")]
    [InlineData(new byte[] { 0x01, 0x02 }, "The input (2 bytes) is not a DER X.509 certificate")]
    public void The_linter_refuses_input_that_is_not_a_certificate(byte[] data, string message)
    {
        var ex = Assert.Throws<SmimeFormatException>(() => SmimeLinter.Lint(data));

        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_linter_refuses_empty_input_and_pem_without_a_certificate()
    {
        var empty = Assert.Throws<SmimeFormatException>(() => SmimeLinter.Lint(ReadOnlySpan<byte>.Empty));
        var pem = Assert.Throws<SmimeFormatException>(() => SmimeLinter.Lint("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
        var base64 = Assert.Throws<SmimeFormatException>(() => SmimeLinter.Lint("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"));
        var noEnd = Assert.Throws<SmimeFormatException>(() => SmimeLinter.Lint("-----BEGIN CERTIFICATE-----\nAAAA\n"));

        Assert.Equal("The certificate input is empty.", empty.Message);
        Assert.Equal("The certificate text has no PEM block labelled 'CERTIFICATE'.", pem.Message);
        Assert.Equal("The certificate PEM block 'CERTIFICATE' is not valid base64.", base64.Message);
        Assert.Equal("The certificate PEM block 'CERTIFICATE' has no END line.", noEnd.Message);
    }

    [Fact]
    public void The_issuing_ca_must_be_a_ca_with_a_key_identifier_and_the_matching_key()
    {
        var leaf = TestPki.Builder().Build(TestPki.Request(TestPki.StrictMailbox), TestPki.Ca);
        using var otherKey = SmimeKeyPair.Generate(SmimeKeyAlgorithm.EcP256);
        var crl = new Uri("http://crl.example.test/x.crl");

        var notCa = Assert.Throws<ArgumentException>(() => new SmimeIssuingCa(leaf.RawData.Span, TestPki.Ca.Key, crl));
        var wrongKey = Assert.Throws<ArgumentException>(() => new SmimeIssuingCa(TestPki.Ca.Certificate.Span, otherKey, crl));
        var relative = Assert.Throws<ArgumentException>(() => new SmimeIssuingCa(TestPki.Ca.Certificate.Span, TestPki.Ca.Key, new Uri("/x.crl", UriKind.Relative)));
        var garbage = Assert.Throws<SmimeFormatException>(() => new SmimeIssuingCa(new byte[] { 1, 2, 3 }, TestPki.Ca.Key, crl));

        Assert.StartsWith("The issuing CA certificate does not have basicConstraints cA=true.", notCa.Message, StringComparison.Ordinal);
        Assert.StartsWith("The signing key's public key is not the public key of the issuing CA certificate.", wrongKey.Message, StringComparison.Ordinal);
        Assert.StartsWith("The CRL distribution point '/x.crl' is not an absolute URI.", relative.Message, StringComparison.Ordinal);
        Assert.StartsWith("The input (3 bytes) is not a DER X.509 certificate", garbage.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ca_certificate_without_subject_key_identifier_is_refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=No SKI CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = request.CreateSelfSigned(TestPki.Now.AddDays(-1), TestPki.Now.AddDays(30));
        using var pair = SmimeKeyPair.FromECDsa(key);

        var ex = Assert.Throws<ArgumentException>(() => new SmimeIssuingCa(ca.RawData, pair, new Uri("http://crl.example.test/x.crl")));

        Assert.StartsWith("The issuing CA certificate has no subjectKeyIdentifier", ex.Message, StringComparison.Ordinal);
    }
}
