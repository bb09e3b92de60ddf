using RandomNumberGenerator = System.Security.Cryptography.RandomNumberGenerator;
using CryptographicOperations = System.Security.Cryptography.CryptographicOperations;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using Org.BouncyCastle.Utilities;

namespace Pki.KeyTransparency.Vrf;

/// <summary>
/// ECVRF-P256-SHA256-TAI (RFC 9381 section 5.5, <c>suite_string</c> 0x01): NIST P-256 with SHA-256,
/// <c>try_and_increment</c> encode-to-curve, RFC 6979 nonces. Private keys are 32-byte big-endian
/// scalars in [1, n-1]; public keys and Gamma are 33-byte SEC1 compressed points; proofs are 81 bytes
/// and outputs 32. Point arithmetic is BouncyCastle's.
/// </summary>
public sealed class EcVrfP256Sha256Tai : EcVrf
{
    /// <summary>The <c>suite_string</c>.</summary>
    public const byte Suite = 0x01;

    /// <summary>Private key size: a 32-byte big-endian scalar.</summary>
    public const int PrivateKeyLength = 32;

    /// <summary>Public key size: a compressed point (<c>ptLen</c>).</summary>
    public const int PublicKeyLength = 33;

    /// <summary>Proof size: 33 + 16 + 32.</summary>
    public const int ProofLength = 81;

    /// <summary>Output size: SHA-256.</summary>
    public const int OutputLength = 32;

    private static readonly X9ECParameters Parameters = CustomNamedCurves.GetByName("secp256r1");
    private static readonly ECCurve Curve = Parameters.Curve;
    private static readonly ECPoint G = Parameters.G;
    private static readonly BigInteger N = Parameters.N;
    private static readonly BigInteger P = Curve.Field.Characteristic;
    private static readonly FixedPointCombMultiplier BaseMultiplier = new();

    /// <summary>Creates the suite; <paramref name="random"/> serves key generation only (proofs are deterministic).</summary>
    /// <param name="random">The random source; null for the system's.</param>
    public EcVrfP256Sha256Tai(RandomNumberGenerator? random = null)
        : base(random)
    {
    }

    /// <inheritdoc />
    public override string SuiteName => "ECVRF-P256-SHA256-TAI";

    /// <inheritdoc />
    public override byte SuiteId => Suite;

    /// <inheritdoc />
    public override int PrivateKeySize => PrivateKeyLength;

    /// <inheritdoc />
    public override int PublicKeySize => PublicKeyLength;

    /// <inheritdoc />
    public override int OutputSize => OutputLength;

    private protected override int ScalarSize => 32;

    private protected override bool TryDerivePublicKey(ReadOnlySpan<byte> privateKey, out byte[] publicKey)
    {
        var copy = privateKey.ToArray();
        try
        {
            var x = new BigInteger(1, copy);
            if (x.SignValue <= 0 || x.CompareTo(N) >= 0)
            {
                publicKey = [];
                return false;
            }

            publicKey = BaseMultiplier.Multiply(G, x).Normalize().GetEncoded(true);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(copy);
        }
    }

    private protected override VrfFailure CheckPublicKey(ReadOnlySpan<byte> publicKey, out string message)
    {
        if (publicKey.Length != PublicKeyLength)
        {
            message = $"A P-256 VRF public key is a {PublicKeyLength}-byte compressed point; got {publicKey.Length} bytes.";
            return VrfFailure.PublicKeyInvalid;
        }

        if (TryDecodePoint(publicKey) is null)
        {
            message = "The P-256 VRF public key is not a compressed point on the curve (prefix 02 or 03, x below p, x^3 - 3x + b a square).";
            return VrfFailure.PublicKeyInvalid;
        }

        // ECVRF_validate_key (section 5.4.5): the cofactor is 1 and a compressed encoding cannot be the
        // identity, so every decoded point passes.
        message = string.Empty;
        return VrfFailure.None;
    }

