using System.Formats.Asn1;
using System.Security.Cryptography;
using Pki.Shared.Edwards25519;

namespace Pki.Acme.Internal;

/// <summary>
/// A DER SubjectPublicKeyInfo (RFC 5280 section 4.1.2.7) read with System.Formats.Asn1: comparing two
/// encodings of one key, and checking certificate signatures made with it (RSA PKCS#1 v1.5 and PSS,
/// ECDSA, Ed25519) with .NET's own RSA and ECDsa and the repository's Ed25519.
/// </summary>
/// <remarks>
/// <code>
/// SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
/// AlgorithmIdentifier  ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY DEFINED BY algorithm OPTIONAL }
/// </code>
/// </remarks>
internal sealed class PublicKeyInfo
{
    public const string EcPublicKeyOid = "1.2.840.10045.2.1";
    public const string RsaEncryptionOid = "1.2.840.113549.1.1.1";
    public const string RsaPssOid = "1.2.840.113549.1.1.10";
    public const string Ed25519Oid = "1.3.101.112";

    private const AsnEncodingRules Der = AsnEncodingRules.DER;
    private const string Mgf1Oid = "1.2.840.113549.1.1.8";

    private PublicKeyInfo(ReadOnlyMemory<byte> encoded, string algorithm, ReadOnlyMemory<byte>? parameters, byte[] key)
    {
        Encoded = encoded;
        Algorithm = algorithm;
        Parameters = parameters;
        Key = key;
    }

    /// <summary>The DER encoding this was read from.</summary>
    public ReadOnlyMemory<byte> Encoded { get; }

    /// <summary>The key algorithm OID.</summary>
    public string Algorithm { get; }

    /// <summary>The algorithm parameters (DER), or null when absent.</summary>
    public ReadOnlyMemory<byte>? Parameters { get; }

    /// <summary>The subjectPublicKey bits.</summary>
    public byte[] Key { get; }

    private bool IsRsa => Algorithm is RsaEncryptionOid or RsaPssOid;

    /// <summary>Reads a DER SubjectPublicKeyInfo; nothing may follow it.</summary>
    /// <exception cref="AsnContentException">Not a DER SubjectPublicKeyInfo.</exception>
    public static PublicKeyInfo Read(ReadOnlyMemory<byte> der)
    {
        var reader = new AsnReader(der, Der);
        var info = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        var (algorithm, parameters) = ReadAlgorithmIdentifier(info);
        var key = info.ReadBitString(out var unusedBits);
        info.ThrowIfNotEmpty();
        if (unusedBits != 0)
        {
            throw new AsnContentException("The subjectPublicKey BIT STRING has unused bits.");
        }

        return new PublicKeyInfo(der, algorithm, parameters, key);
    }

