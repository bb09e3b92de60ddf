namespace Pki.Shared.Arithmetic;

/// <summary>
/// Width-w non-adjacent form of a public scalar, for variable-time multiplication (verification only:
/// the digits and the work they cause depend on the scalar).
/// </summary>
internal static class WindowedNaf
{
    /// <summary>
    /// Writes the width-<paramref name="width"/> NAF of the little-endian 64-bit
    /// <paramref name="words"/> (at most 4) into <paramref name="naf"/> (least significant first): odd
    /// digits below 2^(width-1) in magnitude, at most one in any <paramref name="width"/> consecutive
    /// positions. Returns the highest non-zero position (-1 for zero).
    /// </summary>
    public static int Compute(ReadOnlySpan<ulong> words, int width, Span<sbyte> naf)
    {
        Span<ulong> k = stackalloc ulong[5];
        k.Clear();
        words.CopyTo(k);
        naf.Clear();
        var window = 1 << width;
        var top = -1;
        for (var position = 0; position < naf.Length && (k[0] | k[1] | k[2] | k[3] | k[4]) != 0; position++)
        {
            if ((k[0] & 1) != 0)
            {
                var digit = (int)(k[0] & (ulong)(window - 1));
                if (digit >= window / 2)
                {
                    digit -= window;
                }

                naf[position] = (sbyte)digit;
                top = position;
                if (digit > 0)
                {
                    SubtractSmall(k, (ulong)digit);
                }
                else
                {
                    AddSmall(k, (ulong)-digit);
                }
            }

            for (var i = 0; i < 4; i++)
            {
                k[i] = (k[i] >> 1) | (k[i + 1] << 63);
            }

            k[4] >>= 1;
        }

        return top;
    }

    private static void SubtractSmall(Span<ulong> k, ulong value)
    {
        for (var i = 0; i < k.Length && value != 0; i++)
        {
            var before = k[i];
            k[i] = before - value;
            value = before < value ? 1UL : 0UL;
        }
    }

    private static void AddSmall(Span<ulong> k, ulong value)
    {
        for (var i = 0; i < k.Length && value != 0; i++)
        {
            k[i] += value;
            value = k[i] < value ? 1UL : 0UL;
        }
    }
}
