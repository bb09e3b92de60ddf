using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace Pki.Shared.Arithmetic;

/// <summary>
/// Constant-time lookup in a table of points held as rows of 64-bit words: every word of every row is
/// read and merged under a mask computed without branches, so neither the memory accessed nor the
/// instructions run depend on the (secret) index. Working on the raw words (in 256-bit vectors where
/// the hardware has them) instead of field elements one at a time avoids the struct copies that made
/// the selection cost more than the point addition it feeds.
/// </summary>
internal static class ConstantTimeTable
{
    /// <summary>
    /// Overwrites <paramref name="destination"/> with row <paramref name="index"/> of
    /// <paramref name="table"/> (rows of <paramref name="destination"/>.Length words); leaves it unchanged
    /// when <paramref name="index"/> is not a row number (callers pass <c>uint.MaxValue</c> for "none").
    /// </summary>
    public static void Select(ReadOnlySpan<ulong> table, uint index, Span<ulong> destination)
    {
        var rowLength = destination.Length;
        var rows = table.Length / rowLength;
        Span<ulong> masks = stackalloc ulong[rows];
        for (var row = 0; row < rows; row++)
        {
            masks[row] = 0UL - Limbs.IsZero(index ^ (uint)row);
        }

#if NET8_0_OR_GREATER
        if (Vector256.IsHardwareAccelerated && rowLength % Vector256<ulong>.Count == 0)
        {
            SelectVector256(table, masks, destination);
            return;
        }
#endif
        for (var row = 0; row < rows; row++)
        {
            var mask = masks[row];
            var source = table.Slice(row * rowLength, rowLength);
            for (var i = 0; i < rowLength; i++)
            {
                destination[i] ^= mask & (destination[i] ^ source[i]);
            }
        }
    }

    /// <summary>The words of a span of unmanaged structs (points, field elements).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<ulong> Words<T>(ReadOnlySpan<T> items)
        where T : struct => MemoryMarshal.Cast<T, ulong>(items);

    /// <summary>The words of a span of unmanaged structs, writable.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<ulong> Words<T>(Span<T> items)
        where T : struct => MemoryMarshal.Cast<T, ulong>(items);

#if NET8_0_OR_GREATER
    private static void SelectVector256(ReadOnlySpan<ulong> table, ReadOnlySpan<ulong> masks, Span<ulong> destination)
    {
        var rowLength = destination.Length;
        ref var tableStart = ref MemoryMarshal.GetReference(table);
        ref var destinationStart = ref MemoryMarshal.GetReference(destination);
        for (var offset = 0; offset < rowLength; offset += Vector256<ulong>.Count)
        {
            var accumulator = Vector256.LoadUnsafe(ref destinationStart, (nuint)offset);
            for (var row = 0; row < masks.Length; row++)
            {
                var entry = Vector256.LoadUnsafe(ref tableStart, (nuint)((row * rowLength) + offset));
                accumulator = Vector256.ConditionalSelect(Vector256.Create(masks[row]), entry, accumulator);
            }

            accumulator.StoreUnsafe(ref destinationStart, (nuint)offset);
        }
    }
#endif
}
