using System.Globalization;
using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pki.KeyTransparency.Vrf;
using Pki.KeyTransparency.Vrf.P256;
using Pki.Shared.Arithmetic;
using Pki.Shared.Edwards25519;

namespace Pki.KeyTransparency.Tests;

/// <summary>
/// The constant-time scalar arithmetic of the VRF provers (<see cref="ScalarField"/> and its two
/// wrappers, <see cref="P256Scalar"/> modulo n and <see cref="Scalar25519"/> modulo L) against
/// System.Numerics.BigInteger: every routine on the edges (0, 1, q-1, q, q+1, 2^256-1, 2^512-1 and
/// their mixtures) and on random values whose 64-bit limbs favour carries (all ones, zero, the
/// modulus's own limbs), and the Montgomery core on random odd moduli of every size.
/// </summary>
public sealed class ScalarArithmeticTests
{
    private static readonly BigInteger TwoTo256 = BigInteger.One << 256;
    private static readonly BigInteger N = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    private static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493", CultureInfo.InvariantCulture);

    public static TheoryData<string> Groups() => ["P-256", "Edwards25519"];

    private static BigInteger OrderOf(string group) => group == "P-256" ? N : L;

    /// <summary>The edges for 256-bit inputs (the wide ones add 2^512-1 and multiples of 2^256); 2q and 2q-1 exceed 2^256 for P-256.</summary>
    private static List<BigInteger> Edges(BigInteger q) =>
        [.. new[] { 0, 1, 2, q - 1, q, q + 1, (2 * q) - 1, 2 * q, TwoTo256 - 1, TwoTo256 - q, (TwoTo256 - 1) / q * q, ulong.MaxValue }.Where(v => v < TwoTo256)];

    private static List<BigInteger> WideEdges(BigInteger q)
    {
        var edges = Edges(q);
        var wide = new List<BigInteger> { (TwoTo256 * TwoTo256) - 1, q * TwoTo256, (q * TwoTo256) - 1, q * q, (q - 1) * (q - 1), TwoTo256 * (q + 1) };
        foreach (var high in new BigInteger[] { 0, 1, q - 1, q, TwoTo256 - 1 })
        {
            wide.AddRange(edges.Select(low => (high * TwoTo256) + low));
        }

        return wide;
    }

    // Encodings: P-256 scalars are big-endian, edwards25519 scalars little-endian.
    private static byte[] Encode(string group, BigInteger value, int length)
    {
        var bytes = new byte[length];
        Assert.True(value.TryWriteBytes(bytes, out var written, isUnsigned: true, isBigEndian: false));
        Assert.True(written <= length);
        if (group == "P-256")
        {
            Array.Reverse(bytes);
        }

        return bytes;
    }

    private static BigInteger Decode(string group, ReadOnlySpan<byte> bytes) =>
        new(bytes, isUnsigned: true, isBigEndian: group == "P-256");

    private static BigInteger Big(U256 value) =>
        new BigInteger(value.L0) + (new BigInteger(value.L1) << 64) + (new BigInteger(value.L2) << 128) + (new BigInteger(value.L3) << 192);

    private static U256 Limbs(BigInteger value) =>
        new((ulong)(value & ulong.MaxValue), (ulong)((value >> 64) & ulong.MaxValue), (ulong)((value >> 128) & ulong.MaxValue), (ulong)((value >> 192) & ulong.MaxValue));

    /// <summary>Reduce, ReduceWide, IsCanonical and IsInRange through the byte encodings of each group.</summary>
    private static void CheckReductions(string group, BigInteger value, BigInteger? high = null)
    {
        var q = OrderOf(group);
        var encoded = new byte[32];
        if (group == "P-256")
        {
            P256Scalar.Reduce(Encode(group, value, 32)).WriteBigEndian(encoded);
            Assert.Equal(P256Scalar.IsCanonical(Encode(group, value, 32)), value < q ? 1UL : 0UL);
            Assert.Equal(P256Scalar.IsInRange(Encode(group, value, 32)), value > 0 && value < q ? 1UL : 0UL);
        }
        else
        {
            Scalar25519.Reduce(Encode(group, value, 32)).WriteLittleEndian(encoded);
            Assert.Equal(Scalar25519.IsCanonical(Encode(group, value, 32)), value < q ? 1UL : 0UL);
        }

        Assert.Equal(value % q, Decode(group, encoded));
        Assert.Equal(value > 0 && value < q ? 1UL : 0UL, (group == "P-256" ? P256Scalar.Order : Scalar25519.Order).IsInRange(Limbs(value)));

        if (high is { } h)
        {
            var wide = (h * TwoTo256) + value;
            if (group == "P-256")
            {
                P256Scalar.ReduceWide(Encode(group, wide, 64)).WriteBigEndian(encoded);
            }
            else
            {
                Scalar25519.ReduceWide(Encode(group, wide, 64)).WriteLittleEndian(encoded);
            }

            Assert.Equal(wide % q, Decode(group, encoded));
        }
    }

