using System.Formats.Asn1;
using System.Security.Cryptography;
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

    /// <summary>The section 7.1.3.1 key algorithm the <c>AlgorithmIdentifier</c> names; the builder picks the keyUsage row from it.</summary>
    public SmimeKeyAlgorithm Algorithm { get; }

    /// <summary>The DER <c>SubjectPublicKeyInfo</c>, copied byte for byte into the certificate.</summary>
    public ReadOnlyMemory<byte> SubjectPublicKeyInfo => _subjectPublicKeyInfo;

    /// <summary>Takes a DER <c>SubjectPublicKeyInfo</c>.</summary>
    /// <param name="subjectPublicKeyInfo">A DER <c>SubjectPublicKeyInfo</c>, e.g. from <c>AsymmetricAlgorithm.ExportSubjectPublicKeyInfo</c>.</param>
    /// <exception cref="SmimeFormatException">The bytes are not a SubjectPublicKeyInfo.</exception>
    /// <exception cref="SmimeComplianceException">The algorithm identifier is not one of section 7.1.3.1 (rule <see cref="SmimeLintRules.SpkiAlgorithmNotAllowed"/>).</exception>
    public static SmimePublicKey FromSubjectPublicKeyInfo(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        var der = subjectPublicKeyInfo.ToArray();
        ReadOnlyMemory<byte> encoded;
        try
        {
            // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var spki = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            encoded = spki.ReadEncodedValue();
            if (new AsnReader(encoded, AsnEncodingRules.DER).PeekTag() != Asn1Tag.Sequence)
            {
                throw new AsnContentException("the algorithm is not an AlgorithmIdentifier SEQUENCE");
            }

            _ = spki.ReadBitString(out _);
            if (spki.HasData)
            {
                throw new AsnContentException("a SubjectPublicKeyInfo has two elements");
            }
        }
        catch (AsnContentException ex)
        {
            throw new SmimeFormatException($"The public key is not a DER SubjectPublicKeyInfo: {ex.Message}", ex);
        }

        var keyAlgorithm = AlgorithmIdentifiers.KeyAlgorithmOf(encoded.Span)
            ?? throw new SmimeComplianceException(
                SmimeLintRules.SpkiAlgorithmNotAllowed, "7.1.3.1",
                $"The public key algorithm identifier {HexText.Of(encoded.Span)} is not one of the encodings of section 7.1.3.1 (RSA, EC P-256/P-384/P-521 named curve, Ed25519, Ed448).");
        return new SmimePublicKey(der, keyAlgorithm);
    }

    /// <summary>Takes the public part of an RSA or ECDSA key.</summary>
    /// <param name="key">An <see cref="RSA"/> or <see cref="ECDsa"/> key.</param>
    /// <exception cref="ArgumentException">The key is neither RSA nor ECDSA.</exception>
    public static SmimePublicKey FromKey(AsymmetricAlgorithm key)
    {
        ArgumentNullException.ThrowIfNull(key);
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

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(AlgorithmIdentifiers.Ed25519);
            writer.WriteBitString(publicKey);
        }

        return new SmimePublicKey(writer.Encode(), SmimeKeyAlgorithm.Ed25519);
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
        ReadOnlyMemory<byte> spki;
        try
        {
            csr = new Pkcs10CertificationRequest(der);

            // CertificationRequest ::= SEQUENCE { certificationRequestInfo SEQUENCE { version, subject, subjectPKInfo, [0] attributes }, ... }
            var info = new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadSequence();
            _ = info.ReadEncodedValue();
            _ = info.ReadEncodedValue();
            spki = info.ReadEncodedValue();
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or InvalidCastException or FormatException or InvalidOperationException or AsnContentException)
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

        return FromSubjectPublicKeyInfo(spki.Span);
    }

    /// <inheritdoc/>
    public override string ToString() => $"SmimePublicKey({Algorithm})";
}
