using System.Security.Cryptography;

namespace Pki.Acme.Internal;

internal static class Hashing
{
    public static byte[] Sha256(ReadOnlySpan<byte> data)
    {
#if NET8_0_OR_GREATER
        return SHA256.HashData(data);
#else
        using var sha = SHA256.Create();
        var hash = new byte[32];
        sha.TryComputeHash(data, hash, out _);
        return hash;
#endif
    }

    public static void Sha256(ReadOnlySpan<byte> data, Span<byte> destination)
    {
#if NET8_0_OR_GREATER
        SHA256.HashData(data, destination);
#else
        using var sha = SHA256.Create();
        sha.TryComputeHash(data, destination, out _);
#endif
    }
}
