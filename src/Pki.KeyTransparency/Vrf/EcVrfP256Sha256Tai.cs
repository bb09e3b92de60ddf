using System.Security.Cryptography;
using Pki.KeyTransparency.Vrf.P256;

namespace Pki.KeyTransparency.Vrf;

/// <summary>
/// ECVRF-P256-SHA256-TAI (RFC 9381 section 5.5, <c>suite_string</c> 0x01): NIST P-256 with SHA-256,
/// <c>try_and_increment</c> encode-to-curve, RFC 6979 nonces. Private keys are 32-byte big-endian
/// scalars in [1, n-1]; public keys and Gamma are 33-byte SEC1 compressed points; proofs are 81 bytes
/// and outputs 32. Point arithmetic is this package's own (<see cref="P256Point"/>: Jacobian
/// coordinates, constant-time multiplication by secret scalars), differential-tested against
/// BouncyCastle; so is the arithmetic mod q (<see cref="P256Scalar"/>: four 64-bit limbs, Montgomery
/// multiplication, masked reductions) and the RFC 6979 nonce (HMAC-SHA256 over fixed-size buffers).
/// </summary>
public sealed class EcVrfP256Sha256Tai : EcVrf
{
    /// <summary>The RFC 9381 <c>suite_string</c> (0x01), the first byte of every hash input of this suite.</summary>
    public const byte Suite = 0x01;

    /// <summary>Private key size: a 32-byte big-endian scalar.</summary>
    public const int PrivateKeyLength = 32;

    /// <summary>Public key size: a compressed point (<c>ptLen</c>).</summary>
    public const int PublicKeyLength = 33;

    /// <summary>Proof size in bytes: Gamma (33) + challenge c (16) + scalar s (32).</summary>
    public const int ProofLength = 81;

    /// <summary>Output (<c>beta</c>) size in bytes: a SHA-256 digest.</summary>
    public const int OutputLength = 32;

    /// <summary>Creates the suite; <paramref name="random"/> serves key generation only (proofs are deterministic).</summary>
    /// <param name="random">The source for <see cref="EcVrf.GenerateKeyPair"/>; null for <see cref="RandomNumberGenerator.Create()"/>. The suite never disposes it.</param>
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
        // The length is checked by the caller; x in [1, n-1] is tested without a secret-dependent branch,
        // and only the verdict (a rejected key) is acted on.
        if (P256Scalar.IsInRange(privateKey) == 0)
        {
            publicKey = [];
            return false;
        }