    private protected override void ProveCore(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, Span<byte> proof, EcVrfTrace? trace)
    {
        var secret = privateKey.ToArray();
        try
        {
            var x = new BigInteger(1, secret);

            // 1-2. H = ECVRF_encode_to_curve(encode_to_curve_salt = PK_string, alpha_string); h_string = point_to_string(H).
            var h = EncodeToCurve(publicKey, alpha, out var counter);
            var hString = h.GetEncoded(true);

            // 3. Gamma = x * H
            var gamma = h.Multiply(x).Normalize();

            // 4. k = ECVRF_nonce_generation(SK, h_string): RFC 6979 section 3.2 with SHA-256 (section 5.4.2.1).
            var k = GenerateNonce(x, hString);

            // 5. c = ECVRF_challenge_generation(Y, H, Gamma, U = k*B, V = k*H)
            var u = BaseMultiplier.Multiply(G, k).Normalize().GetEncoded(true);
            var v = h.Multiply(k).Normalize().GetEncoded(true);
            var gammaString = gamma.GetEncoded(true);
            Span<byte> c = stackalloc byte[ChallengeSize];
            ChallengeGeneration(publicKey, hString, gammaString, u, v, c);

            // 6. s = (k + c*x) mod q
            var s = k.Add(new BigInteger(1, c.ToArray()).Multiply(x)).Mod(N);

            // 7. pi_string = point_to_string(Gamma) || int_to_string(c, cLen) || int_to_string(s, qLen)
            gammaString.CopyTo(proof);
            c.CopyTo(proof.Slice(PublicKeyLength));
            BigIntegers.AsUnsignedByteArray(32, s).CopyTo(proof.Slice(PublicKeyLength + ChallengeSize));
            if (trace is not null)
            {
                trace.H = hString;
                trace.K = BigIntegers.AsUnsignedByteArray(32, k);
                trace.U = u;
                trace.V = v;
                trace.Counter = counter;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private protected override VrfVerificationResult VerifyCore(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> proof)
    {
        var y = TryDecodePoint(publicKey)!;

        // 4-6. D = ECVRF_decode_proof(pi_string): Gamma, c, s; s >= q is INVALID (section 5.4.4).
        var gamma = TryDecodePoint(proof.Slice(0, PublicKeyLength));
        if (gamma is null)
        {
            return VrfVerificationResult.Fail(VrfFailure.ProofPointInvalid, "The proof's point Gamma is not a compressed P-256 point.");
        }

        var cBytes = proof.Slice(PublicKeyLength, ChallengeSize);
        var c = new BigInteger(1, cBytes.ToArray());
        var s = new BigInteger(1, proof.Slice(PublicKeyLength + ChallengeSize).ToArray());
        if (s.CompareTo(N) >= 0)
        {
            return VrfVerificationResult.Fail(VrfFailure.ProofScalarOutOfRange, "The proof's scalar s is not below the group order q.");
        }

        // 7. H = ECVRF_encode_to_curve(encode_to_curve_salt, alpha_string)
        var h = EncodeToCurve(publicKey, alpha, out _);

        // 8-9. U = s*B - c*Y ; V = s*H - c*Gamma
        var u = ECAlgorithms.SumOfTwoMultiplies(G, s, y.Negate(), c).Normalize();
        var v = ECAlgorithms.SumOfTwoMultiplies(h, s, gamma.Negate(), c).Normalize();
        if (u.IsInfinity || v.IsInfinity)
        {
            return VrfVerificationResult.Fail(VrfFailure.ChallengeMismatch, "The proof does not verify for this public key and input (U or V is the identity).");
        }

        // 10-11. c' = ECVRF_challenge_generation(Y, H, Gamma, U, V); c and c' equal means VALID.
        Span<byte> expected = stackalloc byte[ChallengeSize];
        ChallengeGeneration(publicKey, h.GetEncoded(true), proof.Slice(0, PublicKeyLength), u.GetEncoded(true), v.GetEncoded(true), expected);
        if (!expected.SequenceEqual(cBytes))
        {
            return VrfVerificationResult.Fail(VrfFailure.ChallengeMismatch, "The proof does not verify for this public key and input (challenge mismatch).");
        }

        var beta = new byte[OutputLength];
        GammaHash(proof.Slice(0, PublicKeyLength), beta);
        return VrfVerificationResult.Valid(beta);
    }

    private protected override bool TryGammaToHash(ReadOnlySpan<byte> gamma, Span<byte> beta)
    {
        // The cofactor is 1: cofactor * Gamma = Gamma.
        if (TryDecodePoint(gamma) is null)
        {
            return false;
        }

        GammaHash(gamma, beta);
        return true;
    }

    private protected override void Hash(ReadOnlySpan<byte> source, Span<byte> destination) => OneShotHash.Sha256(source, destination);

    /// <summary>
    /// ECVRF_encode_to_curve_try_and_increment (RFC 9381 section 5.4.1.1):
    /// <c>H = string_to_point(0x02 || Hash(suite || 0x01 || PK || alpha || ctr || 0x00))</c> for the first
    /// ctr = 0, 1, ... that gives a point.
    /// </summary>
    private ECPoint EncodeToCurve(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, out int counter)
    {
        var input = new byte[2 + publicKey.Length + alpha.Length + 2];
        input[0] = Suite;
        input[1] = EncodeToCurveFront;
        publicKey.CopyTo(input.AsSpan(2));
        alpha.CopyTo(input.AsSpan(2 + publicKey.Length));
        input[^1] = Back;
        Span<byte> candidate = stackalloc byte[PublicKeyLength];
        candidate[0] = 0x02;
        for (counter = 0; counter < 256; counter++)
        {
            input[^2] = (byte)counter;
            OneShotHash.Sha256(input, candidate.Slice(1));
            var point = TryDecodePoint(candidate);
            if (point is not null)
            {
                return point;
            }
        }

        // Each try fails with probability about 1/2: 256 failures do not happen.
        throw new VrfException("try_and_increment found no P-256 point in 256 tries.");
    }

    private static BigInteger GenerateNonce(BigInteger x, byte[] hString)
    {
        // RFC 9381 section 5.4.2.1: RFC 6979 section 3.2 with m = h_string, so h1 = SHA-256(h_string).
        var h1 = new byte[32];
        OneShotHash.Sha256(hString, h1);
        var calculator = new HMacDsaKCalculator(new Sha256Digest());
        calculator.Init(N, x, h1);
        return calculator.NextK();
    }

    /// <summary>
    /// string_to_point for a SEC1 compressed encoding (RFC 9381 section 5.5: "the point ... in compressed
    /// form"): null for a wrong length or prefix, x at or above p, or x with no point.
    /// </summary>
    private static ECPoint? TryDecodePoint(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length != PublicKeyLength || (encoded[0] != 0x02 && encoded[0] != 0x03))
        {
            return null;
        }

        var xValue = new BigInteger(1, encoded.Slice(1).ToArray());
        if (xValue.CompareTo(P) >= 0)
        {
            return null;
        }

        var x = Curve.FromBigInteger(xValue);
        var rhs = x.Square().Add(Curve.A).Multiply(x).Add(Curve.B);
        var y = rhs.Sqrt();
        if (y is null)
        {
            return null;
        }

        if (y.TestBitZero() != (encoded[0] == 0x03))
        {
            y = y.Negate();
        }

        return Curve.ValidatePoint(xValue, y.ToBigInteger());
    }
}
