using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Math.EC;
using Pki.KeyTransparency.Vrf.P256;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Pki.KeyTransparency.Tests;

/// <summary>
/// Our P-256 field and point arithmetic against System.Numerics.BigInteger (the field) and
/// BouncyCastle's secp256r1 (points, decompression, every multiplication routine), on random inputs
/// and on the edges: 0, 1, p - 1, n - 1, n, the identity, P + P and P + (-P).
/// </summary>
public sealed class P256ArithmeticTests
{
    private static readonly BigInteger P = BigInteger.Parse("0ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", System.Globalization.NumberStyles.HexNumber);
    private static readonly BigInteger N = BigInteger.Parse("0ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", System.Globalization.NumberStyles.HexNumber);
    private static readonly Org.BouncyCastle.Asn1.X9.X9ECParameters Curve = CustomNamedCurves.GetByName("secp256r1");

    private static byte[] Bytes32(BigInteger value)
    {
        var bytes = new byte[32];
        value.TryWriteBytes(bytes, out var written, isUnsigned: true, isBigEndian: true);
        return [.. new byte[32 - written], .. bytes.AsSpan(0, written)];
    }

    private static P256FieldElement Fe(BigInteger value)
    {
        Assert.True(P256FieldElement.TryFromBytes(Bytes32(value), out var element));
        return element;
    }

    private static BigInteger Big(P256FieldElement element)
    {
        var bytes = new byte[32];
        element.ToBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    private static BigInteger RandomBelow(Random random, BigInteger bound)
    {
        var bytes = new byte[32];
        random.NextBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true) % bound;
    }

    private static string Hex(P256Point point) =>
        point.IsIdentity() == 1 ? "identity" : Convert.ToHexString(Compress(point));

    private static byte[] Compress(P256Point point)
    {
        var bytes = new byte[33];
        point.Compress(bytes);
        return bytes;
    }

    private static string Hex(ECPoint point) =>
        point.IsInfinity ? "identity" : Convert.ToHexString(point.Normalize().GetEncoded(true));

    private static ECPoint Bc(P256Point point) =>
        point.IsIdentity() == 1 ? Curve.Curve.Infinity : Curve.Curve.DecodePoint(Compress(point));

    private static P256Point Ours(ECPoint point)
    {
        Assert.True(P256Point.TryDecompress(point.Normalize().GetEncoded(true), out var ours));
        return ours;
    }

    private static BcBigInteger BcScalar(byte[] scalar) => new(1, scalar);

    private static P256Point Multiply(P256Point point, byte[] scalar)
    {
        // Both outputs of the two-scalar comb are checked: each against the other argument order.
        var other = Bytes32(BigInteger.Parse("1234567890123456789"));
        P256Point.MultiplyTwoScalars(point, scalar, other, out var first, out var second);
        P256Point.MultiplyTwoScalars(point, other, scalar, out var third, out var fourth);
        Assert.Equal(Hex(first), Hex(fourth));
        Assert.Equal(Hex(second), Hex(third));
        return first;
    }

    public static TheoryData<string> EdgeValues() => new() { "0", "1", "2", "p-1", "p-2", "2^255", "2^192", "2^64-1" };

