using System.Numerics;
using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Pki.Shared.Edwards25519;

namespace Pki.KeyTransparency.Tests;

/// <summary>
/// Our edwards25519 arithmetic against RFC 8032 (an Ed25519 signer written on top of it must reproduce
/// RFC 8032 section 7.1 TEST 1 and BouncyCastle's signatures) and the field against BigInteger.
/// </summary>
public sealed class Edwards25519Tests
{
    private static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;
    private static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493");

    /// <summary>RFC 8032 section 5.1.6 signing, on <see cref="EdwardsPoint"/>.</summary>
    private static byte[] Sign(byte[] seed, byte[] message)
    {
        var h = SHA512.HashData(seed);
        h[0] &= 248;
        h[31] &= 127;
        h[31] |= 64;
        var a = EdwardsPoint.MultiplyBase(h.AsSpan(0, 32)).Encode();
        var r = new BigInteger(SHA512.HashData([.. h[32..], .. message]), isUnsigned: true) % L;
        var rBytes = new byte[32];
        r.TryWriteBytes(rBytes, out _, isUnsigned: true);
        var rPoint = EdwardsPoint.MultiplyBase(rBytes).Encode();
        var k = new BigInteger(SHA512.HashData([.. rPoint, .. a, .. message]), isUnsigned: true) % L;
        var s = (r + (k * new BigInteger(h.AsSpan(0, 32), isUnsigned: true))) % L;
        var sBytes = new byte[32];
        s.TryWriteBytes(sBytes, out _, isUnsigned: true);
        return [.. rPoint, .. sBytes];
    }

    [Fact]
    public void Rfc8032_test_1_signature_is_reproduced()
    {
        var seed = Vectors.Hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        Assert.Equal(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            Vectors.ToHex(Sign(seed, [])));
    }

    [Property(MaxTest = 30)]
    public Property Signatures_and_public_keys_equal_BouncyCastle_Ed25519() =>
        Prop.ForAll(
            (from seed in Gen.Choose(0, int.MaxValue)
             from length in Gen.Choose(0, 200)
             select (seed, length)).ToArbitrary(),
            c =>
            {
                var random = new Random(c.seed);
                var sk = new byte[32];
                random.NextBytes(sk);
                var message = new byte[c.length];
                random.NextBytes(message);
                var bcKey = new Ed25519PrivateKeyParameters(sk);
                var signer = new Ed25519Signer();
                signer.Init(true, bcKey);
                signer.BlockUpdate(message, 0, message.Length);
                var expected = signer.GenerateSignature();
                var h = SHA512.HashData(sk);
                h[0] &= 248;
                h[31] &= 127;
                h[31] |= 64;
                return EdwardsPoint.MultiplyBase(h.AsSpan(0, 32)).Encode().AsSpan().SequenceEqual(bcKey.GeneratePublicKey().GetEncoded())
                    && Sign(sk, message).AsSpan().SequenceEqual(expected);
            });

    [Property(MaxTest = 200)]
    public Property Field_operations_equal_BigInteger_arithmetic() =>
        Prop.ForAll(
            (from s1 in Gen.Choose(0, int.MaxValue)
             from s2 in Gen.Choose(0, int.MaxValue)
             select (s1, s2)).ToArbitrary(),
            c =>
            {
                var a = RandomElement(c.s1, out var av);
                var b = RandomElement(c.s2, out var bv);
                return Value(a * b) == av * bv % P
                    && Value(a + b) == (av + bv) % P
                    && Value(a - b) == (((av - bv) % P) + P) % P
                    && Value(FieldElement.Square(a)) == av * av % P
                    && (av.IsZero || Value(FieldElement.Invert(a) * a) == 1);
            });

    [Fact]
    public void Scalar_multiplication_variable_base_equals_fixed_base_and_group_order_gives_identity()
    {
        var scalar = new byte[32];
        new Random(3).NextBytes(scalar);
        scalar[31] &= 0x7f;
        Assert.Equal(EdwardsPoint.MultiplyBase(scalar).Encode(), EdwardsPoint.Multiply(EdwardsPoint.BasePoint, scalar).Encode());
        var l = new byte[32];
        L.TryWriteBytes(l, out _, isUnsigned: true);
        Assert.True(EdwardsPoint.Multiply(EdwardsPoint.BasePoint, l).IsIdentity());
        Assert.True(EdwardsPoint.MultiplyBase(l).IsIdentity());
    }

    [Property(MaxTest = 40)]
    public Property The_two_scalar_comb_equals_two_windowed_multiplications() =>
        Prop.ForAll(
            Gen.Choose(0, int.MaxValue).ToArbitrary(),
            seed =>
            {
                var (a, b, p) = RandomScalarBytes(seed);
                if ((seed & 3) == 0)
                {
                    a.AsSpan().Fill(0xff); // every tooth's bits set
                }

                a[31] &= 0x7f; // Multiply, the reference, takes scalars below 2^255
                b[31] &= 0x7f;

                if ((seed & 3) == 1)
                {
                    Array.Clear(b); // zero: the identity
                }

                p[31] &= 0x7f;
                var point = EdwardsPoint.MultiplyBase(p).MultiplyByCofactor();
                EdwardsPoint.MultiplyTwoScalars(point, a, b, out var aP, out var bP);
                Assert.Equal(EdwardsPoint.Multiply(point, a).Encode(), aP.Encode());
                Assert.Equal(EdwardsPoint.Multiply(point, b).Encode(), bP.Encode());
            });

    [Property(MaxTest = 40)]
    public Property The_vartime_double_scalar_multiplication_equals_two_windowed_multiplications() =>
        Prop.ForAll(
            Gen.Choose(0, int.MaxValue).ToArbitrary(),
            seed =>
            {
                var (a, b, p) = RandomScalarBytes(seed);
                a[31] &= 0x7f; // Multiply, the reference, takes scalars below 2^255
                b[31] &= 0x7f;
                p[31] &= 0x7f;
                switch (seed & 3)
                {
                    case 0:
                        b.AsSpan(16).Clear(); // a 128-bit challenge, as in ECVRF verification
                        break;
                    case 1:
                        Array.Clear(a); // zero: the identity
                        break;
                    case 2:
                        a.AsSpan(0, 31).Fill(0xff); // long runs of ones: negative NAF digits and carries
                        break;
                }

                var point = EdwardsPoint.MultiplyBase(p);
                var expected = EdwardsPoint.Add(EdwardsPoint.Multiply(EdwardsPoint.BasePoint, a), EdwardsPoint.Multiply(point, b));
                Assert.Equal(expected.Encode(), EdwardsPoint.MultiplyAddVartime(a, EdwardsPoint.BasePoint, b, point).Encode());
            });

    private static (byte[] A, byte[] B, byte[] P) RandomScalarBytes(int seed)
    {
        var random = new Random(seed);
        var a = new byte[32];
        var b = new byte[32];
        var p = new byte[32];
        random.NextBytes(a);
        random.NextBytes(b);
        random.NextBytes(p);
        return (a, b, p);
    }

    private static FieldElement RandomElement(int seed, out BigInteger value)
    {
        var bytes = new byte[32];
        new Random(seed).NextBytes(bytes);
        bytes[31] &= 0x7f;
        value = new BigInteger(bytes, isUnsigned: true) % P;
        return FieldElement.FromBytes(bytes);
    }

    private static BigInteger Value(FieldElement e)
    {
        var bytes = new byte[32];
        e.ToBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true);
    }
}
