using System.Security.Cryptography;

namespace Pki.KeyTransparency.Vrf;

/// <summary>One-shot SHA-256/SHA-512 into a span on every target.</summary>
internal static class OneShotHash
{
#if !NET8_0_OR_GREATER
    [ThreadStatic]
    private static SHA512? t_sha512;
#endif

    public static void Sha256(ReadOnlySpan<byte> source, Span<byte> destination) =>
        Merkle.Sha256Util.HashData(source, destination);

    public static void Sha512(ReadOnlySpan<byte> source, Span<byte> destination)
    {
#if NET8_0_OR_GREATER
        SHA512.HashData(source, destination);
#else
        var sha = t_sha512 ??= SHA512.Create();
        if (!sha.TryComputeHash(source, destination, out var written) || written != 64)
        {
            throw new CryptographicException("SHA-512 did not produce a 64-byte digest.");
        }
#endif
    }
}