    /// <summary>Add, multiply and multiply-add of the reductions of a, b and c.</summary>
    private static void CheckArithmetic(string group, BigInteger a, BigInteger b, BigInteger c)
    {
        var q = OrderOf(group);
        var encoded = new byte[32];
        BigInteger Result(Action<byte[]> write)
        {
            write(encoded);
            return Decode(group, encoded);
        }

        var (ar, br, cr) = (a % q, b % q, c % q);
        if (group == "P-256")
        {
            var (x, y, z) = (P256Scalar.Reduce(Encode(group, a, 32)), P256Scalar.Reduce(Encode(group, b, 32)), P256Scalar.Reduce(Encode(group, c, 32)));
            Assert.Equal((ar + br) % q, Result(d => (x + y).WriteBigEndian(d)));
            Assert.Equal(ar * br % q, Result(d => (x * y).WriteBigEndian(d)));
            Assert.Equal(((ar * br) + cr) % q, Result(d => P256Scalar.MultiplyAdd(x, y, z).WriteBigEndian(d)));
        }
        else
        {
            var (x, y, z) = (Scalar25519.Reduce(Encode(group, a, 32)), Scalar25519.Reduce(Encode(group, b, 32)), Scalar25519.Reduce(Encode(group, c, 32)));
            Assert.Equal((ar + br) % q, Result(d => (x + y).WriteLittleEndian(d)));
            Assert.Equal(ar * br % q, Result(d => (x * y).WriteLittleEndian(d)));
            Assert.Equal(((ar * br) + cr) % q, Result(d => Scalar25519.MultiplyAdd(x, y, z).WriteLittleEndian(d)));
        }

        // The field's Multiply takes any 256-bit left operand unreduced.
        var field = group == "P-256" ? P256Scalar.Order : Scalar25519.Order;
        Assert.Equal(a * br % q, Big(field.Multiply(Limbs(a), Limbs(br))));
    }

    [Theory]
    [MemberData(nameof(Groups))]
    public void Every_routine_equals_BigInteger_on_the_edges(string group)
    {
        var q = OrderOf(group);
        var edges = Edges(q);
        foreach (var value in edges)
        {
            CheckReductions(group, value);
        }

        foreach (var wide in WideEdges(q))
        {
            CheckReductions(group, wide % TwoTo256, wide / TwoTo256);
        }

        foreach (var a in edges)
        {
            foreach (var b in edges)
            {
                CheckArithmetic(group, a, b, b);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Groups))]
    public void Field_constants_and_modulus_are_the_group_order(string group)
    {
        var field = group == "P-256" ? P256Scalar.Order : Scalar25519.Order;
        Assert.Equal(OrderOf(group), Big(field.Modulus));
        Assert.Equal(0UL, field.IsBelowModulus(field.Modulus));
        Assert.Equal(1UL, field.IsBelowModulus(Limbs(OrderOf(group) - 1)));
    }

    [Fact]
    public void Short_spans_are_rejected_with_the_length_named()
    {
        var message = Assert.Throws<ArgumentException>(() => P256Scalar.ReduceWide(new byte[63])).Message;
        Assert.Contains("64 bytes; the span has 63", message, StringComparison.Ordinal);
        message = Assert.Throws<ArgumentException>(() => Scalar25519.ReduceWide(new byte[32])).Message;
        Assert.Contains("64 bytes; the span has 32", message, StringComparison.Ordinal);
        message = Assert.Throws<ArgumentException>(() => P256Scalar.Reduce(new byte[31])).Message;
        Assert.Contains("32 bytes; the span has 31", message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ScalarField(new U256(2, 0, 0, 1)));
        Assert.Throws<ArgumentException>(() => new ScalarField(new U256(1, 0, 0, 0)));
    }