        publicKey = new byte[PublicKeyLength];
        P256Point.MultiplyBase(privateKey).Compress(publicKey);
        return true;
    }

    private protected override VrfFailure CheckPublicKey(ReadOnlySpan<byte> publicKey, out string message) =>
        DecodePublicKey(publicKey, out _, out message);

    private static VrfFailure DecodePublicKey(ReadOnlySpan<byte> publicKey, out P256Point y, out string message)
    {
        y = P256Point.Identity;
        if (publicKey.Length != PublicKeyLength)
        {
            message = $"A P-256 VRF public key is a {PublicKeyLength}-byte compressed point; got {publicKey.Length} bytes.";
            return VrfFailure.PublicKeyInvalid;
        }

        if (!P256Point.TryDecompress(publicKey, out y))
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
        Span<byte> kBytes = stackalloc byte[P256Scalar.Size];
        Span<byte> h1 = stackalloc byte[32];
        Span<byte> cWide = stackalloc byte[P256Scalar.Size];
        try
        {
            // 1-2. H = ECVRF_encode_to_curve(encode_to_curve_salt = PK_string, alpha_string); h_string = point_to_string(H).
            Span<byte> hString = stackalloc byte[PublicKeyLength];
            var h = EncodeToCurve(publicKey, alpha, hString, out var counter);

            // 4. k = ECVRF_nonce_generation(SK, h_string): RFC 6979 section 3.2 with SHA-256 (section 5.4.2.1),
            //    m = h_string, so h1 = SHA-256(h_string).
            SHA256.HashData(hString, h1);
            Rfc6979.GenerateNonce(P256Scalar.Order, privateKey, h1, kBytes);

            // 3. Gamma = x * H; 5. U = k*B, V = k*H, all three encoded with one inversion.
            Span<P256Point> points = stackalloc P256Point[3];
            P256Point.MultiplyTwoScalars(h, privateKey, kBytes, out points[0], out points[2]);
            points[1] = P256Point.MultiplyBase(kBytes);
            Span<byte> encoded = stackalloc byte[3 * PublicKeyLength];
            P256Point.CompressMany(points, encoded);
            var gammaString = encoded.Slice(0, PublicKeyLength);
            var u = encoded.Slice(PublicKeyLength, PublicKeyLength);
            var v = encoded.Slice(2 * PublicKeyLength, PublicKeyLength);

            // 5. c = ECVRF_challenge_generation(Y, H, Gamma, U, V)
            cWide.Clear();
            var c = cWide.Slice(P256Scalar.Size - ChallengeSize);
            ChallengeGeneration(publicKey, hString, gammaString, u, v, c);

            // 6. s = (k + c*x) mod q, in constant time (c < 2^128 < q needs no reduction; x and k are below q).
            var s = P256Scalar.MultiplyAdd(P256Scalar.Reduce(cWide), P256Scalar.Reduce(privateKey), P256Scalar.Reduce(kBytes));

            // 7. pi_string = point_to_string(Gamma) || int_to_string(c, cLen) || int_to_string(s, qLen)
            gammaString.CopyTo(proof);
            c.CopyTo(proof.Slice(PublicKeyLength));
            s.WriteBigEndian(proof.Slice(PublicKeyLength + ChallengeSize));
            if (trace is not null)
            {
                trace.H = hString.ToArray();
                trace.K = kBytes.ToArray();
                trace.U = u.ToArray();
                trace.V = v.ToArray();
                trace.Counter = counter;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kBytes);
        }
    }

    private protected override VrfVerificationResult VerifyCore(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> proof)
    {
        var keyFailure = DecodePublicKey(publicKey, out var y, out var keyMessage);
        if (keyFailure != VrfFailure.None)
        {
            return VrfVerificationResult.Fail(keyFailure, keyMessage);
        }

        if (CheckProofLength(proof) is { } lengthFailure)
        {
            return lengthFailure;
        }

        // 4-6. D = ECVRF_decode_proof(pi_string): Gamma, c, s; s >= q is INVALID (section 5.4.4).
        if (!P256Point.TryDecompress(proof.Slice(0, PublicKeyLength), out var gamma))
        {
            return VrfVerificationResult.Fail(VrfFailure.ProofPointInvalid, "The proof's point Gamma is not a compressed P-256 point.");
        }

        var cBytes = proof.Slice(PublicKeyLength, ChallengeSize);
        var s = proof.Slice(PublicKeyLength + ChallengeSize);
        if (P256Scalar.IsCanonical(s) == 0)
        {
            return VrfVerificationResult.Fail(VrfFailure.ProofScalarOutOfRange, "The proof's scalar s is not below the group order q.");
        }

        Span<byte> c = stackalloc byte[32];
        c.Clear();
        cBytes.CopyTo(c.Slice(32 - ChallengeSize));

        // 7. H = ECVRF_encode_to_curve(encode_to_curve_salt, alpha_string)
        Span<byte> hString = stackalloc byte[PublicKeyLength];
        var h = EncodeToCurve(publicKey, alpha, hString, out _);

        // 8-9. U = s*B - c*Y ; V = s*H - c*Gamma (public values: variable time)
        Span<P256Point> points = stackalloc P256Point[2];
        P256Point.VerifierCombinationsVartime(s, c, y.Negate(), h, gamma.Negate(), out points[0], out points[1]);
        if (points[0].IsIdentity() == 1 || points[1].IsIdentity() == 1)
        {
            return VrfVerificationResult.Fail(VrfFailure.ChallengeMismatch, "The proof does not verify for this public key and input (U or V is the identity).");
        }

        // 10-11. c' = ECVRF_challenge_generation(Y, H, Gamma, U, V); c and c' equal means VALID.
        Span<byte> uv = stackalloc byte[2 * PublicKeyLength];
        P256Point.CompressMany(points, uv);
        Span<byte> expected = stackalloc byte[ChallengeSize];
        ChallengeGeneration(publicKey, hString, proof.Slice(0, PublicKeyLength), uv.Slice(0, PublicKeyLength), uv.Slice(PublicKeyLength), expected);
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
        if (!P256Point.TryDecompress(gamma, out _))
        {
            return false;
        }

        GammaHash(gamma, beta);
        return true;
    }

    private protected override void Hash(ReadOnlySpan<byte> source, Span<byte> destination) => SHA256.HashData(source, destination);

    /// <summary>
    /// ECVRF_encode_to_curve_try_and_increment (RFC 9381 section 5.4.1.1):
    /// <c>H = string_to_point(0x02 || Hash(suite || 0x01 || PK || alpha || ctr || 0x00))</c> for the first
    /// ctr = 0, 1, ... that gives a point.
    /// </summary>
    private static P256Point EncodeToCurve(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, Span<byte> hString, out int counter)
    {
        var length = 2 + publicKey.Length + alpha.Length + 2;
        var rented = length <= 512 ? null : System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        var input = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        try
        {
            input[0] = Suite;
            input[1] = EncodeToCurveFront;
            publicKey.CopyTo(input.Slice(2));
            alpha.CopyTo(input.Slice(2 + publicKey.Length));
            input[length - 1] = Back;
            hString[0] = 0x02;
            for (counter = 0; counter < 256; counter++)
            {
                input[length - 2] = (byte)counter;
                SHA256.HashData(input, hString.Slice(1));

                // A decoded candidate re-encodes to itself (prefix 02, x below p), so hString is point_to_string(H).
                if (P256Point.TryDecompress(hString, out var point))
                {
                    return point;
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }

        // Each try fails with probability about 1/2: 256 failures do not happen.
        throw new VrfException("try_and_increment found no P-256 point in 256 tries.");
    }
}
