using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Pki.Shared;

/// <summary>
/// PKCS#8 private keys (RFC 5208 / RFC 5958), one implementation linked into every package that loads
/// or stores keys: the algorithm is read from the PrivateKeyInfo with System.Formats.Asn1, EC and RSA
/// keys are imported into .NET's own types, Ed25519 keys are read to their 32-byte seed (.NET has no
/// Ed25519 type; the caller signs with <c>Pki.Shared.Edwards25519</c>).
/// Every temporary copy of key bytes is zeroed; messages never contain key material.
/// </summary>
internal static class PrivateKeyCodec
{
    public const string PemLabel = "PRIVATE KEY";
    public const string EcPublicKeyOid = "1.2.840.10045.2.1";
    public const string RsaEncryptionOid = "1.2.840.113549.1.1.1";
    public const string Ed25519Oid = "1.3.101.112";

    /// <summary>The privateKeyAlgorithm OID of a DER PrivateKeyInfo (or OneAsymmetricKey).</summary>
    /// <exception cref="PrivateKeyFormatException">The bytes are not a DER PrivateKeyInfo.</exception>
    public static string ReadAlgorithm(ReadOnlySpan<byte> pkcs8)
    {
        try
        {
            const AsnEncodingRules Der = AsnEncodingRules.DER;
            AsnDecoder.ReadSequence(pkcs8, Der, out var offset, out var length, out var consumed);
            if (consumed != pkcs8.Length)
            {
                throw new PrivateKeyFormatException($"The PKCS#8 PrivateKeyInfo is followed by {pkcs8.Length - consumed} unexpected bytes.");
            }

            var info = pkcs8.Slice(offset, length);
            _ = AsnDecoder.ReadIntegerBytes(info, Der, out consumed); // version: 0 (v1) or 1 (v2, RFC 5958)
            info = info.Slice(consumed);
            AsnDecoder.ReadSequence(info, Der, out offset, out length, out consumed);
            var oid = AsnDecoder.ReadObjectIdentifier(info.Slice(offset, length), Der, out _);
            info = info.Slice(consumed);
            AsnDecoder.ReadEncodedValue(info, Der, out _, out _, out _); // privateKey OCTET STRING
            return oid;
        }
        catch (AsnContentException ex)
        {
            throw new PrivateKeyFormatException("The data is not a DER PKCS#8 PrivateKeyInfo: " + ex.Message, ex);
        }
    }

