using System.Security.Cryptography;
using Pki.Shared.Arithmetic;

namespace Pki.KeyTransparency.Vrf;

/// <summary>
/// The deterministic nonce of RFC 6979 section 3.2 with HMAC-SHA256, for a group order q of exactly
/// 256 bits (qlen = hlen = 256, so <c>bits2int</c> is a plain big-endian read and one HMAC block
/// fills T). ECVRF-P256-SHA256-TAI uses it with m = h_string (RFC 9381 section 5.4.2.1). K and V
/// live in fixed-size stack buffers that are zeroed on the way out; <c>bits2octets</c> reduces with
/// a masked subtraction and the range test on k is a masked comparison (only its rare failure, about
/// 2^-32 for P-256, shows as another round).
/// </summary>
internal static class Rfc6979
{
    private const int Length = 32;

    /// <summary>
    /// Writes k as 32 big-endian bytes to <paramref name="nonce"/> for the private key
    /// <paramref name="privateKey"/> (32 big-endian bytes, already in [1, q-1]) and the message hash
    /// <paramref name="h1"/> (32 bytes, SHA-256 of the message).
    /// </summary>
    /// <exception cref="ArgumentException">q is not a 256-bit modulus, or a span is not 32 bytes.</exception>
    public static void GenerateNonce(ScalarField order, ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> h1, Span<byte> nonce)
    {
        if (order.Modulus.L3 >> 63 == 0)
        {
            throw new ArgumentException("This RFC 6979 nonce generator needs a group order of exactly 256 bits.", nameof(order));
        }

        if (privateKey.Length != Length || h1.Length != Length || nonce.Length != Length)
        {
            throw new ArgumentException($"RFC 6979 with SHA-256 over a 256-bit order takes a 32-byte key and hash and writes a 32-byte nonce; got {privateKey.Length}, {h1.Length} and {nonce.Length} bytes.");
        }

        Span<byte> k = stackalloc byte[Length];
        Span<byte> v = stackalloc byte[Length];
        Span<byte> next = stackalloc byte[Length];

        // V || 0x00 or 0x01 || int2octets(x) || bits2octets(h1)
        Span<byte> input = stackalloc byte[Length + 1 + Length + Length];
        try
        {
            // bits2octets(h1): z1 = bits2int(h1) = h1 (qlen = hlen); z2 = z1 mod q, by a masked subtraction.
            privateKey.CopyTo(input.Slice(Length + 1));
            order.Reduce(U256.FromBigEndian(h1)).WriteBigEndian(input.Slice(Length + 1 + Length));

            // b. V = 0x01 0x01 ... 0x01; c. K = 0x00 0x00 ... 0x00
            v.Fill(0x01);
            k.Clear();

            // d. K = HMAC_K(V || 0x00 || int2octets(x) || bits2octets(h1)); e. V = HMAC_K(V)
            // f. K = HMAC_K(V || 0x01 || int2octets(x) || bits2octets(h1)); g. V = HMAC_K(V)
            UpdateKeyAndV(k, v, input, 0x00, next);
            UpdateKeyAndV(k, v, input, 0x01, next);
            while (true)
            {
                // h.1-2. T = V = HMAC_K(V): one block is qlen bits.
                HmacSha256(k, v, next);
                next.CopyTo(v);

                // h.3. k = bits2int(T); done when it is in [1, q-1].
                if (order.IsInRange(U256.FromBigEndian(v)) == 1)
                {
                    v.CopyTo(nonce);
                    return;
                }

                // Otherwise K = HMAC_K(V || 0x00), V = HMAC_K(V), and try again.
                UpdateKeyAndV(k, v, input.Slice(0, Length + 1), 0x00, next);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(k);
            CryptographicOperations.ZeroMemory(v);
            CryptographicOperations.ZeroMemory(next);
            CryptographicOperations.ZeroMemory(input);
        }
    }

    /// <summary>
    /// K = HMAC_K(V || separator || rest), then V = HMAC_K(V), where <paramref name="input"/> is
    /// V || separator || rest with room for V and the separator at its start.
    /// </summary>
    private static void UpdateKeyAndV(Span<byte> k, Span<byte> v, Span<byte> input, byte separator, Span<byte> scratch)
    {
        v.CopyTo(input);
        input[Length] = separator;
        HmacSha256(k, input, scratch);
        scratch.CopyTo(k);
        HmacSha256(k, v, scratch);
        scratch.CopyTo(v);
    }

    private static void HmacSha256(ReadOnlySpan<byte> key, ReadOnlySpan<byte> source, Span<byte> destination)
    {
#if NET8_0_OR_GREATER
        HMACSHA256.HashData(key, source, destination);
#else
        var keyCopy = key.ToArray();
        try
        {
            // HMAC's Dispose clears its own copy of the key.
            using var hmac = new HMACSHA256(keyCopy);
            if (!hmac.TryComputeHash(source, destination, out var written) || written != Length)
            {
                throw new CryptographicException("HMAC-SHA256 did not produce a 32-byte tag.");
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyCopy);
        }
#endif
    }
}
