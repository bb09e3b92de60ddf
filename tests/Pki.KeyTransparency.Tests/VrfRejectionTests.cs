using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pki.KeyTransparency.Vrf;

namespace Pki.KeyTransparency.Tests;

/// <summary>Every malformed key or proof is rejected with its typed reason; messages never carry secrets.</summary>
public sealed class VrfRejectionTests
{
    private static readonly VrfExample P256 = VrfExample.All.First(e => e.Suite == "ECVRF-P256-SHA256-TAI");
    private static readonly VrfExample Ed = VrfExample.All.First(e => e.Suite == "ECVRF-EDWARDS25519-SHA512-TAI");

    // q for edwards25519, little-endian; n for P-256, big-endian.
    private static readonly byte[] EdQ = Vectors.Hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    private static readonly byte[] P256N = Vectors.Hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    private static readonly byte[] P256P = Vectors.Hex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");

    public sealed record RejectionCase(string Name, VrfExample Example, byte[] PublicKey, byte[] Alpha, byte[] Proof, VrfFailure[] Expected)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<RejectionCase> Cases()
    {
        var data = new TheoryData<RejectionCase>();
        foreach (var e in VrfExample.All)
        {
            var ed = e.Suite.Contains("EDWARDS", StringComparison.Ordinal);
            var prefix = $"{(ed ? "ed25519" : "p256")} {e.Name} ";
            var ptLen = e.Pk.Length;
            VrfFailure[] mismatch = [VrfFailure.ChallengeMismatch];
            foreach (var bit in new[] { 0, 9, 8 * ptLen, (8 * ptLen) + 127, (8 * (ptLen + 16)) + 3, (8 * e.Pi.Length) - 9 })
            {
                var tampered = (byte[])e.Pi.Clone();
                tampered[bit / 8] ^= (byte)(1 << (bit % 8));
                data.Add(new RejectionCase(prefix + $"modified-proof-bit-{bit}", e, e.Pk, e.Alpha, tampered, [VrfFailure.ChallengeMismatch, VrfFailure.ProofPointInvalid, VrfFailure.ProofScalarOutOfRange]));
            }

            data.Add(new RejectionCase(prefix + "truncated", e, e.Pk, e.Alpha, e.Pi[..^1], [VrfFailure.ProofLengthInvalid]));
            data.Add(new RejectionCase(prefix + "trailing-garbage", e, e.Pk, e.Alpha, [.. e.Pi, 0], [VrfFailure.ProofLengthInvalid]));
            data.Add(new RejectionCase(prefix + "empty-proof", e, e.Pk, e.Alpha, [], [VrfFailure.ProofLengthInvalid]));
            data.Add(new RejectionCase(prefix + "wrong-alpha", e, e.Pk, [.. e.Alpha, 0x21], e.Pi, mismatch));
            var other = VrfExample.All.First(o => o.Suite == e.Suite && !o.Pk.SequenceEqual(e.Pk));
            data.Add(new RejectionCase(prefix + "wrong-public-key", e, other.Pk, e.Alpha, e.Pi, mismatch));
            data.Add(new RejectionCase(prefix + "proof-of-other-example", e, e.Pk, e.Alpha, other.Pi, mismatch));

            var sIsQ = (byte[])e.Pi.Clone();
            (ed ? EdQ : P256N).CopyTo(sIsQ, ptLen + 16);
            data.Add(new RejectionCase(prefix + "s-equals-q", e, e.Pk, e.Alpha, sIsQ, [VrfFailure.ProofScalarOutOfRange]));
            var sMax = (byte[])e.Pi.Clone();
            sMax.AsSpan(ptLen + 16).Fill(0xff);
            data.Add(new RejectionCase(prefix + "s-all-ones", e, e.Pk, e.Alpha, sMax, [VrfFailure.ProofScalarOutOfRange]));
            if (ed)
            {
                // s + q (still below 2^256) is the classic malleability attempt.
                var sPlusQ = (byte[])e.Pi.Clone();
                var s = new System.Numerics.BigInteger(e.Pi.AsSpan(48), isUnsigned: true) + new System.Numerics.BigInteger(EdQ, isUnsigned: true);
                s.TryWriteBytes(sPlusQ.AsSpan(48), out _, isUnsigned: true);
                data.Add(new RejectionCase(prefix + "s-plus-q", e, e.Pk, e.Alpha, sPlusQ, [VrfFailure.ProofScalarOutOfRange]));

                // y = p + 1 (non-canonical identity) as Gamma and as the public key.
                var nonCanonical = Vectors.Hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
                var gammaBad = (byte[])e.Pi.Clone();
                nonCanonical.CopyTo(gammaBad, 0);
                data.Add(new RejectionCase(prefix + "gamma-non-canonical-y", e, e.Pk, e.Alpha, gammaBad, [VrfFailure.ProofPointInvalid]));
                data.Add(new RejectionCase(prefix + "public-key-non-canonical-y", e, nonCanonical, e.Alpha, e.Pi, [VrfFailure.PublicKeyInvalid]));
                var gammaOff = (byte[])e.Pi.Clone();
                Vectors.Hex("0200000000000000000000000000000000000000000000000000000000000000").CopyTo(gammaOff, 0);
                data.Add(new RejectionCase(prefix + "gamma-not-on-curve", e, e.Pk, e.Alpha, gammaOff, [VrfFailure.ProofPointInvalid]));
                data.Add(new RejectionCase(prefix + "public-key-identity", e, Vectors.Hex("0100000000000000000000000000000000000000000000000000000000000000"), e.Alpha, e.Pi, [VrfFailure.PublicKeySmallOrder]));
                data.Add(new RejectionCase(prefix + "public-key-order-2", e, Vectors.Hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), e.Alpha, e.Pi, [VrfFailure.PublicKeySmallOrder]));
                data.Add(new RejectionCase(prefix + "public-key-order-4", e, Vectors.Hex("0000000000000000000000000000000000000000000000000000000000000000"), e.Alpha, e.Pi, [VrfFailure.PublicKeySmallOrder]));
                data.Add(new RejectionCase(prefix + "public-key-order-8", e, Vectors.Hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"), e.Alpha, e.Pi, [VrfFailure.PublicKeySmallOrder]));
                data.Add(new RejectionCase(prefix + "public-key-x-zero-sign-set", e, Vectors.Hex("0100000000000000000000000000000000000000000000000000000000000080"), e.Alpha, e.Pi, [VrfFailure.PublicKeyInvalid]));
                data.Add(new RejectionCase(prefix + "public-key-not-on-curve", e, Vectors.Hex("0200000000000000000000000000000000000000000000000000000000000000"), e.Alpha, e.Pi, [VrfFailure.PublicKeyInvalid]));
            }
            else
            {
                data.Add(new RejectionCase(prefix + "public-key-uncompressed-prefix", e, [0x04, .. e.Pk[1..]], e.Alpha, e.Pi, [VrfFailure.PublicKeyInvalid]));
                data.Add(new RejectionCase(prefix + "public-key-infinity-prefix", e, [0x00, .. e.Pk[1..]], e.Alpha, e.Pi, [VrfFailure.PublicKeyInvalid]));
                data.Add(new RejectionCase(prefix + "public-key-x-equals-p", e, [0x02, .. P256P], e.Alpha, e.Pi, [VrfFailure.PublicKeyInvalid]));
                data.Add(new RejectionCase(prefix + "public-key-single-zero-byte", e, [0x00], e.Alpha, e.Pi, [VrfFailure.PublicKeyInvalid]));
                data.Add(new RejectionCase(prefix + "public-key-x-not-on-curve", e, NotOnCurveP256(), e.Alpha, e.Pi, [VrfFailure.PublicKeyInvalid]));
                var gammaUncompressed = (byte[])e.Pi.Clone();
                gammaUncompressed[0] = 0x04;
                data.Add(new RejectionCase(prefix + "gamma-bad-prefix", e, e.Pk, e.Alpha, gammaUncompressed, [VrfFailure.ProofPointInvalid]));
                var gammaP = (byte[])e.Pi.Clone();
                P256P.CopyTo(gammaP, 1);
                data.Add(new RejectionCase(prefix + "gamma-x-equals-p", e, e.Pk, e.Alpha, gammaP, [VrfFailure.ProofPointInvalid]));
            }
        }

        return data;
    }

