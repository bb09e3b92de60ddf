using System.Security.Cryptography;
using Pki.Shared.Edwards25519;

namespace Pki.KeyTransparency.Vrf;

/// <summary>
/// ECVRF-EDWARDS25519-SHA512-TAI (RFC 9381 section 5.5, <c>suite_string</c> 0x03): edwards25519 with
/// SHA-512 and <c>try_and_increment</c> encode-to-curve. Keys are RFC 8032 Ed25519 keys (32-byte
/// seed, 32-byte encoded point); proofs are 80 bytes and outputs 64. The curve arithmetic is this
/// package's own (radix-2^51 field, extended coordinates, constant-time fixed-window scalar
/// multiplication), tested against RFC 8032 and RFC 9381 vectors. Arithmetic mod q on the secret
/// scalar and the nonce is <see cref="Scalar25519"/>'s (four 64-bit limbs, Montgomery
/// multiplication, masked reductions: constant time).
/// </summary>
public sealed class EcVrfEdwards25519Sha512Tai : EcVrf
{
    /// <summary>The RFC 9381 <c>suite_string</c> (0x03), the first byte of every hash input of this suite.</summary>
    public const byte Suite = 0x03;

    /// <summary>Private key size: an RFC 8032 seed.</summary>
    public const int PrivateKeyLength = 32;

    /// <summary>Public key size: an RFC 8032 encoded point (<c>ptLen</c>).</summary>
    public const int PublicKeyLength = 32;

    /// <summary>Proof size in bytes: Gamma (32) + challenge c (16) + scalar s (32).</summary>
    public const int ProofLength = 80;

    /// <summary>Output (<c>beta</c>) size in bytes: a SHA-512 digest.</summary>
    public const int OutputLength = 64;

    /// <summary>Creates the suite; <paramref name="random"/> serves key generation only (proofs are deterministic).</summary>
    /// <param name="random">The source for <see cref="EcVrf.GenerateKeyPair"/>; null for <see cref="RandomNumberGenerator.Create()"/>. The suite never disposes it.</param>
    public EcVrfEdwards25519Sha512Tai(RandomNumberGenerator? random = null)
        : base(random)
    {
    }

