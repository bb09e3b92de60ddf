using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Pkcs;
using Pki.Smime.Internal;

namespace Pki.Smime;

/// <summary>
/// A subscriber public key as it goes into the certificate: a DER <c>SubjectPublicKeyInfo</c> whose
/// algorithm identifier is one of the byte-exact encodings of section 7.1.3.1.
/// </summary>
public sealed class SmimePublicKey
{
    private readonly byte[] _subjectPublicKeyInfo;

    private SmimePublicKey(byte[] subjectPublicKeyInfo, SmimeKeyAlgorithm algorithm)
    {
        _subjectPublicKeyInfo = subjectPublicKeyInfo;
        Algorithm = algorithm;
    }

    /// <summary>The key type.</summary>
    public SmimeKeyAlgorithm Algorithm { get; }

    /// <summary>The DER <c>SubjectPublicKeyInfo</c>.</summary>
    public ReadOnlyMemory<byte> SubjectPublicKeyInfo => _subjectPublicKeyInfo;

    /// <summary>Takes a DER <c>SubjectPublicKeyInfo</c>.</summary>
    /// <param name="subjectPublicKeyInfo">DER bytes.</param>
    /// <exception cref="SmimeFormatException">The bytes are not a SubjectPublicKeyInfo.</exception>
    /// <exception cref="SmimeComplianceException">The algorithm identifier is not one of section 7.1.3.1 (rule <see cref="SmimeLintRules.SpkiAlgorithmNotAllowed"/>).</exception>
    public static SmimePublicKey FromSubjectPublicKeyInfo(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        var der = subjectPublicKeyInfo.ToArray();
        Asn1Sequence algorithm;
        try
        {
            var spki = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(der));
            if (spki.Count != 2)
            {
                throw new ArgumentException("a SubjectPublicKeyInfo has two elements");
            }

            algorithm = Asn1Sequence.GetInstance(spki[0]);
            _ = DerBitString.GetInstance(spki[1]);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or InvalidCastException or FormatException)
        {
            throw new SmimeFormatException($"The public key is not a DER SubjectPublicKeyInfo: {ex.Message}", ex);
        }

        var encoded = algorithm.GetEncoded(Asn1Encodable.Der);
        var keyAlgorithm = AlgorithmIdentifiers.KeyAlgorithmOf(encoded)
            ?? throw new SmimeComplianceException(
                SmimeLintRules.SpkiAlgorithmNotAllowed, "7.1.3.1",
                $"The public key algorithm identifier {HexText.Of(encoded)} is not one of the encodings of section 7.1.3.1 (RSA, EC P-256/P-384/P-521 named curve, Ed25519, Ed448).");
        return new SmimePublicKey(der, keyAlgorithm);
    }

    /// <summary>Takes the public part of an RSA or ECDSA key.</summary>
    /// <param name="key">An <see cref="RSA"/> or <see cref="ECDsa"/> key.</param>
    /// <exception cref="ArgumentException">The key is neither RSA nor ECDSA.</exception>
    public static SmimePublicKey FromKey(AsymmetricAlgorithm key)
    {
        Guard.NotNull(key, nameof(key));
        if (key is not RSA and not ECDsa)
        {
            throw new ArgumentException($"Only RSA and ECDSA keys are supported here, not {key.GetType().Name}; use FromEd25519 for Ed25519.", nameof(key));
        }

        return FromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>Takes a raw 32-byte Ed25519 public key (RFC 8032).</summary>
    /// <param name="publicKey">The 32-byte encoded point.</param>
    /// <exception cref="ArgumentException">The key is not 32 bytes.</exception>
    public static SmimePublicKey FromEd25519(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != 32)
        {
            throw new ArgumentException($"An Ed25519 public key is 32 bytes, not {publicKey.Length}.", nameof(publicKey));
        }

        var spki = new DerSequence(
            Asn1Object.FromByteArray(AlgorithmIdentifiers.Ed25519),
            new DerBitString(publicKey.ToArray())).GetEncoded(Asn1Encodable.Der);
        return new SmimePublicKey(spki, SmimeKeyAlgorithm.Ed25519);
    }

    /// <summary>
    /// Takes the public key of a PKCS#10 certification request (DER or PEM) after verifying the request's
    /// signature (proof of possession). The request's subject and attributes are not used: subject data
    /// comes from the validated <see cref="SmimeSubject"/>.
    /// </summary>
    /// <param name="request">DER bytes, or PEM text (<c>CERTIFICATE REQUEST</c>) as UTF-8 bytes.</param>
    /// <exception cref="SmimeFormatException">The request is malformed or its signature does not verify.</exception>
    public static SmimePublicKey FromCertificationRequest(ReadOnlySpan<byte> request)
    {
        var der = Pem.DerOrPem(request, "certification request", "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");
        Pkcs10CertificationRequest csr;
        SubjectPublicKeyInfo spki;
        try
        {
            csr = new Pkcs10CertificationRequest(der);
            spki = csr.GetCertificationRequestInfo().SubjectPublicKeyInfo;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or InvalidCastException or FormatException or InvalidOperationException)
        {
            throw new SmimeFormatException($"The certification request is not a DER PKCS#10 CertificationRequest: {ex.Message}", ex);
        }

        bool verified;
        try
        {
            verified = csr.Verify();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new SmimeFormatException(
                $"The certification request signature ({csr.SignatureAlgorithm.Algorithm.Id}) could not be verified: {ex.Message}", ex);
        }

        if (!verified)
        {
            throw new SmimeFormatException("The certification request signature does not verify with its own public key (no proof of possession).");
        }

        return FromSubjectPublicKeyInfo(spki.GetEncoded(Asn1Encodable.Der));
    }

    /// <inheritdoc/>
    public override string ToString() => $"SmimePublicKey({Algorithm})";
}
