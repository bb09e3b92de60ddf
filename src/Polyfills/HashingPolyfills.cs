// One-shot hashing that .NET 5+ has on SHA256/SHA512 and netstandard2.1 lacks, as C# 14 static
// extension members so library code calls SHA256.HashData on every target. Compiled only for
// netstandard2.1. One hash object per thread: netstandard2.1 callers pay no allocation per call.

namespace System.Security.Cryptography;

// One class per algorithm: static extension members of one class share one method table.
internal static class Sha256Polyfills
{
    [ThreadStatic]
    private static SHA256? t_sha256;

    extension(SHA256)
    {
        public static byte[] HashData(ReadOnlySpan<byte> source)
        {
            var hash = new byte[32];
            HashingPolyfills.Compute(t_sha256 ??= SHA256.Create(), source, hash);
            return hash;
        }

        public static int HashData(ReadOnlySpan<byte> source, Span<byte> destination) =>
            HashingPolyfills.Compute(t_sha256 ??= SHA256.Create(), source, destination);
    }
}

internal static class Sha512Polyfills
{
    [ThreadStatic]
    private static SHA512? t_sha512;

    extension(SHA512)
    {
        public static byte[] HashData(ReadOnlySpan<byte> source)
        {
            var hash = new byte[64];
            HashingPolyfills.Compute(t_sha512 ??= SHA512.Create(), source, hash);
            return hash;
        }

        public static int HashData(ReadOnlySpan<byte> source, Span<byte> destination) =>
            HashingPolyfills.Compute(t_sha512 ??= SHA512.Create(), source, destination);
    }
}

internal static class HashingPolyfills
{
    public static int Compute(HashAlgorithm algorithm, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var size = algorithm.HashSize / 8;
        if (destination.Length < size)
        {
            throw new ArgumentException($"The destination is {destination.Length} bytes; the hash needs {size}.", nameof(destination));
        }

        if (!algorithm.TryComputeHash(source, destination, out var written) || written != size)
        {
            throw new CryptographicException($"The hash did not produce its {size}-byte digest.");
        }

        return written;
    }
}
