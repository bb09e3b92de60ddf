using System.Runtime.CompilerServices;
using Pki.Shared.Arithmetic;

namespace Pki.Shared.Edwards25519;

/// <summary>An unsigned 128-bit accumulator for 51-bit limb products (netstandard2.1 has no <c>UInt128</c>).</summary>
internal readonly struct U128
{
    public readonly ulong Hi;
    public readonly ulong Lo;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public U128(ulong hi, ulong lo)
    {
        Hi = hi;
        Lo = lo;
    }

    /// <summary>The full 128-bit product of two 64-bit values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static U128 Mul(ulong a, ulong b)
    {
#if NET8_0_OR_GREATER
        return new U128(Limbs.MultiplyHigh(a, b), a * b);
#else
        return MulPortable(a, b);
#endif
    }

    /// <summary>The schoolbook 32-bit-halves product used where <c>Math.BigMul</c> is missing (tested against it).</summary>
    internal static U128 MulPortable(ulong a, ulong b)
    {
        ulong aLo = (uint)a, aHi = a >> 32, bLo = (uint)b, bHi = b >> 32;
        var ll = aLo * bLo;
        var lh = aLo * bHi;
        var hl = aHi * bLo;
        var hh = aHi * bHi;
        var mid = (ll >> 32) + (uint)lh + (uint)hl;
        var lo = (mid << 32) | (uint)ll;
        var hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
        return new U128(hi, lo);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static U128 operator +(U128 a, U128 b)
    {
        var lo = a.Lo + b.Lo;
        return new U128(a.Hi + b.Hi + (lo < a.Lo ? 1UL : 0UL), lo);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static U128 operator +(U128 a, ulong b)
    {
        var lo = a.Lo + b;
        return new U128(a.Hi + (lo < a.Lo ? 1UL : 0UL), lo);
    }

    /// <summary>The value shifted right by 51 bits, assuming it is below 2^115.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Shr51() => (Lo >> 51) | (Hi << 13);

    public static U128 Add(U128 a, U128 b) => a + b;
}
