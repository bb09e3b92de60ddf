using System.Numerics;
using Pki.Shared.Arithmetic;

namespace Pki.Shared.Edwards25519;

/// <summary>
/// A point of edwards25519 (-x^2 + y^2 = 1 + d x^2 y^2 over GF(2^255 - 19)) in extended coordinates
/// (X : Y : Z : T) with x = X/Z, y = Y/Z, x y = T/Z; formulas from RFC 8032 section 5.1.4.
/// The addition formula is complete, so scalar multiplication needs no special cases.
/// </summary>
internal readonly struct EdwardsPoint
{
    public const int EncodedSize = 32;

    /// <summary>Width of the NAF digits in <see cref="MultiplyAddVartime"/>.</summary>
    private const int NafWidth = 5;

    /// <summary>Odd multiples in a width-5 NAF table: P, 3P, ..., 15P.</summary>
    private const int OddMultiples = 8;

    /// <summary>NAF digits of a 256-bit scalar: one more position than bits.</summary>
    private const int NafLength = 257;

    public readonly FieldElement X;
    public readonly FieldElement Y;
    public readonly FieldElement Z;
    public readonly FieldElement T;

    public EdwardsPoint(in FieldElement x, in FieldElement y, in FieldElement z, in FieldElement t)
    {
        X = x;
        Y = y;
        Z = z;
        T = t;
    }

    public static EdwardsPoint Identity => new(FieldElement.Zero, FieldElement.One, FieldElement.One, FieldElement.Zero);

    /// <summary>The base point B (RFC 8032 section 5.1): y = 4/5, x even.</summary>
    public static EdwardsPoint BasePoint => Constants.Base;

    /// <summary>RFC 8032 section 5.1.4 addition.</summary>
    public static EdwardsPoint Add(in EdwardsPoint p, in EdwardsPoint q) => AddCached(p, CachedPoint.From(q), withT: true);

    /// <summary>RFC 8032 section 5.1.4 doubling.</summary>
    public static EdwardsPoint Double(in EdwardsPoint p)
    {
        DoubleTerms(p, out var e, out var f, out var g, out var h);
        return new EdwardsPoint(e * f, g * h, f * g, e * h);
    }

    public EdwardsPoint Negate() => new(-X, Y, Z, -T);

    /// <summary>8 P: clears the cofactor.</summary>
    public EdwardsPoint MultiplyByCofactor() => Double(Double(Double(this)));

    /// <summary>True for the neutral element (0, 1).</summary>
    public bool IsIdentity() => X.IsZero() && Y.CanonicalEquals(Z);

    /// <summary>RFC 8032 section 5.1.2 encoding: y little-endian with the low bit of x in bit 255.</summary>
    public void Encode(Span<byte> destination)
    {
        var zInverse = FieldElement.Invert(Z);
        var x = X * zInverse;
        var y = Y * zInverse;
        y.ToBytes(destination);
        destination[31] |= (byte)(x.IsNegative() << 7);
    }

    public byte[] Encode()
    {
        var bytes = new byte[EncodedSize];
        Encode(bytes);
        return bytes;
    }

    /// <summary>
    /// RFC 8032 section 5.1.3 decoding. Fails for y &gt;= p (non-canonical), for points off the curve,
    /// and for x = 0 with the sign bit set.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, out EdwardsPoint point)
    {
        point = Identity;
        if (encoded.Length != EncodedSize)
        {
            return false;
        }

        // 1. y is the little-endian integer with bit 255 cleared; if y >= p, decoding fails.
        var xSign = encoded[31] >> 7;
        var y = FieldElement.FromBytes(encoded);
        Span<byte> canonical = stackalloc byte[32];
        y.ToBytes(canonical);
        canonical[31] |= (byte)(xSign << 7);
        if (!canonical.SequenceEqual(encoded))
        {
            return false;
        }

        // 2. x^2 = (y^2 - 1) / (d y^2 + 1); candidate x = u v^3 (u v^7)^((p-5)/8).
        var yy = FieldElement.Square(y);
        var u = yy - FieldElement.One;
        var v = (Constants.D * yy) + FieldElement.One;
        var v3 = FieldElement.Square(v) * v;
        var v7 = FieldElement.Square(v3) * v;
        var x = u * v3 * FieldElement.Pow22523(u * v7);

        // 3. If v x^2 = u, x is a square root; if v x^2 = -u, multiply by sqrt(-1); otherwise fail.
        var vxx = v * FieldElement.Square(x);
        if (!vxx.CanonicalEquals(u))
        {
            if (!vxx.CanonicalEquals(-u))
            {
                return false;
            }

            x *= Constants.SqrtMinusOne;
        }

        // 4. x = 0 with x_0 = 1 fails; otherwise pick the root whose low bit is x_0.
        if (x.IsZero() && xSign == 1)
        {
            return false;
        }

        if (x.IsNegative() != xSign)
        {
            x = -x;
        }

        point = new EdwardsPoint(x, y, FieldElement.One, x * y);
        return true;
    }

    /// <summary>
    /// scalar x P for a little-endian scalar below 2^255, by signed 4-bit windows (digits in [-8, 8])
    /// with a constant-time table lookup: the same operations whatever the scalar.
    /// </summary>
    public static EdwardsPoint Multiply(in EdwardsPoint p, ReadOnlySpan<byte> scalar)
    {
        Span<EdwardsPoint> table = stackalloc EdwardsPoint[8];
        BuildTable(p, table);
        return Multiply(table, scalar);
    }

    /// <summary>The multiples 1P..8P that <see cref="Multiply(ReadOnlySpan{EdwardsPoint}, ReadOnlySpan{byte})"/> uses.</summary>
    public static void BuildTable(in EdwardsPoint p, Span<EdwardsPoint> table)
    {
        table[0] = p;
        for (var i = 1; i < 8; i++)
        {
            table[i] = (i & 1) == 1 ? Double(table[i / 2]) : Add(table[i - 1], p);
        }
    }

    /// <summary>scalar x P with a table from <see cref="BuildTable"/> (so two scalars can share one table).</summary>
    public static EdwardsPoint Multiply(ReadOnlySpan<EdwardsPoint> table, ReadOnlySpan<byte> scalar)
    {
        Span<sbyte> digits = stackalloc sbyte[64];
        Recode(scalar, digits);
        var result = Select(table, digits[63]);
        for (var i = 62; i >= 0; i--)
        {
            result = Double(DoubleWithoutT(DoubleWithoutT(DoubleWithoutT(result))));
            result = Add(result, Select(table, digits[i]));
        }

        digits.Clear();
        return result;
    }

    /// <summary>
    /// <paramref name="a"/> x P and <paramref name="b"/> x P for two secret 32-byte little-endian scalars
    /// by a four-tooth comb: P, 2^64 P, 2^128 P and 2^192 P (192 doublings, shared) give a table of the
    /// 16 sums, then each scalar takes 64 doublings and 64 additions of a constant-time table entry:
    /// 320 doublings instead of the 504 of two windowed multiplications. The formulas are complete,
    /// so no input needs special handling.
    /// </summary>
    public static void MultiplyTwoScalars(in EdwardsPoint p, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, out EdwardsPoint aP, out EdwardsPoint bP)
    {
        Span<EdwardsPoint> table = stackalloc EdwardsPoint[16];
        table[0] = Identity;
        table[1] = p;
        var power = p;
        for (var tooth = 1; tooth < 4; tooth++)
        {
            for (var i = 0; i < 63; i++)
            {
                power = DoubleWithoutT(power);
            }

            power = Double(power);
            table[1 << tooth] = power;
        }

        for (var index = 3; index < 16; index++)
        {
            var lowest = index & -index;
            if (lowest != index)
            {
                table[index] = Add(table[index - lowest], table[lowest]);
            }
        }

        Span<CachedPoint> cached = stackalloc CachedPoint[16];
        for (var index = 0; index < 16; index++)
        {
            cached[index] = CachedPoint.From(table[index]);
        }

        // Each addition feeds a doubling, which does not read T: only the last one computes it.
        var resultA = Identity;
        var resultB = Identity;
        for (var bit = 63; bit >= 0; bit--)
        {
            resultA = AddCached(Double(resultA), SelectComb(cached, CombIndex(a, bit)), withT: bit == 0);
            resultB = AddCached(Double(resultB), SelectComb(cached, CombIndex(b, bit)), withT: bit == 0);
        }

        aP = resultA;
        bP = resultB;
    }

    /// <summary>scalar x B with a precomputed table of j x 16^i x B (j = 1..8, cached form): 64 additions, no doublings.</summary>
    public static EdwardsPoint MultiplyBase(ReadOnlySpan<byte> scalar)
    {
        Span<sbyte> digits = stackalloc sbyte[64];
        Recode(scalar, digits);
        var tables = Constants.BaseTable;
        var result = Identity;
        for (var i = 0; i < 64; i++)
        {
            result = AddCached(result, SelectCached(tables.AsSpan(i * 8, 8), digits[i]), withT: true);
        }

        digits.Clear();
        return result;
    }

    /// <summary>
    /// <paramref name="a"/> x P + <paramref name="b"/> x Q for public 32-byte little-endian scalars, in
    /// variable time (verification only): width-5 NAF digits over the odd multiples P, 3P, ..., 15P and
    /// Q, ..., 15Q, with the doublings shared (Straus), and doublings that skip T when no addition follows.
    /// </summary>
    public static EdwardsPoint MultiplyAddVartime(ReadOnlySpan<byte> a, in EdwardsPoint p, ReadOnlySpan<byte> b, in EdwardsPoint q)
    {
        Span<EdwardsPoint> oddP = stackalloc EdwardsPoint[OddMultiples];
        Span<EdwardsPoint> oddQ = stackalloc EdwardsPoint[OddMultiples];
        BuildOddMultiples(p, oddP);
        BuildOddMultiples(q, oddQ);
        Span<sbyte> nafA = stackalloc sbyte[NafLength];
        Span<sbyte> nafB = stackalloc sbyte[NafLength];
        var top = Math.Max(Naf(a, nafA), Naf(b, nafB));
        var result = Identity;
        for (var i = top; i >= 0; i--)
        {
            var adds = nafA[i] != 0 || nafB[i] != 0;
            result = adds || i == 0 ? Double(result) : DoubleWithoutT(result);
            if (nafA[i] != 0)
            {
                result = AddNafDigit(result, oddP, nafA[i]);
            }

            if (nafB[i] != 0)
            {
                result = AddNafDigit(result, oddQ, nafB[i]);
            }
        }

        return result;
    }

    /// <summary>Encodes several points with one field inversion (Montgomery's trick).</summary>
    public static void EncodeMany(ReadOnlySpan<EdwardsPoint> points, Span<byte> destination)
    {
        Span<FieldElement> zInverses = stackalloc FieldElement[points.Length];
        Span<FieldElement> scratch = stackalloc FieldElement[points.Length];
        for (var i = 0; i < points.Length; i++)
        {
            zInverses[i] = points[i].Z;
        }

        BatchInversion.InvertInPlace(zInverses, scratch, FieldElement.One);
        for (var i = 0; i < points.Length; i++)
        {
            var output = destination.Slice(i * EncodedSize, EncodedSize);
            var x = points[i].X * zInverses[i];
            (points[i].Y * zInverses[i]).ToBytes(output);
            output[31] |= (byte)(x.IsNegative() << 7);
        }
    }

    /// <summary>
    /// Signed radix-16 digits of a scalar below 2^255: e[i] in [-8, 8), e[63] in [0, 8], and
    /// scalar = sum e[i] 16^i.
    /// </summary>
    private static void Recode(ReadOnlySpan<byte> scalar, Span<sbyte> digits)
    {
        for (var i = 0; i < 32; i++)
        {
            digits[2 * i] = (sbyte)(scalar[i] & 15);
            digits[(2 * i) + 1] = (sbyte)((scalar[i] >> 4) & 15);
        }

        var carry = 0;
        for (var i = 0; i < 63; i++)
        {
            var digit = digits[i] + carry;
            carry = (digit + 8) >> 4;
            digits[i] = (sbyte)(digit - (carry << 4));
        }

        digits[63] = (sbyte)(digits[63] + carry);
    }

    /// <summary>P, 3P, 5P, ..., (2 <paramref name="table"/>.Length - 1) P.</summary>
    private static void BuildOddMultiples(in EdwardsPoint p, Span<EdwardsPoint> table)
    {
        var twice = Double(p);
        table[0] = p;
        for (var i = 1; i < table.Length; i++)
        {
            table[i] = Add(table[i - 1], twice);
        }
    }

    /// <summary>Width-5 NAF of a 32-byte little-endian scalar; returns the highest non-zero position.</summary>
    private static int Naf(ReadOnlySpan<byte> scalar, Span<sbyte> naf)
    {
        Span<ulong> words = stackalloc ulong[4];
        for (var i = 0; i < 4; i++)
        {
            words[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(scalar.Slice(8 * i, 8));
        }

        return WindowedNaf.Compute(words, NafWidth, naf);
    }

    /// <summary>P + digit x (the point whose odd multiples are <paramref name="oddMultiples"/>), digit odd and non-zero.</summary>
    private static EdwardsPoint AddNafDigit(in EdwardsPoint p, ReadOnlySpan<EdwardsPoint> oddMultiples, sbyte digit)
    {
        ref readonly var entry = ref oddMultiples[Math.Abs(digit) >> 1];
        return Add(p, digit < 0 ? entry.Negate() : entry);
    }

    /// <summary>Bits 64j + <paramref name="bit"/> (j = 0..3) of a 32-byte little-endian scalar, as a 4-bit comb index.</summary>
    private static uint CombIndex(ReadOnlySpan<byte> scalar, int bit)
    {
        var index = 0u;
        for (var tooth = 0; tooth < 4; tooth++)
        {
            var position = (64 * tooth) + bit;
            index |= (uint)((scalar[position >> 3] >> (position & 7)) & 1) << tooth;
        }

        return index;
    }

    /// <summary>The comb table entry at <paramref name="index"/>, reading all 16 entries.</summary>
    private static CachedPoint SelectComb(ReadOnlySpan<CachedPoint> table, uint index)
    {
        Span<CachedPoint> entry = stackalloc CachedPoint[1];
        ConstantTimeTable.Select(ConstantTimeTable.Words(table), index, ConstantTimeTable.Words(entry));
        return entry[0];
    }

    /// <summary>digit x P from a cached table of 1P..8P, without branches or secret indices: every entry is read.</summary>
    private static CachedPoint SelectCached(ReadOnlySpan<CachedPoint> table, sbyte digit)
    {
        var negative = (uint)digit >> 31;
        var magnitude = (uint)((digit ^ -(int)negative) + (int)negative);
        Span<CachedPoint> entry = stackalloc CachedPoint[1];
        entry[0] = CachedPoint.Identity;

        // Row magnitude - 1; digit 0 wraps to uint.MaxValue, no row, and leaves the identity.
        ConstantTimeTable.Select(ConstantTimeTable.Words(table), magnitude - 1, ConstantTimeTable.Words(entry));
        ref readonly var p = ref entry[0];

        // -(x, y) = (-x, y): Y + X and Y - X trade places and 2d T changes sign.
        return new CachedPoint(
            FieldElement.Select(p.YPlusX, p.YMinusX, negative),
            FieldElement.Select(p.YMinusX, p.YPlusX, negative),
            p.Z,
            FieldElement.Select(p.T2d, -p.T2d, negative));
    }

    /// <summary>
    /// P + Q for Q in cached form (RFC 8032 section 5.1.4 addition with Q's sums and 2d T2 done once):
    /// 8 multiplications, 7 when <paramref name="withT"/> is false because a doubling, which does not
    /// read T, comes next.
    /// </summary>
    private static EdwardsPoint AddCached(in EdwardsPoint p, in CachedPoint q, bool withT)
    {
        var a = (p.Y - p.X) * q.YMinusX;
        var b = (p.Y + p.X) * q.YPlusX;
        var c = p.T * q.T2d;
        var zz = p.Z * q.Z;
        var d = zz + zz;
        var e = b - a;
        var f = d - c;
        var g = d + c;
        var h = b + a;
        return new EdwardsPoint(e * f, g * h, f * g, withT ? e * h : FieldElement.Zero);
    }

    /// <summary>Doubling that skips T (a following doubling does not read it).</summary>
    private static EdwardsPoint DoubleWithoutT(in EdwardsPoint p)
    {
        DoubleTerms(p, out var e, out var f, out var g, out var h);
        return new EdwardsPoint(e * f, g * h, f * g, FieldElement.Zero);
    }

    /// <summary>
    /// RFC 8032 section 5.1.4 doubling up to the last products: A = X1^2, B = Y1^2, C = 2 Z1^2, H = A + B,
    /// E = H - (X1 + Y1)^2, G = A - B, F = C + G; then X3 = E F, Y3 = G H, T3 = E H, Z3 = F G.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void DoubleTerms(in EdwardsPoint p, out FieldElement e, out FieldElement f, out FieldElement g, out FieldElement h)
    {
        var a = FieldElement.Square(p.X);
        var b = FieldElement.Square(p.Y);
        var zz = FieldElement.Square(p.Z);
        h = a + b;
        e = h - FieldElement.Square(p.X + p.Y);
        g = a - b;
        f = zz + zz + g;
    }

    /// <summary>digit x P from the table of 1P..8P, without branches or secret indices: every entry is read.</summary>
    private static EdwardsPoint Select(ReadOnlySpan<EdwardsPoint> table, sbyte digit)
    {
        var negative = (uint)digit >> 31;
        var magnitude = (uint)((digit ^ -(int)negative) + (int)negative);
        Span<EdwardsPoint> entry = stackalloc EdwardsPoint[1];
        entry[0] = Identity;

        // Row magnitude - 1; digit 0 wraps to uint.MaxValue, no row, and leaves the identity.
        ConstantTimeTable.Select(ConstantTimeTable.Words(table), magnitude - 1, ConstantTimeTable.Words(entry));
        ref readonly var p = ref entry[0];
        return new EdwardsPoint(FieldElement.Select(p.X, -p.X, negative), p.Y, p.Z, FieldElement.Select(p.T, -p.T, negative));
    }

    /// <summary>A point as an addend: (Y + X, Y - X, Z, 2d T), 20 words like the point itself.</summary>
    private readonly struct CachedPoint(FieldElement yPlusX, FieldElement yMinusX, FieldElement z, FieldElement t2d)
    {
        public readonly FieldElement YPlusX = yPlusX;
        public readonly FieldElement YMinusX = yMinusX;
        public readonly FieldElement Z = z;
        public readonly FieldElement T2d = t2d;

        public static CachedPoint Identity => new(FieldElement.One, FieldElement.One, FieldElement.One, FieldElement.Zero);

        public static CachedPoint From(EdwardsPoint p) => new(p.Y + p.X, p.Y - p.X, p.Z, p.T * Constants.D2);
    }

    private static class Constants
    {
        public static readonly FieldElement D = FromBig(ModP(-121665 * BigInteger.ModPow(121666, P - 2, P)));
        public static readonly FieldElement D2 = D + D;
        public static readonly FieldElement SqrtMinusOne = FromBig(BigInteger.ModPow(2, (P - 1) / 4, P));
        public static readonly EdwardsPoint Base = DecodeBase();
        public static readonly CachedPoint[] BaseTable = BuildBaseTable();

        private static BigInteger P => BigInteger.Pow(2, 255) - 19;

        private static BigInteger ModP(BigInteger value) => ((value % P) + P) % P;

        private static FieldElement FromBig(BigInteger value)
        {
            Span<byte> bytes = stackalloc byte[32];
            bytes.Clear();
            value.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
            return FieldElement.FromBytes(bytes);
        }

        private static EdwardsPoint DecodeBase()
        {
            // B = (x, 4/5) with x positive: encoded as 0x58 followed by 31 bytes of 0x66.
            Span<byte> encoded = stackalloc byte[32];
            encoded.Fill(0x66);
            encoded[0] = 0x58;
            if (!TryDecode(encoded, out var point))
            {
                throw new InvalidOperationException("The edwards25519 base point did not decode.");
            }

            return point;
        }

        private static CachedPoint[] BuildBaseTable()
        {
            // BaseTable[8 i + j - 1] = j x 16^i x B for j = 1..8, in cached form.
            var table = new EdwardsPoint[64 * 8];
            var power = Base;
            for (var i = 0; i < 64; i++)
            {
                BuildTable(power, table.AsSpan(8 * i, 8));
                power = Double(Double(Double(Double(power))));
            }

            return Array.ConvertAll(table, CachedPoint.From);
        }
    }
}