    /// <summary>
    /// True when <paramref name="other"/> is the same key in another encoding: an EC point compressed
    /// or not on the same curve (named, or explicit parameters .NET reads as the same curve), an RSA
    /// modulus and exponent under either RSA OID, or the same Ed25519 point.
    /// </summary>
    public bool SameKey(PublicKeyInfo other)
    {
        try
        {
            if (IsRsa && other.IsRsa)
            {
                var (n1, e1) = ReadRsaPublicKey(Key);
                var (n2, e2) = ReadRsaPublicKey(other.Key);
                return n1.SequenceEqual(n2) && e1.SequenceEqual(e2);
            }

            if (Algorithm != other.Algorithm)
            {
                return false;
            }

            return Algorithm switch
            {
                EcPublicKeyOid => CompressedPoint(Key) is { } p1 && CompressedPoint(other.Key) is { } p2 && p1.AsSpan().SequenceEqual(p2) && SameCurve(other),
                Ed25519Oid => Key.AsSpan().SequenceEqual(other.Key),
                _ => false,
            };
        }
        catch (Exception ex) when (ex is AsnContentException or CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// Checks <paramref name="signature"/> over <paramref name="data"/> under the DER AlgorithmIdentifier
    /// <paramref name="signatureAlgorithm"/> with this key.
    /// </summary>
    /// <returns>Null when the signature verifies; otherwise why not, fit for a message.</returns>
    public string? VerifySignature(ReadOnlySpan<byte> data, ReadOnlyMemory<byte> signatureAlgorithm, byte[] signature)
    {
        try
        {
            var reader = new AsnReader(signatureAlgorithm, Der);
            var (oid, parameters) = ReadAlgorithmIdentifier(reader);
            reader.ThrowIfNotEmpty();
            var valid = oid switch
            {
                "1.2.840.113549.1.1.5" => VerifyRsa(data, signature, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1),
                "1.2.840.113549.1.1.11" => VerifyRsa(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
                "1.2.840.113549.1.1.12" => VerifyRsa(data, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
                "1.2.840.113549.1.1.13" => VerifyRsa(data, signature, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
                RsaPssOid => VerifyRsa(data, signature, PssHash(parameters), RSASignaturePadding.Pss),
                "1.2.840.10045.4.1" => VerifyEcdsa(data, signature, HashAlgorithmName.SHA1),
                "1.2.840.10045.4.3.2" => VerifyEcdsa(data, signature, HashAlgorithmName.SHA256),
                "1.2.840.10045.4.3.3" => VerifyEcdsa(data, signature, HashAlgorithmName.SHA384),
                "1.2.840.10045.4.3.4" => VerifyEcdsa(data, signature, HashAlgorithmName.SHA512),
                Ed25519Oid => VerifyEd25519(data, signature),
                _ => throw new NotSupportedException($"the signature algorithm {oid} is not supported (RSA PKCS#1 v1.5 or PSS, ECDSA with SHA-1/256/384/512, or Ed25519 are)"),
            };
            return valid ? null : "the signature does not verify";
        }
        catch (Exception ex) when (ex is AsnContentException or CryptographicException or NotSupportedException)
        {
            return ex.Message;
        }
    }

    private static (string Oid, ReadOnlyMemory<byte>? Parameters) ReadAlgorithmIdentifier(AsnReader reader)
    {
        var algorithm = reader.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        ReadOnlyMemory<byte>? parameters = algorithm.HasData ? algorithm.ReadEncodedValue() : null;
        algorithm.ThrowIfNotEmpty();
        return (oid, parameters);
    }

    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 appendix A.1.1), both as unsigned big-endian.
    private static (byte[] Modulus, byte[] Exponent) ReadRsaPublicKey(byte[] key)
    {
        var reader = new AsnReader(key, Der);
        var sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        var modulus = Unsigned(sequence.ReadIntegerBytes().Span);
        var exponent = Unsigned(sequence.ReadIntegerBytes().Span);
        sequence.ThrowIfNotEmpty();
        return (modulus, exponent);
    }

    private static byte[] Unsigned(ReadOnlySpan<byte> integer)
    {
        if (integer[0] >= 0x80)
        {
            throw new AsnContentException("An RSA public key integer is negative.");
        }

        return (integer.Length > 1 && integer[0] == 0 ? integer.Slice(1) : integer).ToArray();
    }

    // SEC 1 section 2.3.3: 04 || X || Y (uncompressed), 02/03 || X (compressed), 06/07 || X || Y (hybrid); all become 02/03 || X.
    private static byte[]? CompressedPoint(byte[] point)
    {
        if (point.Length >= 3 && point.Length % 2 == 1 && point[0] is 0x04 or 0x06 or 0x07)
        {
            var x = point.AsSpan(1, point.Length / 2);
            var compressed = new byte[1 + x.Length];
            compressed[0] = (byte)(0x02 | (point[^1] & 1));
            x.CopyTo(compressed.AsSpan(1));
            return point[0] == 0x04 || (point[0] & 1) == compressed[0] - 2 ? compressed : null;
        }

        return point.Length >= 2 && point[0] is 0x02 or 0x03 ? point : null;
    }

    private bool SameCurve(PublicKeyInfo other)
    {
        if (Parameters is { } mine && other.Parameters is { } theirs && mine.Span.SequenceEqual(theirs.Span))
        {
            return true;
        }

        // Named against explicit parameters: .NET reads both (only keys with an uncompressed point import).
        using var a = ECDsa.Create();
        using var b = ECDsa.Create();
        a.ImportSubjectPublicKeyInfo(Encoded.Span, out _);
        b.ImportSubjectPublicKeyInfo(other.Encoded.Span, out _);
        var ca = a.ExportExplicitParameters(includePrivateParameters: false).Curve;
        var cb = b.ExportExplicitParameters(includePrivateParameters: false).Curve;
        return ca.Prime.AsSpan().SequenceEqual(cb.Prime) && ca.A.AsSpan().SequenceEqual(cb.A) && ca.B.AsSpan().SequenceEqual(cb.B)
            && ca.G.X.AsSpan().SequenceEqual(cb.G.X) && ca.G.Y.AsSpan().SequenceEqual(cb.G.Y) && ca.Order.AsSpan().SequenceEqual(cb.Order);
    }

    private bool VerifyRsa(ReadOnlySpan<byte> data, byte[] signature, HashAlgorithmName hash, RSASignaturePadding padding)
    {
        if (!IsRsa)
        {
            throw new NotSupportedException($"an RSA signature cannot be checked with a {Describe(Algorithm)} key");
        }

        using var rsa = RSA.Create();
        rsa.ImportRSAPublicKey(Key, out var read);
        if (read != Key.Length)
        {
            throw new CryptographicException("The RSAPublicKey is followed by unexpected bytes.");
        }

        return rsa.VerifyData(data, signature, hash, padding);
    }

    // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] DEFAULT sha1, maskGenAlgorithm [1] DEFAULT mgf1SHA1,
    //     saltLength [2] INTEGER DEFAULT 20, trailerField [3] INTEGER DEFAULT 1 } (RFC 8017 appendix A.2.3).
    // .NET verifies PSS with MGF1 over the message hash and a salt as long as that hash, so only those are accepted.
    private static HashAlgorithmName PssHash(ReadOnlyMemory<byte>? parameters)
    {
        if (parameters is null)
        {
            throw new NotSupportedException("the RSASSA-PSS signature algorithm has no parameters");
        }

        var reader = new AsnReader(parameters.Value, Der);
        var sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        var hashOid = "1.3.14.3.2.26";
        var mgfHashOid = "1.3.14.3.2.26";
        var saltLength = 20;
        var trailer = 1;
        for (var field = 0; field < 4 && sequence.HasData; field++)
        {
            var tag = new Asn1Tag(TagClass.ContextSpecific, field, isConstructed: true);
            if (!sequence.PeekTag().HasSameClassAndValue(tag))
            {
                continue;
            }

            var value = sequence.ReadSequence(tag);
            switch (field)
            {
                case 0:
                    hashOid = ReadAlgorithmIdentifier(value).Oid;
                    break;
                case 1:
                    var (mgf, mgfParameters) = ReadAlgorithmIdentifier(value);
                    if (mgf != Mgf1Oid || mgfParameters is null)
                    {
                        throw new NotSupportedException($"the RSASSA-PSS mask generation function {mgf} is not supported (MGF1 is)");
                    }

                    mgfHashOid = ReadAlgorithmIdentifier(new AsnReader(mgfParameters.Value, Der)).Oid;
                    break;
                case 2:
                    saltLength = value.TryReadInt32(out var salt) ? salt : -1;
                    break;
                default:
                    trailer = value.TryReadInt32(out var trailerField) ? trailerField : -1;
                    break;
            }

            value.ThrowIfNotEmpty();
        }

        sequence.ThrowIfNotEmpty();
        var (hash, size) = hashOid switch
        {
            "1.3.14.3.2.26" => (HashAlgorithmName.SHA1, 20),
            "2.16.840.1.101.3.4.2.1" => (HashAlgorithmName.SHA256, 32),
            "2.16.840.1.101.3.4.2.2" => (HashAlgorithmName.SHA384, 48),
            "2.16.840.1.101.3.4.2.3" => (HashAlgorithmName.SHA512, 64),
            _ => throw new NotSupportedException($"the RSASSA-PSS hash {hashOid} is not supported (SHA-1/256/384/512 are)"),
        };
        if (mgfHashOid != hashOid || saltLength != size || trailer != 1)
        {
            throw new NotSupportedException($"RSASSA-PSS with MGF1 hash {mgfHashOid}, salt length {saltLength} and trailer {trailer} is not supported (MGF1 with the message hash {hashOid}, a salt of {size} bytes and trailer 1 are)");
        }

        return hash;
    }

    private bool VerifyEcdsa(ReadOnlySpan<byte> data, byte[] signature, HashAlgorithmName hash)
    {
        if (Algorithm != EcPublicKeyOid)
        {
            throw new NotSupportedException($"an ECDSA signature cannot be checked with a {Describe(Algorithm)} key");
        }

        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(Encoded.Span, out _);
#if NET8_0_OR_GREATER
        return ecdsa.VerifyData(data, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
#else
        var fieldSize = (ecdsa.KeySize + 7) / 8;
        return EcdsaSignatureEncoding.ToP1363(signature, fieldSize) is { } p1363 && ecdsa.VerifyData(data, p1363, hash);
#endif
    }

    private bool VerifyEd25519(ReadOnlySpan<byte> data, byte[] signature)
    {
        if (Algorithm != Ed25519Oid)
        {
            throw new NotSupportedException($"an Ed25519 signature cannot be checked with a {Describe(Algorithm)} key");
        }

        return Ed25519.Verify(Key, data, signature);
    }

    private static string Describe(string algorithm) => algorithm switch
    {
        EcPublicKeyOid => "EC",
        RsaEncryptionOid or RsaPssOid => "RSA",
        Ed25519Oid => "Ed25519",
        _ => algorithm,
    };
}