    /// <summary>An EC (P-256/384/521) or RSA key from DER PKCS#8; the caller owns (disposes) it.</summary>
    /// <exception cref="PrivateKeyFormatException">Not PKCS#8, not EC or RSA, or refused by the platform.</exception>
    public static AsymmetricAlgorithm ImportEcOrRsa(ReadOnlySpan<byte> pkcs8)
    {
        var oid = ReadAlgorithm(pkcs8);
        AsymmetricAlgorithm key = oid switch
        {
            EcPublicKeyOid => ECDsa.Create(),
            RsaEncryptionOid => RSA.Create(),
            Ed25519Oid => throw new PrivateKeyFormatException("The key is Ed25519; .NET has no Ed25519 type, so this key cannot be used here."),
            _ => throw new PrivateKeyFormatException($"Unsupported private key algorithm {oid}: use EC P-256/P-384/P-521 or RSA."),
        };

        try
        {
            // ImportPkcs8PrivateKey takes a span on every target; the platform copies it.
            switch (key)
            {
                case ECDsa ec:
                    ec.ImportPkcs8PrivateKey(pkcs8, out _);
                    break;
                case RSA rsa:
                    rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                    break;
            }

            return key;
        }
        catch (CryptographicException ex)
        {
            key.Dispose();
            throw new PrivateKeyFormatException($"The {(oid == EcPublicKeyOid ? "EC" : "RSA")} private key could not be imported: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The 32-byte seed of a DER PKCS#8 Ed25519 key (RFC 8410 section 7: the privateKey OCTET STRING
    /// holds a CurvePrivateKey, itself an OCTET STRING), and the public key when a v2 OneAsymmetricKey
    /// (RFC 5958) carries one. The seed is copied into <paramref name="seed"/>; no other copy is made.
    /// </summary>
    /// <returns>The optional public key (32 bytes), or null when the key has none.</returns>
    /// <exception cref="PrivateKeyFormatException">Not a DER PKCS#8 Ed25519 key, parameters present, or a seed that is not 32 bytes.</exception>
    public static byte[]? ReadEd25519Seed(ReadOnlySpan<byte> pkcs8, Span<byte> seed)
    {
        const AsnEncodingRules Der = AsnEncodingRules.DER;
        try
        {
            AsnDecoder.ReadSequence(pkcs8, Der, out var offset, out var length, out var consumed);
            if (consumed != pkcs8.Length)
            {
                throw new PrivateKeyFormatException($"The PKCS#8 PrivateKeyInfo is followed by {pkcs8.Length - consumed} unexpected bytes.");
            }

            var info = pkcs8.Slice(offset, length);
            if (!AsnDecoder.TryReadInt32(info, Der, out var version, out consumed) || version is not (0 or 1))
            {
                throw new PrivateKeyFormatException("The PKCS#8 version is neither 0 (v1) nor 1 (v2).");
            }

            info = info.Slice(consumed);
            AsnDecoder.ReadSequence(info, Der, out offset, out length, out consumed);
            var algorithm = info.Slice(offset, length);
            var oid = AsnDecoder.ReadObjectIdentifier(algorithm, Der, out var oidLength);
            if (oid != Ed25519Oid)
            {
                throw new PrivateKeyFormatException($"The key's algorithm is {oid}, not Ed25519 ({Ed25519Oid}).");
            }

            if (oidLength != algorithm.Length)
            {
                throw new PrivateKeyFormatException("The Ed25519 AlgorithmIdentifier has parameters; RFC 8410 section 3 says they MUST be absent.");
            }

            info = info.Slice(consumed);
            if (!AsnDecoder.TryReadPrimitiveOctetString(info, Der, out var privateKey, out consumed)
                || !AsnDecoder.TryReadPrimitiveOctetString(privateKey, Der, out var curvePrivateKey, out var innerLength)
                || innerLength != privateKey.Length)
            {
                throw new PrivateKeyFormatException("The Ed25519 privateKey is not an OCTET STRING holding one CurvePrivateKey OCTET STRING (RFC 8410 section 7).");
            }

            if (curvePrivateKey.Length != seed.Length)
            {
                throw new PrivateKeyFormatException($"An Ed25519 private key is {seed.Length} bytes; this one has {curvePrivateKey.Length}.");
            }

            info = info.Slice(consumed);
            var attributes = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
            if (!info.IsEmpty && Asn1Tag.Decode(info, out _) == attributes)
            {
                AsnDecoder.ReadEncodedValue(info, Der, out _, out _, out consumed);
                info = info.Slice(consumed);
            }

            byte[]? publicKey = null;
            if (!info.IsEmpty)
            {
                publicKey = AsnDecoder.ReadBitString(info, Der, out var unusedBits, out consumed, new Asn1Tag(TagClass.ContextSpecific, 1));
                if (version != 1 || unusedBits != 0 || consumed != info.Length)
                {
                    throw new PrivateKeyFormatException("Only a v2 key may carry a publicKey [1] BIT STRING, and nothing may follow it.");
                }
            }

            curvePrivateKey.CopyTo(seed);
            return publicKey;
        }
        catch (AsnContentException ex)
        {
            throw new PrivateKeyFormatException("The data is not a DER PKCS#8 Ed25519 private key: " + ex.Message, ex);
        }
    }

    /// <summary>
    /// A DER PKCS#8 Ed25519 key (RFC 8410 section 7) for <paramref name="seed"/>; with a public key it is
    /// a v2 OneAsymmetricKey carrying it (RFC 5958), as BouncyCastle writes it. Treat the result as a secret.
    /// </summary>
    /// <exception cref="ArgumentException">The seed is not 32 bytes.</exception>
    public static byte[] WriteEd25519(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> publicKey)
    {
        if (seed.Length != 32)
        {
            throw new ArgumentException($"An Ed25519 private key (seed) is 32 bytes; got {seed.Length}.", nameof(seed));
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(publicKey.IsEmpty ? 0 : 1);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Ed25519Oid);
            }

            // privateKey OCTET STRING { CurvePrivateKey OCTET STRING }: two header bytes, then the seed.
            Span<byte> curvePrivateKey = stackalloc byte[2 + 32];
            try
            {
                curvePrivateKey[0] = 0x04;
                curvePrivateKey[1] = (byte)seed.Length;
                seed.CopyTo(curvePrivateKey.Slice(2));
                writer.WriteOctetString(curvePrivateKey.Slice(0, 2 + seed.Length));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(curvePrivateKey);
            }

            if (!publicKey.IsEmpty)
            {
                writer.WriteBitString(publicKey, 0, new Asn1Tag(TagClass.ContextSpecific, 1));
            }
        }

        var der = new byte[writer.GetEncodedLength()];
        writer.Encode(der);
        writer.Reset();
        return der;
    }

    /// <summary>An EC or RSA key from PEM text holding exactly one <c>PRIVATE KEY</c> block.</summary>
    /// <exception cref="PrivateKeyFormatException">No block, several blocks, broken PEM, or a key <see cref="ImportEcOrRsa"/> refuses.</exception>
    public static AsymmetricAlgorithm ImportPem(string pem)
    {
        List<byte[]> blocks;
        try
        {
            blocks = PemCodec.DecodeAll(pem, PemLabel);
        }
        catch (PemFormatException ex)
        {
            throw new PrivateKeyFormatException(ex.Message, ex);
        }

        try
        {
            if (blocks.Count != 1)
            {
                throw new PrivateKeyFormatException($"Expected one PEM '{PemLabel}' block (PKCS#8), found {blocks.Count}.");
            }

            return ImportEcOrRsa(blocks[0]);
        }
        finally
        {
            foreach (var block in blocks)
            {
                CryptographicOperations.ZeroMemory(block);
            }
        }
    }

    /// <summary>The key as one PEM <c>PRIVATE KEY</c> block (PKCS#8, 64-column base64).</summary>
    public static string ExportPem(AsymmetricAlgorithm key)
    {
        var der = key.ExportPkcs8PrivateKey();
        try
        {
            return PemCodec.Encode(PemLabel, der);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }
}

/// <summary>A private key that is not usable PKCS#8; the message names the problem, never the key.</summary>
internal sealed class PrivateKeyFormatException : FormatException
{
    public PrivateKeyFormatException()
    {
    }

    public PrivateKeyFormatException(string message)
        : base(message)
    {
    }

    public PrivateKeyFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
