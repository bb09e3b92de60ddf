using System.Security.Cryptography;
using Bc25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace Pki.KeyTransparency.TreeHeads;

/// <summary>Signs tree heads with an ECDSA P-256 key or an Ed25519 key. Dispose it to release (and zero) the key.</summary>
public sealed class TreeHeadSigner : IDisposable
{
    private readonly ECDsa? _ecdsa;
    private readonly byte[]? _ed25519Seed;
    private readonly TimeProvider _time;
    private bool _disposed;

    private TreeHeadSigner(TreeHeadSignatureAlgorithm algorithm, ECDsa? ecdsa, byte[]? seed, byte[] publicKey, TimeProvider? time)
    {
        Algorithm = algorithm;
        _ecdsa = ecdsa;
        _ed25519Seed = seed;
        PublicKey = publicKey;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The algorithm of every head this signer produces, fixed by the factory that created it.</summary>
    public TreeHeadSignatureAlgorithm Algorithm { get; }

    /// <summary>
    /// The public key for <see cref="TreeHeadVerifier"/>: the DER SubjectPublicKeyInfo for ECDSA, the
    /// 32-byte RFC 8032 encoding for Ed25519.
    /// </summary>
    public byte[] PublicKey { get; }

    /// <summary>Creates a signer over an ECDSA P-256 key; the signer takes ownership and disposes it.</summary>
    /// <param name="key">An ECDSA key on P-256 with its private part; owned by the signer from now on (do not dispose or reuse it).</param>
    /// <param name="time">The clock for <see cref="Sign(long, ReadOnlySpan{byte})"/>; null for the system clock.</param>
    /// <returns>A signer to dispose when done (it disposes <paramref name="key"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The key is not on P-256.</exception>
    public static TreeHeadSigner CreateEcdsaP256(ECDsa key, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        TreeHeadVerifier.CheckP256(key, nameof(key));
        return new TreeHeadSigner(TreeHeadSignatureAlgorithm.EcdsaP256Sha256, key, null, key.ExportSubjectPublicKeyInfo(), time);
    }

    /// <summary>Creates a signer over an Ed25519 private key (the 32-byte RFC 8032 seed, copied; zero yours).</summary>
    /// <param name="seed">The 32-byte RFC 8032 private key; the signer keeps a copy.</param>
    /// <param name="time">The clock for <see cref="Sign(long, ReadOnlySpan{byte})"/>; null for the system clock.</param>
    /// <returns>A signer to dispose when done (disposal zeroes its copy of the seed).</returns>
    /// <exception cref="ArgumentException">The key is not 32 bytes.</exception>
    public static TreeHeadSigner CreateEd25519(ReadOnlySpan<byte> seed, TimeProvider? time = null)
    {
        if (seed.Length != Bc25519.SecretKeySize)
        {
            throw new ArgumentException($"An Ed25519 private key is {Bc25519.SecretKeySize} bytes; got {seed.Length}.", nameof(seed));
        }

        var copy = seed.ToArray();
        var publicKey = new byte[Bc25519.PublicKeySize];
        Bc25519.GeneratePublicKey(copy, 0, publicKey, 0);
        return new TreeHeadSigner(TreeHeadSignatureAlgorithm.Ed25519, null, copy, publicKey, time);
    }

    /// <summary>Signs a tree head stamped with the current time of the signer's clock.</summary>
    /// <param name="treeSize">Number of leaves, at least 0.</param>
    /// <param name="rootHash">The log's root at that size, 1 to 255 bytes.</param>
    /// <returns>A new head signed with this signer's key; publish <see cref="SignedTreeHead.Encode"/>.</returns>
    /// <exception cref="ArgumentException">A part is out of range.</exception>
    /// <exception cref="ObjectDisposedException">The signer was disposed.</exception>
    public SignedTreeHead Sign(long treeSize, ReadOnlySpan<byte> rootHash) => Sign(treeSize, rootHash, _time.GetUtcNow());

    /// <summary>Signs a tree head stamped with <paramref name="timestamp"/> instead of the clock's time.</summary>
    /// <param name="treeSize">Number of leaves, at least 0.</param>
    /// <param name="rootHash">The log's root at that size, 1 to 255 bytes.</param>
    /// <param name="timestamp">The time to state, not before the Unix epoch; truncated to the millisecond.</param>
    /// <returns>A new head signed with this signer's key.</returns>
    /// <exception cref="ArgumentException">A part is out of range.</exception>
    /// <exception cref="ObjectDisposedException">The signer was disposed.</exception>
    public SignedTreeHead Sign(long treeSize, ReadOnlySpan<byte> rootHash, DateTimeOffset timestamp)
    {
#if NET8_0_OR_GREATER
        ObjectDisposedException.ThrowIf(_disposed, this);
#else
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(TreeHeadSigner));
        }
#endif
        var data = SignedTreeHead.CreateSignedData(treeSize, rootHash, timestamp, Algorithm);
        byte[] signature;
        if (_ecdsa is not null)
        {
            signature = _ecdsa.SignData(data, HashAlgorithmName.SHA256);
        }
        else
        {
            signature = new byte[Bc25519.SignatureSize];
            Bc25519.Sign(_ed25519Seed!, 0, data, 0, data.Length, signature, 0);
        }

        return new SignedTreeHead(treeSize, rootHash, timestamp, Algorithm, signature);
    }

    /// <summary>Zeroes the Ed25519 seed or disposes the ECDSA key; afterwards <c>Sign</c> throws <see cref="ObjectDisposedException"/>. Safe to call twice.</summary>
    public void Dispose()
    {
        if (_ed25519Seed is not null)
        {
            CryptographicOperations.ZeroMemory(_ed25519Seed);
        }

        _ecdsa?.Dispose();
        _disposed = true;
    }
}
