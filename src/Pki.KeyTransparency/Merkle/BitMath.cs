#if NET8_0_OR_GREATER
using System.Numerics;
#endif

namespace Pki.KeyTransparency.Merkle;

/// <summary>Bit helpers that netstandard2.1 lacks (<c>BitOperations</c>).</summary>
internal static class BitMath
{
    /// <summary>Number of set bits.</summary>
    public static int PopCount(ulong value)
    {
#if NET8_0_OR_GREATER
        return BitOperations.PopCount(value);
#else
        return PopCountPortable(value);
#endif
    }

    internal static int PopCountPortable(ulong value)
    {
        var count = 0;
        for (; value != 0; value &= value - 1)
        {
            count++;
        }

        return count;
    }

    /// <summary>Index of the highest set bit; 0 for 0.</summary>
    public static int Log2(ulong value)
    {
#if NET8_0_OR_GREATER
        return BitOperations.Log2(value);
#else
        return Log2Portable(value);
#endif
    }

    internal static int Log2Portable(ulong value)
    {
        var log = 0;
        while ((value >>= 1) != 0)
        {
            log++;
        }

        return log;
    }

    /// <summary>Bit length: 0 for 0, otherwise <see cref="Log2"/> + 1.</summary>
    public static int BitLength(ulong value) => value == 0 ? 0 : Log2(value) + 1;

    /// <summary>Number of trailing zero bits; 64 for 0.</summary>
    public static int TrailingZeroCount(ulong value)
    {
#if NET8_0_OR_GREATER
        return BitOperations.TrailingZeroCount(value);
#else
        return TrailingZeroCountPortable(value);
#endif
    }

    internal static int TrailingZeroCountPortable(ulong value)
    {
        if (value == 0)
        {
            return 64;
        }

        var count = 0;
        while ((value & 1) == 0)
        {
            value >>= 1;
            count++;
        }

        return count;
    }

    /// <summary>The largest power of two strictly below <paramref name="n"/> (n at least 2): RFC 9162's k.</summary>
    public static long LargestPowerOfTwoBelow(long n) => 1L << Log2((ulong)(n - 1));
}