    private static BigInteger Edge(string name) => name switch
    {
        "p-1" => P - 1,
        "p-2" => P - 2,
        "2^255" => BigInteger.Pow(2, 255),
        "2^192" => BigInteger.Pow(2, 192),
        "2^64-1" => ulong.MaxValue,
        _ => BigInteger.Parse(name, System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public void Field_operations_equal_BigInteger_on_random_and_edge_values()
    {
        var random = new Random(2569);
        var values = new List<BigInteger> { 0, 1, 2, P - 1, P - 2, BigInteger.Pow(2, 255), BigInteger.Pow(2, 224), ulong.MaxValue };
        for (var i = 0; i < 300; i++)
        {
            values.Add(RandomBelow(random, P));
        }

        for (var i = 0; i < values.Count; i++)
        {
            var a = values[i];
            var b = values[(i * 7 + 3) % values.Count];
            Assert.Equal(a, Big(Fe(a)));
            Assert.Equal((a * b) % P, Big(Fe(a) * Fe(b)));
            Assert.Equal((a + b) % P, Big(Fe(a) + Fe(b)));
            Assert.Equal(((a - b) % P + P) % P, Big(Fe(a) - Fe(b)));
            Assert.Equal((P - a) % P, Big(-Fe(a)));
            Assert.Equal(a.IsZero ? 0 : BigInteger.ModPow(a, P - 2, P), Big(P256FieldElement.Invert(Fe(a))));
            Assert.Equal((ulong)(a.IsEven ? 0 : 1), Fe(a).IsOdd());
            Assert.Equal(a.IsZero ? 1UL : 0UL, Fe(a).IsZero());

            var root = P256FieldElement.Sqrt(Fe(a), out var isSquare);
            var expectedSquare = a.IsZero || BigInteger.ModPow(a, (P - 1) / 2, P).IsOne;
            Assert.Equal(expectedSquare ? 1UL : 0UL, isSquare);
            if (expectedSquare)
            {
                Assert.Equal(a, Big(root) * Big(root) % P);
            }
        }
    }

    [Theory]
    [MemberData(nameof(EdgeValues))]
    public void Field_edges_round_trip(string name)
    {
        var value = Edge(name);
        Assert.Equal(value, Big(Fe(value)));
        Assert.Equal(value * value % P, Big(P256FieldElement.Square(Fe(value))));
    }

    [Fact]
    public void Coordinates_at_or_above_p_are_refused()
    {
        Assert.False(P256FieldElement.TryFromBytes(Bytes32(P), out _));
        Assert.False(P256FieldElement.TryFromBytes(Bytes32(P + 1), out _));
        Assert.False(P256FieldElement.TryFromBytes(Enumerable.Repeat((byte)0xff, 32).ToArray(), out _));
        Assert.True(P256FieldElement.TryFromBytes(Bytes32(P - 1), out _));
    }

    [Property(MaxTest = 60)]
    public Property Base_and_variable_base_multiplication_equal_BouncyCastle() =>
        Prop.ForAll(
            Gen.Choose(0, int.MaxValue).ToArbitrary(),
            seed =>
            {
                var random = new Random(seed);
                var k = Bytes32(RandomBelow(random, N));
                var expected = Curve.G.Multiply(BcScalar(k));
                Assert.Equal(Hex(expected), Hex(P256Point.MultiplyBase(k)));

                var point = Curve.G.Multiply(BcScalar(Bytes32(RandomBelow(random, N - 1) + 1)));
                Assert.Equal(Hex(point.Multiply(BcScalar(k))), Hex(Multiply(Ours(point), k)));
            });

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("8")]
    [InlineData("n-1")]
    [InlineData("n")]
    [InlineData("n+1")]
    [InlineData("2^256-1")]
    [InlineData("8888888888888888888888888888888888888888888888888888888888888888")]
    [InlineData("7777777777777777777777777777777777777777777777777777777777777777")]
    public void Multiplication_by_edge_scalars_equals_BouncyCastle(string name)
    {
        var value = name switch
        {
            "n-1" => N - 1,
            "n" => N,
            "n+1" => N + 1,
            "2^256-1" => BigInteger.Pow(2, 256) - 1,
            _ when name.Length == 64 => BigInteger.Parse("0" + name, System.Globalization.NumberStyles.HexNumber),
            _ => BigInteger.Parse(name, System.Globalization.CultureInfo.InvariantCulture),
        };
        var k = Bytes32(value);
        var point = Curve.G.Multiply(BcScalar(Bytes32(123456789)));
        var expectedBase = Curve.G.Multiply(BcScalar(k).Mod(Curve.N));
        var expectedPoint = point.Multiply(BcScalar(k).Mod(Curve.N));

        Assert.Equal(Hex(expectedBase), Hex(P256Point.MultiplyBase(k)));
        Assert.Equal(Hex(expectedPoint), Hex(Multiply(Ours(point), k)));

        // As a verifier: U = k G + c Q1, V = k H + c Q2 with a 16-byte c.
        var c = new byte[32];
        k.AsSpan(16).CopyTo(c.AsSpan(16));
        var h = Curve.G.Multiply(BcScalar(Bytes32(555)));
        P256Point.VerifierCombinationsVartime(k, c, Ours(point), Ours(h), Ours(point.Negate()), out var u, out var v);
        Assert.Equal(Hex(expectedBase.Add(point.Multiply(BcScalar(c)))), Hex(u));
        Assert.Equal(Hex(h.Multiply(BcScalar(k).Mod(Curve.N)).Add(point.Negate().Multiply(BcScalar(c)))), Hex(v));
    }

    [Property(MaxTest = 60)]
    public Property Verification_double_multiplications_equal_BouncyCastle() =>
        Prop.ForAll(
            Gen.Choose(0, int.MaxValue).ToArbitrary(),
            seed =>
            {
                var random = new Random(seed);
                var a = Bytes32(RandomBelow(random, N));
                var b = new byte[32];
                random.NextBytes(b.AsSpan(16)); // a 16-byte challenge, as in verification
                var p = Curve.G.Multiply(BcScalar(Bytes32(RandomBelow(random, N - 1) + 1)));
                var q = Curve.G.Multiply(BcScalar(Bytes32(RandomBelow(random, N - 1) + 1)));

                var h = Curve.G.Multiply(BcScalar(Bytes32(RandomBelow(random, N - 1) + 1)));
                P256Point.VerifierCombinationsVartime(a, b, Ours(p), Ours(h), Ours(q), out var u, out var v);
                Assert.Equal(Hex(ECAlgorithms.SumOfTwoMultiplies(Curve.G, BcScalar(a), p, BcScalar(b))), Hex(u));
                Assert.Equal(Hex(ECAlgorithms.SumOfTwoMultiplies(h, BcScalar(a), q, BcScalar(b))), Hex(v));
            });

    [Fact]
    public void Addition_is_complete_for_doubling_inverses_and_the_identity()
    {
        var bcPoint = Curve.G.Multiply(BcScalar(Bytes32(987654321)));
        var point = Ours(bcPoint);

        Assert.Equal(Hex(bcPoint.Twice()), Hex(P256Point.Add(point, point)));
        Assert.Equal(Hex(bcPoint.Twice()), Hex(P256Point.Double(point)));
        Assert.Equal(1UL, P256Point.Add(point, point.Negate()).IsIdentity());
        Assert.Equal(Hex(bcPoint), Hex(P256Point.Add(P256Point.Identity, point)));
        Assert.Equal(Hex(bcPoint), Hex(P256Point.Add(point, P256Point.Identity)));
        Assert.Equal(Hex(bcPoint), Hex(P256Point.AddAffine(P256Point.Identity, point.X, point.Y)));
        Assert.Equal(Hex(bcPoint.Twice()), Hex(P256Point.AddAffine(point, point.X, point.Y)));
        Assert.Equal(1UL, P256Point.AddAffine(point.Negate(), point.X, point.Y).IsIdentity());
        Assert.Equal(1UL, P256Point.Double(P256Point.Identity).IsIdentity());
        Assert.Equal(1UL, P256Point.Add(P256Point.Identity, P256Point.Identity).IsIdentity());
    }

    [Fact]
    public void Compressing_many_points_at_once_equals_one_at_a_time()
    {
        var points = Enumerable.Range(1, 5).Select(i => Multiply(P256Point.Generator, Bytes32(i * 1_000_003))).ToArray();
        var many = new byte[points.Length * 33];
        P256Point.CompressMany(points, many);
        Assert.Equal(string.Concat(points.Select(p => Convert.ToHexString(Compress(p)))), Convert.ToHexString(many));
    }

    [Property(MaxTest = 200)]
    public Property Decompression_accepts_and_refuses_exactly_what_BouncyCastle_does() =>
        Prop.ForAll(
            Gen.Choose(0, int.MaxValue).ToArbitrary(),
            seed =>
            {
                var random = new Random(seed);
                var encoded = new byte[33];
                random.NextBytes(encoded);
                encoded[0] = (byte)(2 + (seed & 1));
                ECPoint? expected;
                try
                {
                    expected = Curve.Curve.DecodePoint(encoded);
                }
                catch (ArgumentException)
                {
                    expected = null;
                }

                var accepted = P256Point.TryDecompress(encoded, out var point);
                Assert.Equal(expected is not null, accepted);
                if (accepted)
                {
                    Assert.Equal(Convert.ToHexString(encoded), Hex(point));
                    Assert.Equal(Hex(expected!), Hex(point));
                }
            });

    [Theory]
    [InlineData("04")]
    [InlineData("00")]
    [InlineData("05")]
    public void Decompression_refuses_other_prefixes_lengths_and_x_at_or_above_p(string prefix)
    {
        var good = Compress(P256Point.Generator);
        Assert.False(P256Point.TryDecompress([Convert.FromHexString(prefix)[0], .. good.AsSpan(1)], out _));
        Assert.False(P256Point.TryDecompress(good.AsSpan(0, 32), out _));
        Assert.False(P256Point.TryDecompress([.. good, 0], out _));
        Assert.False(P256Point.TryDecompress([0x02, .. Bytes32(P)], out _));
        Assert.False(P256Point.TryDecompress([0x03, .. Bytes32(P + 3)], out _));
        Assert.Equal(Convert.ToHexString(Curve.G.GetEncoded(true)), Convert.ToHexString(good));
    }
}
