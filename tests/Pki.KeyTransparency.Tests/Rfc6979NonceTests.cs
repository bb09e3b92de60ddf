using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Signers;
using Pki.KeyTransparency.Vrf;
using Pki.KeyTransparency.Vrf.P256;
using Pki.Shared.Arithmetic;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Pki.KeyTransparency.Tests;

/// <summary>
/// The RFC 6979 section 3.2 nonce (HMAC-SHA256, fixed-size buffers) against the RFC's own P-256
/// vectors (appendix A.2.5) and against BouncyCastle's <c>HMacDsaKCalculator</c>; then both VRF
/// provers end to end: k and s = k + c x mod q in a proof equal what BouncyCastle and BigInteger
/// compute from the same trace.
/// </summary>
public sealed class Rfc6979NonceTests
{
    private static readonly BigInteger N = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    private static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493", CultureInfo.InvariantCulture);

    /// <summary>An odd 256-bit modulus just above 2^255: about half of all first candidates fail h.3, so the retry path runs.</summary>
    private static readonly BigInteger RetryModulus = BigInteger.Pow(2, 255) + 19;

    private static byte[] Be32(BigInteger value)
    {
        var bytes = new byte[32];
        Assert.True(value.TryWriteBytes(bytes, out var written, isUnsigned: true, isBigEndian: true));
        return [.. new byte[32 - written], .. bytes.AsSpan(0, written)];
    }

    private static U256 Limbs(BigInteger value) => U256.FromBigEndian(Be32(value));

    private static byte[] Nonce(ScalarField order, byte[] key, byte[] h1)
    {
        var k = new byte[32];
        Rfc6979.GenerateNonce(order, key, h1, k);
        return k;
    }

    private static byte[] BouncyCastleNonce(BigInteger order, byte[] key, byte[] h1)
    {
        var calculator = new HMacDsaKCalculator(new Sha256Digest());
        calculator.Init(new BcBigInteger(1, Be32(order)), new BcBigInteger(1, key), h1);
        return Org.BouncyCastle.Utilities.BigIntegers.AsUnsignedByteArray(32, calculator.NextK());
    }

    [Theory]
    [InlineData("sample", "A6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60")]
    [InlineData("test", "D16B6AE827F17175E040871A1C7EC3500192C4C92677336EC2537ACAEE0008E0")]
    public void Rfc6979_appendix_A_2_5_P256_SHA256_nonces_are_reproduced(string message, string expectedK)
    {
        var key = Convert.FromHexString("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721");
        var h1 = SHA256.HashData(Encoding.ASCII.GetBytes(message));
        Assert.Equal(expectedK, Convert.ToHexString(Nonce(P256Scalar.Order, key, h1)));
    }

    [Property(MaxTest = 60)]
    public Property Nonces_equal_BouncyCastle_HMacDsaKCalculator_on_random_keys() =>
        Prop.ForAll(
            (from seed in Gen.Choose(0, int.MaxValue)
             from retries in Gen.Elements(false, true)
             select (seed, retries)).ToArbitrary(),
            c =>
            {
                var random = new Random(c.seed);
                var order = c.retries ? RetryModulus : N;
                var bytes = new byte[32];
                random.NextBytes(bytes);
                var key = Be32((new BigInteger(bytes, isUnsigned: true) % (order - 1)) + 1);
                var h1 = new byte[32];
                random.NextBytes(h1);
                if (c.seed % 5 == 0)
                {
                    h1.AsSpan().Fill(0xFF); // bits2octets must reduce: h1 >= q
                }

                var field = c.retries ? new ScalarField(Limbs(RetryModulus)) : P256Scalar.Order;
                Assert.Equal(Convert.ToHexString(BouncyCastleNonce(order, key, h1)), Convert.ToHexString(Nonce(field, key, h1)));
            });

