using System.Runtime.CompilerServices;

namespace Pki.Shared.Arithmetic;

/// <summary>
/// Word operations for multi-limb arithmetic on secrets: carries and borrows are computed with
/// bit operations (no flags read through branches), products with <c>Math.BigMul</c> (a single
/// <c>mul</c>/<c>mulx</c>) or, on netstandard2.1, with 32-bit halves.
/// </summary>
internal static class Limbs
{
    /// <summary>a b + c + d as (returned high word, <paramref name="low"/>); it cannot overflow 128 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MulAdd(ulong a, ulong b, ulong c, ulong d, out ulong low)
    {
#if NET8_0_OR_GREATER
        var high = MultiplyHigh(a, b);
        var lo = a * b;
#else
        var product = Edwards25519.U128.MulPortable(a, b);
        var high = product.Hi;
        var lo = product.Lo;
#endif
        // The JIT turns each (x < y ? 1 : 0) into cmp/setb: no branch.
        lo += c;
        high += lo < c ? 1UL : 0UL;
        lo += d;
        high += lo < d ? 1UL : 0UL;
        low = lo;
        return high;
    }

#if NET8_0_OR_GREATER
    /// <summary>
    /// The high word of a b. With the low word taken as a plain a * b, nothing goes through memory:
    /// <c>Math.BigMul</c>'s <c>out</c> low word makes the JIT store and reload it after every
    /// <c>mulx</c>, which cost more than the multiplication itself (and more on some CPUs than others).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MultiplyHigh(ulong a, ulong b)
    {
        if (System.Runtime.Intrinsics.X86.Bmi2.X64.IsSupported)
        {
            return System.Runtime.Intrinsics.X86.Bmi2.X64.MultiplyNoFlags(a, b);
        }

        if (System.Runtime.Intrinsics.Arm.ArmBase.Arm64.IsSupported)
        {
            return System.Runtime.Intrinsics.Arm.ArmBase.Arm64.MultiplyHigh(a, b);
        }

        return Math.BigMul(a, b, out _);
    }
#endif

    /// <summary>a + b + carryIn, with the carry out (0 or 1) in <paramref name="carryOut"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AddCarry(ulong a, ulong b, ulong carryIn, out ulong carryOut)
    {
        var sum = a + b + carryIn;
        carryOut = ((a & b) | ((a | b) & ~sum)) >> 63;
        return sum;
    }

    /// <summary>a - b - borrowIn, with the borrow out (0 or 1) in <paramref name="borrowOut"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SubBorrow(ulong a, ulong b, ulong borrowIn, out ulong borrowOut)
    {
        var difference = a - b - borrowIn;
        borrowOut = ((~a & b) | (~(a ^ b) & difference)) >> 63;
        return difference;
    }

    /// <summary>1 when <paramref name="value"/> is zero, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong IsZero(ulong value) => ((value | (0 - value)) >> 63) ^ 1;
}