    /// <inheritdoc />
    public override string SuiteName => "ECVRF-EDWARDS25519-SHA512-TAI";

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
        Span<byte> expanded = stackalloc byte[64];
        try
        {
            Ed25519.Expand(privateKey, expanded); // RFC 8032 section 5.1.5 steps 1-3, as RFC 9381 section 5.4.2.2 asks
            publicKey = EdwardsPoint.MultiplyBase(expanded.Slice(0, 32)).Encode();
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(expanded);
        }
    }

    private protected override VrfFailure CheckPublicKey(ReadOnlySpan<byte> publicKey, out string message) =>
        DecodePublicKey(publicKey, out _, out message);

    private static VrfFailure DecodePublicKey(ReadOnlySpan<byte> publicKey, out EdwardsPoint y, out string message)
    {
        y = EdwardsPoint.Identity;
        if (publicKey.Length != PublicKeyLength)
        {
            message = $"An Edwards25519 VRF public key is {PublicKeyLength} bytes; got {publicKey.Length}.";
            return VrfFailure.PublicKeyInvalid;
        }

        if (!EdwardsPoint.TryDecode(publicKey, out y))
        {
            message = "The Edwards25519 VRF public key does not decode (RFC 8032 section 5.1.3): y is not below p, or no x exists, or x = 0 with the sign bit set.";
            return VrfFailure.PublicKeyInvalid;
        }

        // ECVRF_validate_key (section 5.4.5): if cofactor * Y is the identity, Y is of small order.
        if (y.MultiplyByCofactor().IsIdentity())
        {
            message = "The Edwards25519 VRF public key is a point of small order.";
            return VrfFailure.PublicKeySmallOrder;
        }

        message = string.Empty;
        return VrfFailure.None;
    }

    private protected override void ProveCore(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, Span<byte> proof, EcVrfTrace? trace)
    {
        // 1. Use SK to derive the VRF secret scalar x (RFC 8032 section 5.1.5) and the nonce key.
        Span<byte> expanded = stackalloc byte[64];
        Span<byte> nonceInput = stackalloc byte[64];
        Span<byte> kString = stackalloc byte[64];
        Span<byte> k = stackalloc byte[32];
        try
        {
            Ed25519.Expand(privateKey, expanded); // RFC 8032 section 5.1.5 steps 1-3, as RFC 9381 section 5.4.2.2 asks
            var x = expanded.Slice(0, 32);

            // 2-3. H = ECVRF_encode_to_curve(PK_string, alpha_string); h_string = point_to_string(H)
            var h = EncodeToCurve(publicKey, alpha, out var counter);
            var hString = h.Encode();

            // 5. k = ECVRF_nonce_generation(SK, h_string) (section 5.4.2.2):
            //    k_string = Hash(truncated_hashed_sk_string || h_string); k = string_to_int(k_string) mod q
            expanded.Slice(32, 32).CopyTo(nonceInput);
            hString.CopyTo(nonceInput.Slice(32));
            SHA512.HashData(nonceInput, kString);
            var kScalar = Scalar25519.ReduceWide(kString);
            kScalar.WriteLittleEndian(k);

            // 4. Gamma = x * H, and k * H for step 6, in one two-scalar comb over H.
            Span<EdwardsPoint> points = stackalloc EdwardsPoint[3];
            EdwardsPoint.MultiplyTwoScalars(h, x, k, out points[0], out points[2]);

            // 6. c = ECVRF_challenge_generation(Y, H, Gamma, k*B, k*H); the three points share one inversion.
            points[1] = EdwardsPoint.MultiplyBase(k);
            Span<byte> encoded = stackalloc byte[3 * PublicKeyLength];
            EdwardsPoint.EncodeMany(points, encoded);
            var gamma = encoded.Slice(0, PublicKeyLength);
            var u = encoded.Slice(PublicKeyLength, PublicKeyLength);
            var v = encoded.Slice(2 * PublicKeyLength, PublicKeyLength);
            Span<byte> cWide = stackalloc byte[Scalar25519.Size];
            cWide.Clear();
            var c = cWide.Slice(0, ChallengeSize);
            ChallengeGeneration(publicKey, hString, gamma, u, v, c);

            // 7. s = (k + c*x) mod q, in constant time (c < 2^128 < q; x, clamped, is below 2^255 and is reduced).
            var s = Scalar25519.MultiplyAdd(Scalar25519.Reduce(cWide), Scalar25519.Reduce(x), kScalar);

            // 8. pi_string = point_to_string(Gamma) || int_to_string(c, cLen) || int_to_string(s, qLen)
            gamma.CopyTo(proof);
            c.CopyTo(proof.Slice(PublicKeyLength));
            s.WriteLittleEndian(proof.Slice(PublicKeyLength + ChallengeSize, Scalar25519.Size));
            if (trace is not null)
            {
                trace.H = hString;
                trace.K = k.ToArray();
                trace.U = u.ToArray();
                trace.V = v.ToArray();
                trace.Counter = counter;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(expanded);
            CryptographicOperations.ZeroMemory(nonceInput);
            CryptographicOperations.ZeroMemory(kString);
            CryptographicOperations.ZeroMemory(k);
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

        // 4-6. D = ECVRF_decode_proof(pi_string) (section 5.4.4): Gamma must decode; s must be below q.
        if (!EdwardsPoint.TryDecode(proof.Slice(0, PublicKeyLength), out var gamma))
        {
            return VrfVerificationResult.Fail(VrfFailure.ProofPointInvalid, "The proof's point Gamma does not decode to an edwards25519 point.");
        }

        var cBytes = proof.Slice(PublicKeyLength, ChallengeSize);
        var sBytes = proof.Slice(PublicKeyLength + ChallengeSize, 32);
        if (Scalar25519.IsCanonical(sBytes) == 0)
        {
            return VrfVerificationResult.Fail(VrfFailure.ProofScalarOutOfRange, "The proof's scalar s is not below the group order q.");
        }

        // 7. H = ECVRF_encode_to_curve(encode_to_curve_salt, alpha_string)
        var h = EncodeToCurve(publicKey, alpha, out _);

        // 8-9. U = s*B - c*Y ; V = s*H - c*Gamma
        Span<byte> c = stackalloc byte[32];
        c.Clear();
        cBytes.CopyTo(c);
        Span<EdwardsPoint> points = stackalloc EdwardsPoint[3];
        points[0] = h;
        // Public inputs only: variable-time double-scalar multiplication (Straus, width-5 NAF).
        points[1] = EdwardsPoint.MultiplyAddVartime(sBytes, EdwardsPoint.BasePoint, c, y.Negate());
        points[2] = EdwardsPoint.MultiplyAddVartime(sBytes, h, c, gamma.Negate());
        Span<byte> encoded = stackalloc byte[3 * PublicKeyLength];
        EdwardsPoint.EncodeMany(points, encoded);

        // 10-11. c' = ECVRF_challenge_generation(Y, H, Gamma, U, V); VALID when c = c'.
        Span<byte> expected = stackalloc byte[ChallengeSize];
        ChallengeGeneration(publicKey, encoded.Slice(0, PublicKeyLength), proof.Slice(0, PublicKeyLength), encoded.Slice(PublicKeyLength, PublicKeyLength), encoded.Slice(2 * PublicKeyLength), expected);
        if (!expected.SequenceEqual(cBytes))
        {
            return VrfVerificationResult.Fail(VrfFailure.ChallengeMismatch, "The proof does not verify for this public key and input (challenge mismatch).");
        }

        var beta = new byte[OutputLength];
        GammaHash(gamma.MultiplyByCofactor().Encode(), beta);
        return VrfVerificationResult.Valid(beta);
    }

    private protected override bool TryGammaToHash(ReadOnlySpan<byte> gamma, Span<byte> beta)
    {
        if (!EdwardsPoint.TryDecode(gamma, out var point))
        {
            return false;
        }

        // beta = Hash(suite_string || 0x03 || point_to_string(cofactor * Gamma) || 0x00)
        GammaHash(point.MultiplyByCofactor().Encode(), beta);
        return true;
    }

    private protected override void Hash(ReadOnlySpan<byte> source, Span<byte> destination) => SHA512.HashData(source, destination);

    /// <summary>
    /// ECVRF_encode_to_curve_try_and_increment (RFC 9381 section 5.4.1.1): the first ctr for which the
    /// first 32 bytes of <c>Hash(suite || 0x01 || PK || alpha || ctr || 0x00)</c> decode to a point H
    /// with cofactor * H not the identity; returns cofactor * H.
    /// </summary>
    private static EdwardsPoint EncodeToCurve(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, out int counter)
    {
        var input = new byte[2 + publicKey.Length + alpha.Length + 2];
        input[0] = Suite;
        input[1] = EncodeToCurveFront;
        publicKey.CopyTo(input.AsSpan(2));
        alpha.CopyTo(input.AsSpan(2 + publicKey.Length));
        input[^1] = Back;
        Span<byte> hash = stackalloc byte[64];
        for (counter = 0; counter < 256; counter++)
        {
            input[^2] = (byte)counter;
            SHA512.HashData(input, hash);
            if (EdwardsPoint.TryDecode(hash.Slice(0, 32), out var point))
            {
                var h = point.MultiplyByCofactor();
                if (!h.IsIdentity())
                {
                    return h;
                }
            }
        }

        throw new VrfException("try_and_increment found no edwards25519 point in 256 tries.");
    }
}
