using System.Runtime.CompilerServices;
using Pki.Shared.Arithmetic;

namespace Pki.KeyTransparency.Vrf.P256;

/// <summary>
/// A NIST P-256 point in Jacobian coordinates (X : Y : Z), x = X/Z^2, y = Y/Z^3, the identity any
/// point with Z = 0. Doubling is dbl-2001-b (a = -3), addition add-2007-bl and madd-2007-bl from the
/// Explicit-Formulas Database. Additions take the identity on either side by constant-time selection
/// and turn into a doubling when both inputs are the same point; in the windowed multiplications below
/// that can only happen for scalars within 16 of 0 or of the group order (or one fixed scalar near
/// 2^257 for the base table), so that branch reveals nothing about a usable secret.
/// </summary>
internal readonly struct P256Point
{
    /// <summary>A compressed SEC1 encoding: 0x02/0x03 and the 32-byte x coordinate.</summary>
    public const int CompressedSize = 33;

    /// <summary>Signed 4-bit windows of a 256-bit scalar: 64 digits plus a final carry.</summary>
    private const int Digits = 65;

    /// <summary>NAF digits of a 256-bit scalar: one more position than bits.</summary>
    private const int NafLength = 257;

    /// <summary>Odd multiples in a width-5 NAF table: P, 3P, ..., 15P.</summary>
    private const int OddEntries = 8;

    /// <summary>Width of the NAF over the precomputed tables of G and 2^128 G.</summary>
    private const int BaseNafWidth = 7;

    /// <summary>Odd multiples in a width-7 table: G, 3G, ..., 63G.</summary>
    private const int BaseOddEntries = 32;

    public readonly P256FieldElement X;
    public readonly P256FieldElement Y;
    public readonly P256FieldElement Z;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public P256Point(in P256FieldElement x, in P256FieldElement y, in P256FieldElement z)
    {
        X = x;
        Y = y;
        Z = z;
    }

    public static P256Point Identity => new(P256FieldElement.One, P256FieldElement.One, P256FieldElement.Zero);

    public static P256Point Generator => new(Constants.GeneratorX, Constants.GeneratorY, P256FieldElement.One);

    /// <summary>1 when this is the identity (Z = 0), else 0.</summary>
    public ulong IsIdentity() => Z.IsZero();

    public P256Point Negate() => new(X, -Y, Z);

    /// <summary>P + Q (add-2007-bl: 11M + 5S), for any two points.</summary>
    public static P256Point Add(in P256Point p, in P256Point q)
    {
        var z1z1 = P256FieldElement.Square(p.Z);
        var z2z2 = P256FieldElement.Square(q.Z);
        var u1 = p.X * z2z2;
        var u2 = q.X * z1z1;
        var s1 = p.Y * q.Z * z2z2;
        var s2 = q.Y * p.Z * z1z1;
        var h = u2 - u1;
        var r = s2 - s1;
        var pIsIdentity = p.Z.IsZero();
        var qIsIdentity = q.Z.IsZero();
        if ((h.IsZero() & r.IsZero() & ((pIsIdentity | qIsIdentity) ^ 1)) == 1)
        {
            return Double(p); // the same point: the formula would give 0/0
        }

        r += r;
        var i = P256FieldElement.Square(h + h);
        var j = h * i;
        var v = u1 * i;
        var x3 = P256FieldElement.Square(r) - j - (v + v);
        var s1j = s1 * j;
        var y3 = (r * (v - x3)) - (s1j + s1j);
        var z3 = (P256FieldElement.Square(p.Z + q.Z) - z1z1 - z2z2) * h;

        // O + Q = Q, P + O = P.
        x3 = P256FieldElement.Select(P256FieldElement.Select(x3, q.X, pIsIdentity), p.X, qIsIdentity);
        y3 = P256FieldElement.Select(P256FieldElement.Select(y3, q.Y, pIsIdentity), p.Y, qIsIdentity);
        z3 = P256FieldElement.Select(P256FieldElement.Select(z3, q.Z, pIsIdentity), p.Z, qIsIdentity);
        return new P256Point(x3, y3, z3);
    }

    /// <summary>P + (x2, y2) for an affine point, which cannot be the identity (madd-2007-bl: 7M + 4S).</summary>
    public static P256Point AddAffine(in P256Point p, in P256FieldElement x2, in P256FieldElement y2)
    {
        var z1z1 = P256FieldElement.Square(p.Z);
        var u2 = x2 * z1z1;
        var s2 = y2 * p.Z * z1z1;
        var h = u2 - p.X;
        var r = s2 - p.Y;
        var pIsIdentity = p.Z.IsZero();
        if ((h.IsZero() & r.IsZero() & (pIsIdentity ^ 1)) == 1)
        {
            return Double(p); // the same point
        }

        var hh = P256FieldElement.Square(h);
        var i = hh + hh;
        i += i;
        var j = h * i;
        r += r;
        var v = p.X * i;
        var x3 = P256FieldElement.Square(r) - j - (v + v);
        var y1j = p.Y * j;
        var y3 = (r * (v - x3)) - (y1j + y1j);
        var z3 = P256FieldElement.Square(p.Z + h) - z1z1 - hh;

        // O + Q = Q.
        return new P256Point(
            P256FieldElement.Select(x3, x2, pIsIdentity),
            P256FieldElement.Select(y3, y2, pIsIdentity),
            P256FieldElement.Select(z3, P256FieldElement.One, pIsIdentity));
    }

    /// <summary>2P (dbl-2001-b for a = -3: 3M + 5S); the identity stays the identity.</summary>
    public static P256Point Double(in P256Point p)
    {
        var delta = P256FieldElement.Square(p.Z);
        var gamma = P256FieldElement.Square(p.Y);
        var beta = p.X * gamma;
        var t = (p.X - delta) * (p.X + delta);
        var alpha = t + t + t;
        var beta4 = beta + beta;
        beta4 += beta4;
        var beta8 = beta4 + beta4;
        var x3 = P256FieldElement.Square(alpha) - beta8;
        var z3 = P256FieldElement.Square(p.Y + p.Z) - gamma - delta;
        var gamma2 = P256FieldElement.Square(gamma);
        var gamma8 = gamma2 + gamma2;
        gamma8 += gamma8;
        gamma8 += gamma8;
        var y3 = (alpha * (beta4 - x3)) - gamma8;
        return new P256Point(x3, y3, z3);
    }

    /// <summary>
    /// string_to_point for a SEC1 compressed encoding: false for a wrong length or prefix, x at or
    /// above p, or an x with no point on the curve. The cofactor is 1, so every decoded point is in
    /// the prime-order group.
    /// </summary>
    public static bool TryDecompress(ReadOnlySpan<byte> encoded, out P256Point point)
    {
        point = Identity;
        if (encoded.Length != CompressedSize || (encoded[0] != 0x02 && encoded[0] != 0x03))
        {
            return false;
        }

        if (!P256FieldElement.TryFromBytes(encoded.Slice(1), out var x))
        {
            return false;
        }

        // y^2 = x^3 - 3x + b
        var rhs = (P256FieldElement.Square(x) * x) - (x + x + x) + Constants.B;
        var y = P256FieldElement.Sqrt(rhs, out var isSquare);
        if (isSquare == 0)
        {
            return false;
        }

        var wantOdd = (ulong)(encoded[0] & 1);
        y = P256FieldElement.Select(y, -y, y.IsOdd() ^ wantOdd);
        point = new P256Point(x, y, P256FieldElement.One);
        return true;
    }

    /// <summary>Writes the compressed encoding of a point that is not the identity.</summary>
    public void Compress(Span<byte> destination)
    {
        var zInverse = P256FieldElement.Invert(Z);
        var zInverse2 = P256FieldElement.Square(zInverse);
        WriteCompressed(X * zInverse2, Y * zInverse2 * zInverse, destination);
    }

    /// <summary>Compresses several points (none the identity) with one field inversion (Montgomery's trick).</summary>
    public static void CompressMany(ReadOnlySpan<P256Point> points, Span<byte> destination)
    {
        Span<AffinePoint> affine = stackalloc AffinePoint[points.Length];
        ToAffine(points, affine);
        for (var i = 0; i < points.Length; i++)
        {
            WriteCompressed(affine[i].X, affine[i].Y, destination.Slice(i * CompressedSize, CompressedSize));
        }
    }

    /// <summary>
    /// <paramref name="a"/> x P and <paramref name="b"/> x P for two secret 32-byte big-endian scalars
    /// by a four-tooth comb: P, 2^64 P, 2^128 P and 2^192 P (192 doublings, shared) give a table of the
    /// 16 sums, then each scalar takes 64 doublings and 64 additions of a constant-time table entry.
    /// Against two windowed multiplications that is 320 doublings instead of 520.
    /// </summary>
    public static void MultiplyTwoScalars(in P256Point p, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, out P256Point aP, out P256Point bP)
    {
        Span<P256Point> table = stackalloc P256Point[16];
        table[0] = Identity;
        table[1] = p;
        var power = p;
        for (var tooth = 1; tooth < 4; tooth++)
        {
            for (var i = 0; i < 64; i++)
            {
                power = Double(power);
            }

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

        // Affine entries (one inversion for all 15) make each of the 128 additions a mixed one.
        Span<AffinePoint> affine = stackalloc AffinePoint[16];
        ToAffine(table.Slice(1), affine.Slice(1));
        affine[0] = default; // index 0 (the identity) is handled by selection

        var resultA = Identity;
        var resultB = Identity;
        for (var bit = 63; bit >= 0; bit--)
        {
            resultA = AddCombEntry(Double(resultA), affine, CombIndex(a, bit));
            resultB = AddCombEntry(Double(resultB), affine, CombIndex(b, bit));
        }

        aP = resultA;
        bP = resultB;
    }

    /// <summary>scalar x G in constant time from a precomputed table of j x 16^i x G: 65 additions, no doublings.</summary>
    public static P256Point MultiplyBase(ReadOnlySpan<byte> scalar)
    {
        Span<sbyte> digits = stackalloc sbyte[Digits];
        Recode(scalar, digits);
        var tables = Constants.BaseTable;
        var result = Identity;
        for (var i = 0; i < Digits; i++)
        {
            SelectAffine(tables.AsSpan(i * 8, 8), digits[i], out var x, out var y, out var isZero);
            result = AddAffineUnlessZero(result, x, y, isZero);
        }

        digits.Clear();
        return result;
    }

    /// <summary>
    /// The two combinations an ECVRF verifier needs, U = s G + c Q1 and V = s H + c Q2, for public
    /// 32-byte big-endian scalars (c below 2^128), in variable time. Width-5 NAF digits over affine
    /// tables of odd multiples of Q1, H and Q2 (one inversion for all three); for U, s is split into
    /// halves over precomputed width-7 tables of G and 2^128 G, so U needs only 128 doublings.
    /// </summary>
    public static void VerifierCombinationsVartime(ReadOnlySpan<byte> s, ReadOnlySpan<byte> c, in P256Point q1, in P256Point h, in P256Point q2, out P256Point u, out P256Point v)
    {
        Span<P256Point> odd = stackalloc P256Point[3 * OddEntries];
        BuildOddMultiples(q1, odd.Slice(0, OddEntries));
        BuildOddMultiples(h, odd.Slice(OddEntries, OddEntries));
        BuildOddMultiples(q2, odd.Slice(2 * OddEntries, OddEntries));
        Span<AffinePoint> tables = stackalloc AffinePoint[3 * OddEntries];
        ToAffine(odd, tables);
        var tableQ1 = tables.Slice(0, OddEntries);
        var tableH = tables.Slice(OddEntries, OddEntries);
        var tableQ2 = tables.Slice(2 * OddEntries, OddEntries);

        Span<sbyte> nafS = stackalloc sbyte[NafLength];
        Span<sbyte> nafSLow = stackalloc sbyte[NafLength];
        Span<sbyte> nafSHigh = stackalloc sbyte[NafLength];
        Span<sbyte> nafC = stackalloc sbyte[NafLength];
        var topS = Naf(s, 0, 4, 5, nafS);
        var topSLow = Naf(s, 0, 2, BaseNafWidth, nafSLow);
        var topSHigh = Naf(s, 2, 2, BaseNafWidth, nafSHigh);
        var topC = Naf(c, 0, 4, 5, nafC);

        var baseTables = Constants.BaseOddTables;
        var result = Identity;
        for (var i = Math.Max(Math.Max(topSLow, topSHigh), topC); i >= 0; i--)
        {
            result = Double(result);
            result = AddNafDigit(result, baseTables.AsSpan(0, BaseOddEntries), nafSLow[i]);
            result = AddNafDigit(result, baseTables.AsSpan(BaseOddEntries, BaseOddEntries), nafSHigh[i]);
            result = AddNafDigit(result, tableQ1, nafC[i]);
        }

        u = result;
        result = Identity;
        for (var i = Math.Max(topS, topC); i >= 0; i--)
        {
            result = Double(result);
            result = AddNafDigit(result, tableH, nafS[i]);
            result = AddNafDigit(result, tableQ2, nafC[i]);
        }

        v = result;
    }

    private static P256Point AddNafDigit(in P256Point p, ReadOnlySpan<AffinePoint> oddMultiples, sbyte digit)
    {
        if (digit == 0)
        {
            return p;
        }

        ref readonly var entry = ref oddMultiples[Math.Abs(digit) >> 1];
        return AddAffine(p, entry.X, digit < 0 ? -entry.Y : entry.Y);
    }

    /// <summary>P, 2P, ..., 8P: the rows of the signed 4-bit base table.</summary>
    private static void BuildTable(in P256Point p, Span<P256Point> table)
    {
        table[0] = p;
        for (var i = 1; i < 8; i++)
        {
            table[i] = (i & 1) == 1 ? Double(table[i / 2]) : Add(table[i - 1], p);
        }
    }

    /// <summary>P, 3P, 5P, ..., (2 <paramref name="table"/>.Length - 1) P.</summary>
    private static void BuildOddMultiples(in P256Point p, Span<P256Point> table)
    {
        var twice = Double(p);
        table[0] = p;
        for (var i = 1; i < table.Length; i++)
        {
            table[i] = Add(table[i - 1], twice);
        }
    }

    /// <summary>
    /// Width-<paramref name="width"/> NAF of the big-endian scalar's 64-bit words
    /// [<paramref name="firstWord"/>, <paramref name="firstWord"/> + <paramref name="words"/>) counted from
    /// the least significant: odd digits below 2^(width-1) in magnitude, at most one in any
    /// <paramref name="width"/> consecutive positions. Returns the highest non-zero position (-1 for zero).
    /// </summary>
    private static int Naf(ReadOnlySpan<byte> scalar, int firstWord, int words, int width, Span<sbyte> naf)
    {
        Span<ulong> k = stackalloc ulong[4];
        for (var i = 0; i < words; i++)
        {
            k[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(scalar.Slice(32 - (8 * (firstWord + i + 1)), 8));
        }

        return WindowedNaf.Compute(k.Slice(0, words), width, naf);
    }

    private static void WriteCompressed(in P256FieldElement x, in P256FieldElement y, Span<byte> destination)
    {
        destination[0] = (byte)(0x02 | y.IsOdd());
        x.ToBytes(destination.Slice(1, 32));
    }

    /// <summary>
    /// Signed radix-16 digits of a 32-byte big-endian scalar: e[i] in [-8, 8) for i &lt; 64, e[64] in
    /// {0, 1}, and scalar = sum e[i] 16^i.
    /// </summary>
    private static void Recode(ReadOnlySpan<byte> scalar, Span<sbyte> digits)
    {
        for (var i = 0; i < 32; i++)
        {
            var value = scalar[31 - i];
            digits[2 * i] = (sbyte)(value & 15);
            digits[(2 * i) + 1] = (sbyte)(value >> 4);
        }

        var carry = 0;
        for (var i = 0; i < 64; i++)
        {
            var digit = digits[i] + carry;
            carry = (digit + 8) >> 4;
            digits[i] = (sbyte)(digit - (carry << 4));
        }

        digits[64] = (sbyte)carry;
    }

    /// <summary>Bits 64j + <paramref name="bit"/> (j = 0..3) of a 32-byte big-endian scalar, as a 4-bit comb index.</summary>
    private static uint CombIndex(ReadOnlySpan<byte> scalar, int bit)
    {
        var index = 0u;
        for (var tooth = 0; tooth < 4; tooth++)
        {
            var position = (64 * tooth) + bit;
            index |= (uint)((scalar[31 - (position >> 3)] >> (position & 7)) & 1) << tooth;
        }

        return index;
    }

    /// <summary>P plus the comb entry at <paramref name="index"/> (0: the identity), reading all 16 entries.</summary>
    private static P256Point AddCombEntry(in P256Point p, ReadOnlySpan<AffinePoint> table, uint index)
    {
        Span<AffinePoint> entry = stackalloc AffinePoint[1];
        entry[0] = default;
        ConstantTimeTable.Select(ConstantTimeTable.Words(table), index, ConstantTimeTable.Words(entry));
        return AddAffineUnlessZero(p, entry[0].X, entry[0].Y, (ulong)((index - 1) >> 31) & 1);
    }

    /// <summary>P + (x, y), or P itself when <paramref name="isZero"/> is 1 (a zero table digit), in constant time.</summary>
    private static P256Point AddAffineUnlessZero(in P256Point p, in P256FieldElement x, in P256FieldElement y, ulong isZero)
    {
        var sum = AddAffine(p, x, y);
        return new P256Point(
            P256FieldElement.Select(sum.X, p.X, isZero),
            P256FieldElement.Select(sum.Y, p.Y, isZero),
            P256FieldElement.Select(sum.Z, p.Z, isZero));
    }

    /// <summary>Affine coordinates of points that are not the identity, with one inversion (Montgomery's trick).</summary>
    private static void ToAffine(ReadOnlySpan<P256Point> points, Span<AffinePoint> affine)
    {
        // The table builds (static, once) convert hundreds of points: those go to the heap.
        var small = points.Length <= 64;
        Span<P256FieldElement> zInverses = small ? stackalloc P256FieldElement[points.Length] : new P256FieldElement[points.Length];
        Span<P256FieldElement> scratch = small ? stackalloc P256FieldElement[points.Length] : new P256FieldElement[points.Length];
        for (var i = 0; i < points.Length; i++)
        {
            zInverses[i] = points[i].Z;
        }

        BatchInversion.InvertInPlace(zInverses, scratch, P256FieldElement.One);
        for (var i = 0; i < points.Length; i++)
        {
            var zInverse2 = P256FieldElement.Square(zInverses[i]);
            affine[i] = new AffinePoint(points[i].X * zInverse2, points[i].Y * zInverse2 * zInverses[i]);
        }
    }

    /// <summary>digit x (an affine table of 1..8 multiples), reading every entry; <paramref name="isZero"/> is 1 for digit 0.</summary>
    private static void SelectAffine(ReadOnlySpan<AffinePoint> table, sbyte digit, out P256FieldElement x, out P256FieldElement y, out ulong isZero)
    {
        var negative = (ulong)((uint)digit >> 31);
        var magnitude = (uint)((digit ^ -(int)negative) + (int)negative);
        Span<AffinePoint> entry = stackalloc AffinePoint[1];
        entry[0] = default;

        // Row magnitude - 1; digit 0 wraps to uint.MaxValue, no row, and leaves zeros.
        ConstantTimeTable.Select(ConstantTimeTable.Words(table), magnitude - 1, ConstantTimeTable.Words(entry));
        x = entry[0].X;
        y = P256FieldElement.Select(entry[0].Y, -entry[0].Y, negative);
        isZero = (ulong)((magnitude - 1) >> 31) & 1;
    }

    /// <summary>An affine point of the precomputed base table.</summary>
    private readonly struct AffinePoint(P256FieldElement x, P256FieldElement y)
    {
        public readonly P256FieldElement X = x;
        public readonly P256FieldElement Y = y;
    }

    private static class Constants
    {
        public static readonly P256FieldElement B = Load("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");
        public static readonly P256FieldElement GeneratorX = Load("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");
        public static readonly P256FieldElement GeneratorY = Load("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");

        /// <summary>BaseTable[8 i + j - 1] = j x 16^i x G (j = 1..8, i = 0..64), affine.</summary>
        public static readonly AffinePoint[] BaseTable = BuildBaseTable();

        /// <summary>G, 3G, ..., 63G, then the same multiples of 2^128 G (verification), affine.</summary>
        public static readonly AffinePoint[] BaseOddTables = BuildBaseOddTables();

        private static P256FieldElement Load(string hex)
        {
            Span<byte> bytes = stackalloc byte[32];
            for (var i = 0; i < 32; i++)
            {
                bytes[i] = byte.Parse(hex.AsSpan(2 * i, 2), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            }

            if (!P256FieldElement.TryFromBytes(bytes, out var element))
            {
                throw new InvalidOperationException("A P-256 constant is not below p.");
            }

            return element;
        }

        private static AffinePoint[] BuildBaseOddTables()
        {
            var generator = new P256Point(GeneratorX, GeneratorY, P256FieldElement.One);
            var shifted = generator;
            for (var i = 0; i < 128; i++)
            {
                shifted = Double(shifted);
            }

            var projective = new P256Point[2 * BaseOddEntries];
            BuildOddMultiples(generator, projective.AsSpan(0, BaseOddEntries));
            BuildOddMultiples(shifted, projective.AsSpan(BaseOddEntries, BaseOddEntries));
            var table = new AffinePoint[projective.Length];
            ToAffine(projective, table);
            return table;
        }

        private static AffinePoint[] BuildBaseTable()
        {
            var projective = new P256Point[Digits * 8];
            var power = new P256Point(GeneratorX, GeneratorY, P256FieldElement.One);
            for (var i = 0; i < Digits; i++)
            {
                BuildTable(power, projective.AsSpan(8 * i, 8));
                power = Double(Double(Double(Double(power))));
            }

            // One inversion for all of them; none is the identity.
            var table = new AffinePoint[projective.Length];
            ToAffine(projective, table);
            return table;
        }
    }
}
