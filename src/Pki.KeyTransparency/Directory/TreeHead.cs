using System.Security.Cryptography;
using Pki.KeyTransparency.TreeHeads;
using Pki.Shared.Edwards25519;
using Bc25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace Pki.KeyTransparency.Directory;

/// <summary>
/// A log's signed head (draft-ietf-keytrans-protocol section 11.2):
/// <code>
/// struct {
///   uint64 tree_size;
///   opaque signature&lt;0..2^16-1&gt;;
/// } TreeHead;
///
/// struct {
///   Configuration config;
///   uint64 tree_size;
///   opaque root[Hash.Nh];
/// } TreeHeadTBS;
/// </code>
/// The signature is the cipher suite's (section 11.1): ECDSA P-256 with SHA-256 as <c>r || s</c>, or Ed25519.
/// </summary>
/// <param name="TreeSize">The number of log entries.</param>
/// <param name="Signature">The signature over <c>TreeHeadTBS</c>.</param>
internal sealed record TreeHead(ulong TreeSize, byte[] Signature)
{
    private const int P256CoordinateSize = 32;

    /// <summary>Encodes <c>TreeHeadTBS</c>, the bytes the signature covers.</summary>
    /// <param name="config">The log's configuration.</param>
    /// <param name="treeSize">The number of log entries.</param>
    /// <param name="root">The log tree root at that size, 32 bytes.</param>
    /// <returns>The encoding.</returns>
    /// <exception cref="ArgumentException">The root is not 32 bytes.</exception>
    public static byte[] EncodeToBeSigned(LogConfiguration config, ulong treeSize, ReadOnlySpan<byte> root)
    {
        if (root.Length != KeyTransparencyCipherSuite.HashSize)
        {
            throw new ArgumentException($"TreeHeadTBS.root is {KeyTransparencyCipherSuite.HashSize} bytes (Hash.Nh); got {root.Length}.", nameof(root));
        }

        var writer = new TlsWriter();
        config.Write(writer);
        writer.WriteUInt64(treeSize);
        writer.WriteFixed(root);
        return writer.ToArray();
    }

    /// <summary>Signs a head with the P-256 key of a <see cref="KeyTransparencyCipherSuite.P256"/> log.</summary>
    /// <param name="config">The log's configuration; its <c>signature_public_key</c> must be this key's.</param>
    /// <param name="treeSize">The number of log entries.</param>
    /// <param name="root">The log tree root at that size.</param>
    /// <param name="key">The P-256 private key.</param>
    /// <returns>The signed head.</returns>
    /// <exception cref="ArgumentException">The suite is not P-256 or the key is not the configured one.</exception>
    public static TreeHead Sign(LogConfiguration config, ulong treeSize, ReadOnlySpan<byte> root, ECDsa key)
    {
        CheckSuite(config, TreeHeadSignatureAlgorithm.EcdsaP256Sha256);
        TreeHeadVerifier.CheckP256(key, nameof(key));
        if (!EncodeP256PublicKey(key).AsSpan().SequenceEqual(config.SignaturePublicKey))
        {
            throw new ArgumentException("The ECDSA key is not the one in Configuration.signature_public_key.", nameof(key));
        }

        return new TreeHead(treeSize, key.SignData(EncodeToBeSigned(config, treeSize, root), HashAlgorithmName.SHA256));
    }

