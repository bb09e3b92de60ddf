using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Pki.Shared.Arithmetic;

namespace Pki.Shared.Edwards25519;

/// <summary>
/// An element of GF(2^255 - 19) in five 51-bit limbs (radix 2^51). Every operation returns limbs below
/// 2^52, the bound <see cref="Mul"/> needs; <see cref="ToBytes"/> gives the canonical encoding.
/// No operation branches on or indexes by the value.
/// </summary>
internal readonly struct FieldElement : IInvertibleFieldElement<FieldElement>
{
    private const ulong Mask51 = (1UL << 51) - 1;

    public readonly ulong L0;
    public readonly ulong L1;
    public readonly ulong L2;
    public readonly ulong L3;
    public readonly ulong L4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public FieldElement(ulong l0, ulong l1, ulong l2, ulong l3, ulong l4)
    {
        L0 = l0;
        L1 = l1;
        L2 = l2;
        L3 = l3;
        L4 = l4;
    }

    public static FieldElement Zero => default;

    public static FieldElement One => new(1, 0, 0, 0, 0);

    /// <summary>Loads 32 little-endian bytes, ignoring the top bit (RFC 8032 section 5.1.3 step 1); the value may be at or above p.</summary>
    public static FieldElement FromBytes(ReadOnlySpan<byte> bytes)
    {
        var w0 = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var w1 = BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(8));
        var w2 = BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(16));
        var w3 = BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(24));
        return new FieldElement(
            w0 & Mask51,
            ((w0 >> 51) | (w1 << 13)) & Mask51,
            ((w1 >> 38) | (w2 << 26)) & Mask51,
            ((w2 >> 25) | (w3 << 39)) & Mask51,
            (w3 >> 12) & Mask51);
    }

    /// <summary>The canonical 32-byte little-endian encoding (fully reduced below p; top bit clear).</summary>
    public void ToBytes(Span<byte> destination)
    {
        var r = Carry(this);
        r = Carry(r);

        // Now r < 2^255 + small; subtract p once if r >= p: q = 1 iff r + 19 >= 2^255.
        var q = (r.L0 + 19) >> 51;
        q = (r.L1 + q) >> 51;
        q = (r.L2 + q) >> 51;
        q = (r.L3 + q) >> 51;
        q = (r.L4 + q) >> 51;
        var l0 = r.L0 + (19 * q);
        var l1 = r.L1 + (l0 >> 51);
        l0 &= Mask51;
        var l2 = r.L2 + (l1 >> 51);
        l1 &= Mask51;
        var l3 = r.L3 + (l2 >> 51);
        l2 &= Mask51;
        var l4 = r.L4 + (l3 >> 51);
        l3 &= Mask51;
        l4 &= Mask51;
        BinaryPrimitives.WriteUInt64LittleEndian(destination, l0 | (l1 << 51));
        BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(8), (l1 >> 13) | (l2 << 38));
        BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(16), (l2 >> 26) | (l3 << 25));
        BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(24), (l3 >> 39) | (l4 << 12));
    }

    public static FieldElement operator +(in FieldElement a, in FieldElement b) =>
        Carry(new FieldElement(a.L0 + b.L0, a.L1 + b.L1, a.L2 + b.L2, a.L3 + b.L3, a.L4 + b.L4));

    /// <summary>a - b, computed as a + 4p - b so no limb goes negative.</summary>
    public static FieldElement operator -(in FieldElement a, in FieldElement b) =>
        Carry(new FieldElement(
            a.L0 + 0x1FFFFFFFFFFFB4 - b.L0,
            a.L1 + 0x1FFFFFFFFFFFFC - b.L1,
            a.L2 + 0x1FFFFFFFFFFFFC - b.L2,
            a.L3 + 0x1FFFFFFFFFFFFC - b.L3,
            a.L4 + 0x1FFFFFFFFFFFFC - b.L4));

    public static FieldElement operator -(in FieldElement a) => Zero - a;

    public static FieldElement operator *(in FieldElement a, in FieldElement b) => Mul(a, b);

    /// <inheritdoc />
    public FieldElement Multiply(in FieldElement other) => Mul(this, other);

    /// <inheritdoc />
    public FieldElement Inverse() => Invert(this);

    /// <summary>a x b mod p; inputs with limbs below 2^52 (every operation's output is).</summary>
    public static FieldElement Mul(in FieldElement a, in FieldElement b)
    {
        ulong b1x19 = b.L1 * 19, b2x19 = b.L2 * 19, b3x19 = b.L3 * 19, b4x19 = b.L4 * 19;
        var r0 = U128.Mul(a.L0, b.L0) + U128.Mul(a.L1, b4x19) + U128.Mul(a.L2, b3x19) + U128.Mul(a.L3, b2x19) + U128.Mul(a.L4, b1x19);
        var r1 = U128.Mul(a.L0, b.L1) + U128.Mul(a.L1, b.L0) + U128.Mul(a.L2, b4x19) + U128.Mul(a.L3, b3x19) + U128.Mul(a.L4, b2x19);
        var r2 = U128.Mul(a.L0, b.L2) + U128.Mul(a.L1, b.L1) + U128.Mul(a.L2, b.L0) + U128.Mul(a.L3, b4x19) + U128.Mul(a.L4, b3x19);
        var r3 = U128.Mul(a.L0, b.L3) + U128.Mul(a.L1, b.L2) + U128.Mul(a.L2, b.L1) + U128.Mul(a.L3, b.L0) + U128.Mul(a.L4, b4x19);
        var r4 = U128.Mul(a.L0, b.L4) + U128.Mul(a.L1, b.L3) + U128.Mul(a.L2, b.L2) + U128.Mul(a.L3, b.L1) + U128.Mul(a.L4, b.L0);
        return Reduce(r0, r1, r2, r3, r4);
    }

    /// <summary>a^2 mod p.</summary>
    public static FieldElement Square(in FieldElement a)
    {
        ulong d0 = a.L0 * 2, d1 = a.L1 * 2, a3x19 = a.L3 * 19, a4x19 = a.L4 * 19, d4x19 = a4x19 * 2;
        var r0 = U128.Mul(a.L0, a.L0) + U128.Mul(d1, a4x19) + U128.Mul(a.L2 * 2, a3x19);
        var r1 = U128.Mul(d0, a.L1) + U128.Mul(a.L2, d4x19) + U128.Mul(a.L3, a3x19);
        var r2 = U128.Mul(d0, a.L2) + U128.Mul(a.L1, a.L1) + U128.Mul(a.L3, d4x19);
        var r3 = U128.Mul(d0, a.L3) + U128.Mul(d1, a.L2) + U128.Mul(a.L4, a4x19);
        var r4 = U128.Mul(d0, a.L4) + U128.Mul(d1, a.L3) + U128.Mul(a.L2, a.L2);
        return Reduce(r0, r1, r2, r3, r4);
    }

    /// <summary>a^(2^n) mod p.</summary>
    public static FieldElement SquareTimes(in FieldElement a, int n)
    {
        var r = Square(a);
        for (var i = 1; i < n; i++)
        {
            r = Square(r);
        }

        return r;
    }

    /// <summary>a^(p - 2) = 1/a (0 for 0), by the usual addition chain for 2^255 - 21.</summary>
    public static FieldElement Invert(in FieldElement z)
    {
        var t = Pow2250Minus1(z, out var z11);
        t = SquareTimes(t, 5);          // 2^255 - 2^5
        return t * z11;                 // 2^255 - 21
    }

    /// <summary>z^((p - 5) / 8) = z^(2^252 - 3), used for square roots (RFC 8032 section 5.1.3).</summary>
    public static FieldElement Pow22523(in FieldElement z)
    {
        var t = Pow2250Minus1(z, out _);
        t = SquareTimes(t, 2);          // 2^252 - 4
        return t * z;                   // 2^252 - 3
    }

    /// <summary>Constant-time select: <paramref name="b"/> when <paramref name="choice"/> is 1, else <paramref name="a"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FieldElement Select(in FieldElement a, in FieldElement b, ulong choice)
    {
        var mask = 0UL - choice;
        return new FieldElement(
            a.L0 ^ (mask & (a.L0 ^ b.L0)),
            a.L1 ^ (mask & (a.L1 ^ b.L1)),
            a.L2 ^ (mask & (a.L2 ^ b.L2)),
            a.L3 ^ (mask & (a.L3 ^ b.L3)),
            a.L4 ^ (mask & (a.L4 ^ b.L4)));
    }

    /// <summary>True when the canonical value is 0.</summary>
    public bool IsZero()
    {
        Span<byte> bytes = stackalloc byte[32];
        ToBytes(bytes);
        var acc = 0;
        foreach (var b in bytes)
        {
            acc |= b;
        }

        return acc == 0;
    }

    /// <summary>The low bit of the canonical value ("negative" in RFC 8032 terms).</summary>
    public int IsNegative()
    {
        Span<byte> bytes = stackalloc byte[32];
        ToBytes(bytes);
        return bytes[0] & 1;
    }

    public bool CanonicalEquals(in FieldElement other)
    {
        Span<byte> a = stackalloc byte[32];
        Span<byte> b = stackalloc byte[32];
        ToBytes(a);
        other.ToBytes(b);
        return a.SequenceEqual(b);
    }

    private static FieldElement Pow2250Minus1(in FieldElement z, out FieldElement z11)
    {
        var z2 = Square(z);                         // 2
        var z9 = SquareTimes(z2, 2) * z;            // 9
        z11 = z9 * z2;                              // 11
        var z2_5_0 = Square(z11) * z9;              // 2^5 - 1
        var z2_10_0 = SquareTimes(z2_5_0, 5) * z2_5_0;
        var z2_20_0 = SquareTimes(z2_10_0, 10) * z2_10_0;
        var z2_40_0 = SquareTimes(z2_20_0, 20) * z2_20_0;
        var z2_50_0 = SquareTimes(z2_40_0, 10) * z2_10_0;
        var z2_100_0 = SquareTimes(z2_50_0, 50) * z2_50_0;
        var z2_200_0 = SquareTimes(z2_100_0, 100) * z2_100_0;
        return SquareTimes(z2_200_0, 50) * z2_50_0;  // 2^250 - 1
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FieldElement Reduce(U128 r0, U128 r1, U128 r2, U128 r3, U128 r4)
    {
        r1 += r0.Shr51();
        var l0 = r0.Lo & Mask51;
        r2 += r1.Shr51();
        var l1 = r1.Lo & Mask51;
        r3 += r2.Shr51();
        var l2 = r2.Lo & Mask51;
        r4 += r3.Shr51();
        var l3 = r3.Lo & Mask51;
        var carry = r4.Shr51();
        var l4 = r4.Lo & Mask51;
        l0 += carry * 19;
        l1 += l0 >> 51;
        l0 &= Mask51;
        return new FieldElement(l0, l1, l2, l3, l4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FieldElement Carry(in FieldElement a)
    {
        var l0 = a.L0;
        var l1 = a.L1 + (l0 >> 51);
        l0 &= Mask51;
        var l2 = a.L2 + (l1 >> 51);
        l1 &= Mask51;
        var l3 = a.L3 + (l2 >> 51);
        l2 &= Mask51;
        var l4 = a.L4 + (l3 >> 51);
        l3 &= Mask51;
        l0 += (l4 >> 51) * 19;
        l4 &= Mask51;
        l1 += l0 >> 51;
        l0 &= Mask51;
        return new FieldElement(l0, l1, l2, l3, l4);
    }
}
