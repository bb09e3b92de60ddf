using System.Security.Cryptography;

namespace Pki.Shared.Edwards25519;

/// <summary>
/// Ed25519 (RFC 8032 section 5.1, pure EdDSA: no context, no prehash) on this repository's own
/// edwards25519 arithmetic. Signing runs in constant time: the secret scalar and the nonce only meet
/// the fixed-window base-point multiplication and the four-limb Montgomery arithmetic of
/// <see cref="Scalar25519"/> (no <c>BigInteger</c>). Verification works on public data only.
/// </summary>
internal static class Ed25519
{
    /// <summary>Private key (seed) size in bytes.</summary>
    public const int SeedSize = 32;

    /// <summary>Encoded public key size in bytes.</summary>
    public const int PublicKeySize = 32;

    /// <summary>Signature size in bytes: R (32) and S (32).</summary>
    public const int SignatureSize = 64;

    /// <summary>
    /// RFC 8032 section 5.1.7 verification: S must be below L, A and R must decode, and
    /// [S]B must equal R + [k]A with k = SHA-512(R || A || M) mod L (the cofactorless equation,
    /// compared as encodings, so a non-canonical R is refused).
    /// </summary>
    /// <returns>True when the signature is valid; false for any malformed input or a wrong signature.</returns>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize)
        {
            return false;
        }

        var rEncoded = signature.Slice(0, 32);
        var sEncoded = signature.Slice(32, 32);
        if (Scalar25519.IsCanonical(sEncoded) == 0 || !EdwardsPoint.TryDecode(publicKey, out var a) || !EdwardsPoint.TryDecode(rEncoded, out _))
        {
            return false;
        }

        Span<byte> digest = stackalloc byte[64];
        Span<byte> k = stackalloc byte[32];
        Challenge(rEncoded, publicKey, message, digest);
        Scalar25519.ReduceWide(digest).WriteLittleEndian(k);

        // R' = [S]B - [k]A; the signature is valid when R' encodes to R.
        var check = EdwardsPoint.Add(EdwardsPoint.MultiplyBase(sEncoded), EdwardsPoint.Multiply(a.Negate(), k));
        Span<byte> encoded = stackalloc byte[32];
        check.Encode(encoded);
        return encoded.SequenceEqual(rEncoded);
    }

    /// <summary>SHA-512(seed) with the low half clamped (RFC 8032 section 5.1.5 steps 1-2): bytes 0-31 the secret scalar s, 32-63 the nonce prefix.</summary>
    internal static void Expand(ReadOnlySpan<byte> seed, Span<byte> expanded)
    {
        SHA512.HashData(seed, expanded);
        expanded[0] &= 248;
        expanded[31] &= 127;
        expanded[31] |= 64;
    }

    /// <summary>SHA-512(R || A || M), the digest reduced to k (RFC 8032 section 5.1.6 step 4).</summary>
    internal static void Challenge(ReadOnlySpan<byte> r, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, Span<byte> digest)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        hash.AppendData(r);
        hash.AppendData(publicKey);
        hash.AppendData(message);
        if (!hash.TryGetHashAndReset(digest, out var written) || written != 64)
        {
            throw new CryptographicException("SHA-512 did not produce a 64-byte digest.");
        }
    }
}

/// <summary>
/// An Ed25519 private key: the 32-byte RFC 8032 seed and the public key derived from it. The seed
/// is held in one array that <see cref="Dispose"/> zeroes; every temporary holding the secret scalar
/// or the nonce is zeroed after use.
/// </summary>
internal sealed class Ed25519PrivateKey : IDisposable
{
    private readonly byte[] _seed;
    private readonly byte[] _publicKey;
    private bool _disposed;

    /// <summary>Uses <paramref name="seed"/> (copied) as the private key; A = [s]B with s the clamped low half of SHA-512(seed).</summary>
    /// <exception cref="ArgumentException">The seed is not 32 bytes.</exception>
    public Ed25519PrivateKey(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != Ed25519.SeedSize)
        {
            throw new ArgumentException($"An Ed25519 private key (seed) is {Ed25519.SeedSize} bytes; got {seed.Length}.", nameof(seed));
        }

        _seed = seed.ToArray();
        _publicKey = new byte[Ed25519.PublicKeySize];
        Span<byte> expanded = stackalloc byte[64];
        try
        {
            Ed25519.Expand(_seed, expanded);
            EdwardsPoint.MultiplyBase(expanded.Slice(0, 32)).Encode(_publicKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(expanded);
        }
    }

    /// <summary>The encoded public key A (RFC 8032 section 5.1.5).</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>A new key from 32 random bytes of the platform's cryptographic generator.</summary>
    public static Ed25519PrivateKey Generate()
    {
        Span<byte> seed = stackalloc byte[Ed25519.SeedSize];
        try
        {
            RandomNumberGenerator.Fill(seed);
            return new Ed25519PrivateKey(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>Copies the seed into <paramref name="destination"/> (32 bytes). Treat the copy as a secret.</summary>
    public void ExportSeed(Span<byte> destination)
    {
        ThrowIfDisposed();
        _seed.AsSpan().CopyTo(destination);
    }

    /// <summary>
    /// RFC 8032 section 5.1.6: r = SHA-512(prefix || M) mod L, R = [r]B,
    /// k = SHA-512(R || A || M) mod L, S = r + k s mod L; writes R || S (64 bytes).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="signature"/> is shorter than 64 bytes.</exception>
    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature)
    {
        ThrowIfDisposed();
        if (signature.Length < Ed25519.SignatureSize)
        {
            throw new ArgumentException($"An Ed25519 signature takes {Ed25519.SignatureSize} bytes; the buffer has {signature.Length}.", nameof(signature));
        }

        Span<byte> expanded = stackalloc byte[64];
        Span<byte> digest = stackalloc byte[64];
        Span<byte> r = stackalloc byte[32];
        try
        {
            Ed25519.Expand(_seed, expanded);

            // 2. r = SHA-512(dom2(F, C) || prefix || PH(M)), as a little-endian integer mod L (dom2 is empty for Ed25519).
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512))
            {
                hash.AppendData(expanded.Slice(32, 32));
                hash.AppendData(message);
                if (!hash.TryGetHashAndReset(digest, out var written) || written != 64)
                {
                    throw new CryptographicException("SHA-512 did not produce a 64-byte digest.");
                }
            }

            var nonce = Scalar25519.ReduceWide(digest);
            nonce.WriteLittleEndian(r);

            // 3. R = [r]B.
            var encodedR = signature.Slice(0, 32);
            EdwardsPoint.MultiplyBase(r).Encode(encodedR);

            // 4. k = SHA-512(R || A || PH(M)) mod L.
            Ed25519.Challenge(encodedR, _publicKey, message, digest);
            var k = Scalar25519.ReduceWide(digest);

            // 5. S = (r + k s) mod L.
            Scalar25519.MultiplyAdd(k, Scalar25519.Reduce(expanded.Slice(0, 32)), nonce).WriteLittleEndian(signature.Slice(32, 32));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(expanded);
            CryptographicOperations.ZeroMemory(digest);
            CryptographicOperations.ZeroMemory(r);
        }
    }

    /// <summary>Zeroes the seed; the key cannot sign afterwards.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_seed);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
