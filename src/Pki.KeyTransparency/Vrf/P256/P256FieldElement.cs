using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Pki.Shared.Arithmetic;
using static Pki.Shared.Arithmetic.Limbs;

namespace Pki.KeyTransparency.Vrf.P256;

/// <summary>
/// An element of GF(p), p = 2^256 - 2^224 + 2^192 + 2^96 - 1 (NIST P-256), held in Montgomery form
/// (a R mod p, R = 2^256) in four 64-bit little-endian limbs, always fully reduced below p.
/// Multiplication forms the 512-bit product (squaring computes the cross products once) and reduces
/// it a word at a time; because p = -1 mod 2^64 each step's factor is the low word itself, and the
/// shape of p turns its multiple into shifts and additions. No operation branches on or indexes by
/// the value.
/// </summary>
internal readonly struct P256FieldElement : IInvertibleFieldElement<P256FieldElement>
{
    // p, little-endian limbs.
    private const ulong P0 = 0xFFFFFFFFFFFFFFFF;
    private const ulong P1 = 0x00000000FFFFFFFF;
    private const ulong P3 = 0xFFFFFFFF00000001; // limb 2 of p is zero

    public readonly ulong L0;
    public readonly ulong L1;
    public readonly ulong L2;
    public readonly ulong L3;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private P256FieldElement(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        L0 = l0;
        L1 = l1;
        L2 = l2;
        L3 = l3;
    }

    public static P256FieldElement Zero => default;

    /// <summary>1 in Montgomery form: R mod p = 2^256 - p.</summary>
    public static P256FieldElement One => new(1, 0xFFFFFFFF00000000, 0xFFFFFFFFFFFFFFFF, 0x00000000FFFFFFFE);

    /// <summary>
    /// Loads a 32-byte big-endian integer; false (and zero) when it is not below p, the canonical
    /// range SEC1 requires of a coordinate.
    /// </summary>
    public static bool TryFromBytes(ReadOnlySpan<byte> bigEndian, out P256FieldElement element)
    {
        var l3 = BinaryPrimitives.ReadUInt64BigEndian(bigEndian);
        var l2 = BinaryPrimitives.ReadUInt64BigEndian(bigEndian.Slice(8));
        var l1 = BinaryPrimitives.ReadUInt64BigEndian(bigEndian.Slice(16));
        var l0 = BinaryPrimitives.ReadUInt64BigEndian(bigEndian.Slice(24));

        // Below p exactly when subtracting p borrows.
        SubBorrow(l0, P0, 0, out var borrow);
        SubBorrow(l1, P1, borrow, out borrow);
        SubBorrow(l2, 0, borrow, out borrow);
        SubBorrow(l3, P3, borrow, out borrow);
        if (borrow == 0)
        {
            element = Zero;
            return false;
        }

        element = new P256FieldElement(l0, l1, l2, l3) * Constants.RSquared; // a R^2 / R = a R
        return true;
    }

    /// <summary>The canonical 32-byte big-endian encoding of the value (out of Montgomery form).</summary>
    public void ToBytes(Span<byte> bigEndian)
    {
        var plain = MontgomeryMultiply(this, new P256FieldElement(1, 0, 0, 0)); // a R / R = a
        BinaryPrimitives.WriteUInt64BigEndian(bigEndian, plain.L3);
        BinaryPrimitives.WriteUInt64BigEndian(bigEndian.Slice(8), plain.L2);
        BinaryPrimitives.WriteUInt64BigEndian(bigEndian.Slice(16), plain.L1);
        BinaryPrimitives.WriteUInt64BigEndian(bigEndian.Slice(24), plain.L0);
    }

    /// <summary>1 when the (canonical, non-Montgomery) value is odd: the SEC1 compressed-point parity.</summary>
    public ulong IsOdd() => MontgomeryMultiply(this, new P256FieldElement(1, 0, 0, 0)).L0 & 1;

    /// <summary>1 when the value is zero, else 0.</summary>
    public ulong IsZero()
    {
        return Limbs.IsZero(L0 | L1 | L2 | L3);
    }

    /// <summary>1 when the two values are equal, else 0 (both are fully reduced).</summary>
    public static ulong Equal(in P256FieldElement a, in P256FieldElement b)
    {
        return Limbs.IsZero((a.L0 ^ b.L0) | (a.L1 ^ b.L1) | (a.L2 ^ b.L2) | (a.L3 ^ b.L3));
    }

    /// <summary><paramref name="b"/> when <paramref name="choice"/> is 1, <paramref name="a"/> when 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static P256FieldElement Select(in P256FieldElement a, in P256FieldElement b, ulong choice)
    {
        var mask = 0 - choice;
        return new P256FieldElement(
            a.L0 ^ (mask & (a.L0 ^ b.L0)),
            a.L1 ^ (mask & (a.L1 ^ b.L1)),
            a.L2 ^ (mask & (a.L2 ^ b.L2)),
            a.L3 ^ (mask & (a.L3 ^ b.L3)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static P256FieldElement operator +(in P256FieldElement a, in P256FieldElement b)
    {
        var r0 = AddCarry(a.L0, b.L0, 0, out var carry);
        var r1 = AddCarry(a.L1, b.L1, carry, out carry);
        var r2 = AddCarry(a.L2, b.L2, carry, out carry);
        var r3 = AddCarry(a.L3, b.L3, carry, out carry);
        return ReduceOnce(r0, r1, r2, r3, carry);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static P256FieldElement operator -(in P256FieldElement a, in P256FieldElement b)
    {
        var r0 = SubBorrow(a.L0, b.L0, 0, out var borrow);
        var r1 = SubBorrow(a.L1, b.L1, borrow, out borrow);
        var r2 = SubBorrow(a.L2, b.L2, borrow, out borrow);
        var r3 = SubBorrow(a.L3, b.L3, borrow, out borrow);

        // Add p back when the subtraction wrapped.
        var mask = 0 - borrow;
        r0 = AddCarry(r0, P0 & mask, 0, out var carry);
        r1 = AddCarry(r1, P1 & mask, carry, out carry);
        r2 = AddCarry(r2, 0, carry, out carry);
        r3 = AddCarry(r3, P3 & mask, carry, out _);
        return new P256FieldElement(r0, r1, r2, r3);
    }

    public static P256FieldElement operator -(in P256FieldElement a) => Zero - a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static P256FieldElement operator *(in P256FieldElement a, in P256FieldElement b) => MontgomeryMultiply(a, b);

    /// <inheritdoc />
    public P256FieldElement Multiply(in P256FieldElement other) => MontgomeryMultiply(this, other);

    /// <inheritdoc />
    public P256FieldElement Inverse() => Invert(this);

    /// <summary>a^2: the six cross products once, doubled, plus the four squares, then the reduction.</summary>
    public static P256FieldElement Square(in P256FieldElement a)
    {
        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3, carry;

        var c = MulAdd(a0, a1, 0, 0, out var r1);
        c = MulAdd(a0, a2, 0, c, out var r2);
        var r4 = MulAdd(a0, a3, 0, c, out var r3);
        c = MulAdd(a1, a2, r3, 0, out r3);
        var r5 = MulAdd(a1, a3, r4, c, out r4);
        var r6 = MulAdd(a2, a3, r5, 0, out r5);

        var r7 = r6 >> 63;
        r6 = (r6 << 1) | (r5 >> 63);
        r5 = (r5 << 1) | (r4 >> 63);
        r4 = (r4 << 1) | (r3 >> 63);
        r3 = (r3 << 1) | (r2 >> 63);
        r2 = (r2 << 1) | (r1 >> 63);
        r1 <<= 1;

        var h0 = MulAdd(a0, a0, 0, 0, out var r0);
        var h1 = MulAdd(a1, a1, 0, 0, out var l1);
        var h2 = MulAdd(a2, a2, 0, 0, out var l2);
        var h3 = MulAdd(a3, a3, 0, 0, out var l3);
        r1 = AddCarry(r1, h0, 0, out carry);
        r2 = AddCarry(r2, l1, carry, out carry);
        r3 = AddCarry(r3, h1, carry, out carry);
        r4 = AddCarry(r4, l2, carry, out carry);
        r5 = AddCarry(r5, h2, carry, out carry);
        r6 = AddCarry(r6, l3, carry, out carry);
        r7 += h3 + carry;
        return Reduce(r0, r1, r2, r3, r4, r5, r6, r7);
    }

    /// <summary>
    /// One reduction step by shifts: adding m p (word i = m) clears word i, since p = 2^256 - 2^224 +
    /// 2^192 + 2^96 - 1, and adds m 2^32 + m 2^128 + m 2^160 (2^32 - 1) to the four words above it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ReduceWord(ulong m, ref ulong w1, ref ulong w2, ref ulong w3, ref ulong w4, out ulong carry)
    {
        var qLow = SubBorrow(m << 32, m, 0, out var borrow); // m (2^32 - 1) = qHigh:qLow
        var qHigh = (m >> 32) - borrow;
        var x2 = AddCarry(m, qLow << 32, 0, out var x2Carry);
        var x3 = ((qLow >> 32) | (qHigh << 32)) + x2Carry;
        w1 = AddCarry(w1, m << 32, 0, out carry);
        w2 = AddCarry(w2, m >> 32, carry, out carry);
        w3 = AddCarry(w3, x2, carry, out carry);
        w4 = AddCarry(w4, x3, carry, out carry);
    }

    /// <summary>a^(p-2) = 1/a (0 for 0).</summary>
    public static P256FieldElement Invert(in P256FieldElement a)
    {
        // p - 2 = ffffffff 00000001 00000000 00000000 00000000 ffffffff ffffffff fffffffd, by runs of ones.
        var x2 = SquareTimes(a, 1) * a;          // 2^2 - 1
        var x3 = SquareTimes(x2, 1) * a;         // 2^3 - 1
        var x6 = SquareTimes(x3, 3) * x3;        // 2^6 - 1
        var x12 = SquareTimes(x6, 6) * x6;       // 2^12 - 1
        var x15 = SquareTimes(x12, 3) * x3;      // 2^15 - 1
        var x30 = SquareTimes(x15, 15) * x15;    // 2^30 - 1
        var x32 = SquareTimes(x30, 2) * x2;      // 2^32 - 1

        var t = SquareTimes(x32, 32) * a;        // ffffffff 00000001
        t = SquareTimes(t, 128) * x32;           // ... 00000000 00000000 00000000 ffffffff
        t = SquareTimes(t, 32) * x32;            // ... ffffffff
        t = SquareTimes(t, 30) * x30;            // ... 3fffffff
        return SquareTimes(t, 2) * a;            // ... fffffffd: the last two bits 01
    }

    /// <summary>
    /// A square root when one exists: a^((p+1)/4), valid because p = 3 mod 4. The caller checks the
    /// result squares back to <paramref name="a"/>; <paramref name="isSquare"/> is 1 when it does.
    /// </summary>
    public static P256FieldElement Sqrt(in P256FieldElement a, out ulong isSquare)
    {
        // (p + 1) / 4 = 3fffffff c0000000 40000000 00000000 00000000 40000000 00000000 00000000.
        var x2 = SquareTimes(a, 1) * a;          // 2^2 - 1
        var x4 = SquareTimes(x2, 2) * x2;        // 2^4 - 1
        var x8 = SquareTimes(x4, 4) * x4;        // 2^8 - 1
        var x16 = SquareTimes(x8, 8) * x8;       // 2^16 - 1
        var x32 = SquareTimes(x16, 16) * x16;    // 2^32 - 1: exponent bits so far = 32 ones

        var t = SquareTimes(x32, 32) * a;        // ffffffff 00000001
        t = SquareTimes(t, 96) * a;              // ... then 95 zeros and a one
        var root = SquareTimes(t, 94);           // ... then 94 zeros: total 254 bits = (p+1)/4
        isSquare = Equal(Square(root), a);
        return root;
    }

    /// <summary>a^(2^n), by the dedicated squaring (about 0.8 of a multiplication's time).</summary>
    public static P256FieldElement SquareTimes(in P256FieldElement a, int n)
    {
        var r = a;
        for (var i = 0; i < n; i++)
        {
            r = Square(r);
        }

        return r;
    }

    /// <summary>A value already in Montgomery form (constants built by <see cref="Constants"/>).</summary>
    internal static P256FieldElement FromMontgomeryLimbs(ulong l0, ulong l1, ulong l2, ulong l3) => new(l0, l1, l2, l3);

    /// <summary>a b / R mod p, fully reduced, for a and b below p: the 512-bit product, then <see cref="Reduce"/>.</summary>
    private static P256FieldElement MontgomeryMultiply(in P256FieldElement a, in P256FieldElement b)
    {
        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3;

        var bi = b.L0;
        var c = MulAdd(a0, bi, 0, 0, out var r0);
        c = MulAdd(a1, bi, 0, c, out var r1);
        c = MulAdd(a2, bi, 0, c, out var r2);
        var r4 = MulAdd(a3, bi, 0, c, out var r3);

        bi = b.L1;
        c = MulAdd(a0, bi, r1, 0, out r1);
        c = MulAdd(a1, bi, r2, c, out r2);
        c = MulAdd(a2, bi, r3, c, out r3);
        var r5 = MulAdd(a3, bi, r4, c, out r4);

        bi = b.L2;
        c = MulAdd(a0, bi, r2, 0, out r2);
        c = MulAdd(a1, bi, r3, c, out r3);
        c = MulAdd(a2, bi, r4, c, out r4);
        var r6 = MulAdd(a3, bi, r5, c, out r5);

        bi = b.L3;
        c = MulAdd(a0, bi, r3, 0, out r3);
        c = MulAdd(a1, bi, r4, c, out r4);
        c = MulAdd(a2, bi, r5, c, out r5);
        var r7 = MulAdd(a3, bi, r6, c, out r6);

        return Reduce(r0, r1, r2, r3, r4, r5, r6, r7);
    }

    /// <summary>Montgomery reduction of a 512-bit value below p R: r / R mod p, fully reduced.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static P256FieldElement Reduce(ulong r0, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5, ulong r6, ulong r7)
    {
        // One word at a time, m = the low word (as -1/p = 1 mod 2^64).
        ReduceWord(r0, ref r1, ref r2, ref r3, ref r4, out var carry);
        r5 = AddCarry(r5, 0, carry, out carry);
        r6 = AddCarry(r6, 0, carry, out carry);
        r7 = AddCarry(r7, 0, carry, out carry);
        var top = carry;
        ReduceWord(r1, ref r2, ref r3, ref r4, ref r5, out carry);
        r6 = AddCarry(r6, 0, carry, out carry);
        r7 = AddCarry(r7, 0, carry, out carry);
        top += carry;
        ReduceWord(r2, ref r3, ref r4, ref r5, ref r6, out carry);
        r7 = AddCarry(r7, 0, carry, out carry);
        top += carry;
        ReduceWord(r3, ref r4, ref r5, ref r6, ref r7, out carry);
        return ReduceOnce(r4, r5, r6, r7, top + carry);
    }

    /// <summary>Subtracts p once when the 257-bit value (t4 the top bit) is at or above p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static P256FieldElement ReduceOnce(ulong t0, ulong t1, ulong t2, ulong t3, ulong t4)
    {
        var r0 = SubBorrow(t0, P0, 0, out var borrow);
        var r1 = SubBorrow(t1, P1, borrow, out borrow);
        var r2 = SubBorrow(t2, 0, borrow, out borrow);
        var r3 = SubBorrow(t3, P3, borrow, out borrow);
        SubBorrow(t4, 0, borrow, out borrow);

        // borrow = 1: the value was below p, keep it.
        var keep = 0 - borrow;
        return new P256FieldElement(
            r0 ^ (keep & (r0 ^ t0)),
            r1 ^ (keep & (r1 ^ t1)),
            r2 ^ (keep & (r2 ^ t2)),
            r3 ^ (keep & (r3 ^ t3)));
    }

    private static class Constants
    {
        /// <summary>R^2 mod p, in plain form: multiplying by it enters Montgomery form.</summary>
        public static readonly P256FieldElement RSquared = new(0x0000000000000003, 0xFFFFFFFBFFFFFFFF, 0xFFFFFFFFFFFFFFFE, 0x00000004FFFFFFFD);
    }
}