    [Fact]
    public void Edge_keys_and_hashes_equal_BouncyCastle()
    {
        foreach (var x in new[] { BigInteger.One, N - 1, BigInteger.Pow(2, 255) })
        {
            foreach (var h in new[] { BigInteger.Zero, N - 1, N, N + 1, BigInteger.Pow(2, 256) - 1 })
            {
                Assert.Equal(BouncyCastleNonce(N, Be32(x), Be32(h)), Nonce(P256Scalar.Order, Be32(x), Be32(h)));
            }
        }
    }

    [Fact]
    public void Wrong_sizes_and_orders_are_rejected()
    {
        var message = Assert.Throws<ArgumentException>(() => Rfc6979.GenerateNonce(P256Scalar.Order, new byte[31], new byte[32], new byte[32])).Message;
        Assert.Contains("got 31, 32 and 32 bytes", message, StringComparison.Ordinal);
        message = Assert.Throws<ArgumentException>(() => Rfc6979.GenerateNonce(new ScalarField(Limbs(L)), new byte[32], new byte[32], new byte[32])).Message;
        Assert.Contains("exactly 256 bits", message, StringComparison.Ordinal);
    }

    private static Arbitrary<(int Seed, int Length)> SeedsAndAlphaLengths() =>
        (from seed in Gen.Choose(0, int.MaxValue)
         from length in Gen.Choose(0, 100)
         select (seed, length)).ToArbitrary();

    /// <summary>A random generator and an input alpha of the drawn length.</summary>
    private static (Random Random, byte[] Alpha) Draw((int Seed, int Length) c)
    {
        var random = new Random(c.Seed);
        var alpha = new byte[c.Length];
        random.NextBytes(alpha);
        return (random, alpha);
    }

    [Property(MaxTest = 20)]
    public Property P256_prover_k_and_s_equal_BouncyCastle_and_BigInteger() =>
        Prop.ForAll(
            SeedsAndAlphaLengths(),
            c =>
            {
                var (random, alpha) = Draw(c);
                var vrf = new EcVrfP256Sha256Tai();
                var bytes = new byte[32];
                random.NextBytes(bytes);
                var x = (new BigInteger(bytes, isUnsigned: true) % (N - 1)) + 1;

                var trace = vrf.ProveWithTrace(Be32(x), alpha);
                Assert.Equal(BouncyCastleNonce(N, Be32(x), SHA256.HashData(trace.H)), trace.K);
                var k = new BigInteger(trace.K, isUnsigned: true, isBigEndian: true);
                var challenge = new BigInteger(trace.Proof.AsSpan(33, 16), isUnsigned: true, isBigEndian: true);
                Assert.Equal(Be32((k + (challenge * x)) % N), trace.Proof[49..]);
                Assert.True(vrf.Verify(trace.PublicKey, alpha, trace.Proof).IsValid);
            });

    [Property(MaxTest = 20)]
    public Property Edwards25519_prover_k_and_s_equal_BigInteger() =>
        Prop.ForAll(
            SeedsAndAlphaLengths(),
            c =>
            {
                var (random, alpha) = Draw(c);
                var vrf = new EcVrfEdwards25519Sha512Tai();
                var seedBytes = new byte[32];
                random.NextBytes(seedBytes);

                var trace = vrf.ProveWithTrace(seedBytes, alpha);
                var expanded = SHA512.HashData(seedBytes);
                expanded[0] &= 248;
                expanded[31] &= 127;
                expanded[31] |= 64;
                var k = new BigInteger(SHA512.HashData([.. expanded[32..], .. trace.H]), isUnsigned: true) % L;
                Assert.Equal(k, new BigInteger(trace.K, isUnsigned: true));
                var x = new BigInteger(expanded.AsSpan(0, 32), isUnsigned: true);
                var challenge = new BigInteger(trace.Proof.AsSpan(32, 16), isUnsigned: true);
                Assert.Equal((k + (challenge * x)) % L, new BigInteger(trace.Proof.AsSpan(48), isUnsigned: true));
                Assert.True(vrf.Verify(trace.PublicKey, alpha, trace.Proof).IsValid);
            });
}