    private static byte[] NotOnCurveP256()
    {
        var vrf = new EcVrfP256Sha256Tai();
        for (byte x = 1; ; x++)
        {
            byte[] candidate = [0x02, .. new byte[31], x];
            try
            {
                vrf.ValidatePublicKey(candidate);
            }
            catch (VrfException)
            {
                return candidate;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Malformed_or_tampered_input_is_rejected_with_its_reason(RejectionCase c)
    {
        IVrf vrf = VrfVectorTests.SuiteOf(c.Example.Suite);
        var result = vrf.Verify(c.PublicKey, c.Alpha, c.Proof);
        Assert.False(result.IsValid, c.Name);
        Assert.Contains(result.Failure, c.Expected);
        Assert.True(result.Output.IsEmpty);
        var error = Assert.Throws<VrfException>(() => result.GetOutputOrThrow());
        Assert.Equal(result.Failure, error.Failure);
        Assert.DoesNotContain(Vectors.ToHex(c.Example.Sk), error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Public_key_errors_say_what_is_wrong()
    {
        var p256 = new EcVrfP256Sha256Tai();
        var ed = new EcVrfEdwards25519Sha512Tai();
        Assert.Equal("A P-256 VRF public key is a 33-byte compressed point; got 65 bytes.", Assert.Throws<VrfException>(() => p256.ValidatePublicKey(new byte[65])).Message);
        Assert.Equal("An Edwards25519 VRF public key is 32 bytes; got 31.", Assert.Throws<VrfException>(() => ed.ValidatePublicKey(new byte[31])).Message);
        var small = Assert.Throws<VrfException>(() => ed.ValidatePublicKey(Vectors.Hex("0100000000000000000000000000000000000000000000000000000000000000")));
        Assert.Equal(VrfFailure.PublicKeySmallOrder, small.Failure);
        Assert.Equal("The Edwards25519 VRF public key is a point of small order.", small.Message);
        p256.ValidatePublicKey(P256.Pk);
        ed.ValidatePublicKey(Ed.Pk);
        Assert.Equal("A ECVRF-P256-SHA256-TAI proof is 81 bytes; got 80.", p256.Verify(P256.Pk, P256.Alpha, P256.Pi.AsSpan(0, 80)).Message);
    }

    [Fact]
    public void Bad_private_keys_are_rejected_without_echoing_them()
    {
        var p256 = new EcVrfP256Sha256Tai();
        var zero = Assert.Throws<VrfException>(() => p256.ImportPrivateKey(new byte[32]));
        Assert.Equal(VrfFailure.PrivateKeyInvalid, zero.Failure);
        Assert.Equal("The ECVRF-P256-SHA256-TAI private key is not a valid scalar (it must be in [1, q-1]).", zero.Message);
        var n = Assert.Throws<VrfException>(() => p256.ImportPrivateKey(P256N));
        Assert.DoesNotContain("ffffffff", n.Message, StringComparison.OrdinalIgnoreCase);
        var length = Assert.Throws<VrfException>(() => new EcVrfEdwards25519Sha512Tai().ImportPrivateKey(new byte[31]));
        Assert.Equal("A ECVRF-EDWARDS25519-SHA512-TAI private key is 32 bytes; got 31.", length.Message);
    }

    [Fact]
    public void Key_pairs_are_bound_to_their_suite_and_zeroed_on_dispose()
    {
        var p256 = new EcVrfP256Sha256Tai();
        var ed = new EcVrfEdwards25519Sha512Tai();
        var key = p256.ImportPrivateKey(P256.Sk);
        var wrong = Assert.Throws<ArgumentException>(() => ed.Prove(key, [1]));
        Assert.Equal("The key pair is a ECVRF-P256-SHA256-TAI key; this VRF is ECVRF-EDWARDS25519-SHA512-TAI. (Parameter 'keyPair')", wrong.Message);
        Assert.DoesNotContain(Vectors.ToHex(P256.Sk), key.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(P256.Sk, key.ExportPrivateKey());
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => p256.Prove(key, [1]));
        Assert.Throws<ObjectDisposedException>(() => key.ExportPrivateKey());
    }

    [Fact]
    public void Proof_to_hash_rejects_undecodable_proofs()
    {
        var ed = new EcVrfEdwards25519Sha512Tai();
        Assert.Equal(VrfFailure.ProofLengthInvalid, Assert.Throws<VrfException>(() => ed.ProofToHash(Ed.Pi.AsSpan(0, 79).ToArray())).Failure);
        var bad = (byte[])Ed.Pi.Clone();
        Vectors.Hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f").CopyTo(bad, 0);
        Assert.Equal(VrfFailure.ProofPointInvalid, Assert.Throws<VrfException>(() => ed.ProofToHash(bad)).Failure);
    }

    /// <summary>A deterministic RandomNumberGenerator seam: a counter-mode stream from a seed.</summary>
    private sealed class SeededRandom(int seed) : RandomNumberGenerator
    {
        private int _counter;

        public override void GetBytes(byte[] data) => GetBytes(data.AsSpan());

        public override void GetBytes(Span<byte> data)
        {
            Span<byte> block = stackalloc byte[32];
            for (var offset = 0; offset < data.Length; offset += 32)
            {
                SHA256.HashData(BitConverter.GetBytes(((long)seed << 32) | (uint)_counter++), block);
                block[..Math.Min(32, data.Length - offset)].CopyTo(data[offset..]);
            }
        }
    }

    [Property(MaxTest = 25)]
    public Property Generated_keys_prove_and_verify_and_bit_flips_fail() =>
        Prop.ForAll(
            (from seed in Gen.Choose(0, int.MaxValue)
             from alphaLength in Gen.Choose(0, 80)
             from bit in Gen.Choose(0, int.MaxValue)
             from edwards in Gen.Elements(false, true)
             select (seed, alphaLength, bit, edwards)).ToArbitrary(),
            c =>
            {
                IVrf vrf = c.edwards ? new EcVrfEdwards25519Sha512Tai(new SeededRandom(c.seed)) : new EcVrfP256Sha256Tai(new SeededRandom(c.seed));
                using var key = vrf.GenerateKeyPair();
                var alpha = new byte[c.alphaLength];
                new SeededRandom(c.seed ^ 0x5555).GetBytes(alpha);
                var pi = vrf.Prove(key, alpha);
                var result = vrf.Verify(key.PublicKey, alpha, pi);
                var flipped = (byte[])pi.Clone();
                flipped[(c.bit / 8) % pi.Length] ^= (byte)(1 << (c.bit % 8));
                return result.IsValid
                    && result.Output.SequenceEqual(vrf.ProofToHash(pi))
                    && vrf.Prove(key, alpha).AsSpan().SequenceEqual(pi)
                    && !vrf.Verify(key.PublicKey, alpha, flipped).IsValid;
            });

    [Fact]
    public void Injected_randomness_makes_key_generation_deterministic()
    {
        using var a = new EcVrfEdwards25519Sha512Tai(new SeededRandom(42)).GenerateKeyPair();
        using var b = new EcVrfEdwards25519Sha512Tai(new SeededRandom(42)).GenerateKeyPair();
        using var c = new EcVrfP256Sha256Tai(new SeededRandom(42)).GenerateKeyPair();
        using var d = new EcVrfP256Sha256Tai(new SeededRandom(42)).GenerateKeyPair();
        Assert.Equal(a.PublicKey.ToArray(), b.PublicKey.ToArray());
        Assert.Equal(c.PublicKey.ToArray(), d.PublicKey.ToArray());
    }
}