    [Theory]
    [InlineData("2^256-1")]
    [InlineData("2^256-189")]
    [InlineData("2^256-2^192+1")]
    [InlineData("2^255+19")]
    [InlineData("3")]
    public void Montgomery_core_equals_BigInteger_on_edge_moduli(string name)
    {
        // Moduli above 2^256 - 2^192 make the early reduction steps carry out of the top word.
        var m = name switch
        {
            "2^256-1" => TwoTo256 - 1,
            "2^256-189" => TwoTo256 - 189,
            "2^256-2^192+1" => TwoTo256 - BigInteger.Pow(2, 192) + 1,
            "2^255+19" => BigInteger.Pow(2, 255) + 19,
            _ => BigInteger.Parse(name, CultureInfo.InvariantCulture),
        };
        var field = new ScalarField(Limbs(m));
        var values = Edges(m).Concat([m - 2, TwoTo256 - 2, TwoTo256 - m - 1]).Where(v => v >= 0 && v < TwoTo256).ToList();
        foreach (var a in values)
        {
            Assert.Equal(a % m, Big(field.Reduce(Limbs(a))));
            Assert.Equal(a < m ? 1UL : 0UL, field.IsBelowModulus(Limbs(a)));
            foreach (var b in values)
            {
                var (ar, br) = (a % m, b % m);
                Assert.Equal(((b * TwoTo256) + a) % m, Big(field.Reduce(Limbs(a), Limbs(b))));
                Assert.Equal((ar + br) % m, Big(field.Add(Limbs(ar), Limbs(br))));
                Assert.Equal(a * br % m, Big(field.Multiply(Limbs(a), Limbs(br))));
            }
        }
    }

    /// <summary>A 256-bit value whose limbs are often 0, all ones, or a limb of <paramref name="q"/> (plus or minus one).</summary>
    private static BigInteger CarryHeavy(Random random, BigInteger q)
    {
        var kind = random.Next(8);
        if (kind == 0)
        {
            return (q + random.Next(-3, 4)) & (TwoTo256 - 1);
        }

        var qLimbs = Limbs(q);
        var qWords = new[] { qLimbs.L0, qLimbs.L1, qLimbs.L2, qLimbs.L3 };
        var value = BigInteger.Zero;
        for (var i = 0; i < 4; i++)
        {
            var word = random.Next(6) switch
            {
                0 => 0UL,
                1 => ulong.MaxValue,
                2 => qWords[i],
                3 => qWords[i] + (ulong)random.Next(-1, 2),
                _ => (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63),
            };
            value |= new BigInteger(word) << (64 * i);
        }

        return value;
    }

    [Property(MaxTest = 300)]
    public Property Every_routine_equals_BigInteger_on_random_values() =>
        Prop.ForAll(
            (from seed in Gen.Choose(0, int.MaxValue)
             from curve in Gen.Elements("P-256", "Edwards25519")
             select (seed, curve)).ToArbitrary(),
            c =>
            {
                var random = new Random(c.seed);
                var q = OrderOf(c.curve);
                var (a, b, d, high) = (CarryHeavy(random, q), CarryHeavy(random, q), CarryHeavy(random, q), CarryHeavy(random, q));
                CheckReductions(c.curve, a, high);
                CheckArithmetic(c.curve, a, b, d);
            });

    [Property(MaxTest = 300)]
    public Property Montgomery_core_equals_BigInteger_for_any_odd_modulus() =>
        Prop.ForAll(
            (from seed in Gen.Choose(0, int.MaxValue)
             from bits in Gen.Choose(2, 256)
             select (seed, bits)).ToArbitrary(),
            c =>
            {
                var random = new Random(c.seed);
                var bytes = new byte[32];
                random.NextBytes(bytes);
                var m = new BigInteger(bytes, isUnsigned: true) % (BigInteger.One << c.bits);
                m |= (BigInteger.One << (c.bits - 1)) | 1; // exactly 'bits' bits, odd
                if (m == 1)
                {
                    m = 3;
                }

                var field = new ScalarField(Limbs(m));
                var a = CarryHeavy(random, m);
                var b = CarryHeavy(random, m);
                var high = CarryHeavy(random, m);
                var (ar, br) = (a % m, b % m);
                Assert.Equal(ar, Big(field.Reduce(Limbs(a))));
                Assert.Equal(((high * TwoTo256) + a) % m, Big(field.Reduce(Limbs(a), Limbs(high))));
                Assert.Equal((ar + br) % m, Big(field.Add(Limbs(ar), Limbs(br))));
                Assert.Equal(a * br % m, Big(field.Multiply(Limbs(a), Limbs(br))));
                Assert.Equal(((ar * br) + br) % m, Big(field.MultiplyAdd(Limbs(ar), Limbs(br), Limbs(br))));
                Assert.Equal(a < m ? 1UL : 0UL, field.IsBelowModulus(Limbs(a)));
                Assert.Equal(a > 0 && a < m ? 1UL : 0UL, field.IsInRange(Limbs(a)));
            });
}
