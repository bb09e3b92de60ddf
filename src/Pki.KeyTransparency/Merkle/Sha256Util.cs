using System.Security.Cryptography;

namespace Pki.KeyTransparency.Merkle;

/// <summary>One-shot SHA-256 on every target (netstandard2.1 has no <c>SHA256.HashData</c>).</summary>
internal static class Sha256Util
{
    public const int HashSize = 32;

#if !NET8_0_OR_GREATER
    [ThreadStatic]
    private static SHA256? t_sha256;
#endif

    public static void HashData(ReadOnlySpan<byte> source, Span<byte> destination)
    {
#if NET8_0_OR_GREATER
        SHA256.HashData(source, destination);
#else
        var sha = t_sha256 ??= SHA256.Create();
        if (!sha.TryComputeHash(source, destination, out var written) || written != HashSize)
        {
            throw new CryptographicException("SHA-256 did not produce a 32-byte digest.");
        }
#endif
    }
}