    /// <summary>Signs a head with the Ed25519 key (32-byte RFC 8032 seed) of a <see cref="KeyTransparencyCipherSuite.Ed25519"/> log.</summary>
    /// <param name="config">The log's configuration; its <c>signature_public_key</c> must be this key's.</param>
    /// <param name="treeSize">The number of log entries.</param>
    /// <param name="root">The log tree root at that size.</param>
    /// <param name="seed">The 32-byte private key.</param>
    /// <returns>The signed head.</returns>
    /// <exception cref="ArgumentException">The suite is not Ed25519, or the key is malformed or not the configured one.</exception>
    public static TreeHead Sign(LogConfiguration config, ulong treeSize, ReadOnlySpan<byte> root, ReadOnlySpan<byte> seed)
    {
        CheckSuite(config, TreeHeadSignatureAlgorithm.Ed25519);
        if (seed.Length != Bc25519.SecretKeySize)
        {
            throw new ArgumentException($"An Ed25519 private key is {Bc25519.SecretKeySize} bytes; got {seed.Length}.", nameof(seed));
        }

        var secret = seed.ToArray();
        try
        {
            var publicKey = new byte[Bc25519.PublicKeySize];
            Bc25519.GeneratePublicKey(secret, 0, publicKey, 0);
            if (!publicKey.AsSpan().SequenceEqual(config.SignaturePublicKey))
            {
                throw new ArgumentException("The Ed25519 key is not the one in Configuration.signature_public_key.", nameof(seed));
            }

            var data = EncodeToBeSigned(config, treeSize, root);
            var signature = new byte[Bc25519.SignatureSize];
            Bc25519.Sign(secret, 0, data, 0, data.Length, signature, 0);
            return new TreeHead(treeSize, signature);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>The <c>signature_public_key</c> encoding of a P-256 key: the uncompressed SEC 1 point <c>04 || X || Y</c>.</summary>
    /// <param name="key">A P-256 key.</param>
    /// <returns>65 bytes.</returns>
    public static byte[] EncodeP256PublicKey(ECDsa key)
    {
        var q = key.ExportParameters(false).Q;
        var encoded = new byte[1 + (2 * P256CoordinateSize)];
        encoded[0] = 0x04;
        q.X!.CopyTo(encoded, 1);
        q.Y!.CopyTo(encoded, 1 + P256CoordinateSize);
        return encoded;
    }

    /// <summary>Verifies the signature over <c>TreeHeadTBS</c> with the configuration's key and suite.</summary>
    /// <param name="config">The log's configuration.</param>
    /// <param name="root">The log tree root the verifier computed for <see cref="TreeSize"/>.</param>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.SignatureInvalid"/>: a malformed key or signature, or one that does not verify.</exception>
    public void Verify(LogConfiguration config, ReadOnlySpan<byte> root)
    {
        var data = EncodeToBeSigned(config, TreeSize, root);
        var problem = config.CipherSuite.SignatureAlgorithm == TreeHeadSignatureAlgorithm.Ed25519
            ? VerifyEd25519(config.SignaturePublicKey, data)
            : VerifyP256(config.SignaturePublicKey, data);
        if (problem is not null)
        {
            throw new DirectoryProofException(
                DirectoryProofFailure.SignatureInvalid,
                $"The {config.CipherSuite.Name} tree head signature over tree size {TreeSize} was rejected: {problem}.");
        }
    }

    /// <summary>Encodes the head.</summary>
    /// <returns>The TLS encoding.</returns>
    public byte[] Encode()
    {
        var writer = new TlsWriter(10 + Signature.Length);
        writer.WriteUInt64(TreeSize);
        writer.WriteOpaque(Signature, 2, "TreeHead.signature");
        return writer.ToArray();
    }

    /// <summary>Decodes a head.</summary>
    /// <param name="encoded">The encoding, nothing after it.</param>
    /// <returns>The head.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.Malformed"/>.</exception>
    public static TreeHead Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new TlsReader(encoded, nameof(TreeHead));
        var head = new TreeHead(reader.ReadUInt64("tree_size"), reader.ReadOpaque(2, "signature"));
        reader.End();
        return head;
    }

    private static void CheckSuite(LogConfiguration config, TreeHeadSignatureAlgorithm algorithm)
    {
        if (config.CipherSuite.SignatureAlgorithm != algorithm)
        {
            throw new ArgumentException($"The log uses {config.CipherSuite.Name}, whose tree heads are signed with {config.CipherSuite.SignatureAlgorithm}, not {algorithm}.", nameof(config));
        }
    }

    // Each returns null when the signature verifies, or why it does not.
    private string? VerifyEd25519(byte[] publicKey, byte[] data)
    {
        if (publicKey.Length != Bc25519.PublicKeySize || !EdwardsPoint.TryDecode(publicKey, out var point) || point.MultiplyByCofactor().IsIdentity())
        {
            return $"Configuration.signature_public_key ({publicKey.Length} bytes) is not an RFC 8032 Ed25519 public key of large order";
        }

        if (Signature.Length != Bc25519.SignatureSize)
        {
            return $"an Ed25519 signature is {Bc25519.SignatureSize} bytes, this one {Signature.Length}";
        }

        return Bc25519.Verify(Signature, 0, publicKey, 0, data, 0, data.Length) ? null : "it does not verify under Configuration.signature_public_key";
    }

    private string? VerifyP256(byte[] publicKey, byte[] data)
    {
        if (publicKey.Length != 1 + (2 * P256CoordinateSize) || publicKey[0] != 0x04)
        {
            return $"Configuration.signature_public_key ({publicKey.Length} bytes) is not an uncompressed P-256 point (65 bytes starting with 04)";
        }

        if (Signature.Length != 2 * P256CoordinateSize)
        {
            return $"a P-256 signature is r || s, {2 * P256CoordinateSize} bytes, this one {Signature.Length}";
        }

        ECDsa key;
        try
        {
            key = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = publicKey.AsSpan(1, P256CoordinateSize).ToArray(), Y = publicKey.AsSpan(1 + P256CoordinateSize).ToArray() },
            });
        }
        catch (CryptographicException e)
        {
            return $"Configuration.signature_public_key is not a point on P-256 ({e.Message})";
        }

        using (key)
        {
            return key.VerifyData(data, Signature, HashAlgorithmName.SHA256) ? null : "it does not verify under Configuration.signature_public_key";
        }
    }
}
