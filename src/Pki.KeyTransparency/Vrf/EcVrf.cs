using System.Security.Cryptography;

namespace Pki.KeyTransparency.Vrf;

/// <summary>
/// The elliptic curve VRF of RFC 9381 section 5 with <c>try_and_increment</c> encode-to-curve (the
/// <c>-TAI</c> suites). The public methods validate arguments and shape; each suite implements the
/// curve arithmetic. Create a suite with <see cref="EcVrfP256Sha256Tai"/> or
/// <see cref="EcVrfEdwards25519Sha512Tai"/>.
/// </summary>
public abstract class EcVrf : IVrf
{
    /// <summary><c>cLen</c>: the challenge is 16 bytes in both suites.</summary>
    public const int ChallengeSize = 16;

    // Domain separators of RFC 9381 sections 5.2, 5.4.1.1 and 5.4.3.
    private protected const byte EncodeToCurveFront = 0x01;
    private protected const byte ChallengeFront = 0x02;
    private protected const byte ProofToHashFront = 0x03;
    private protected const byte Back = 0x00;

    private readonly RandomNumberGenerator _random;

    private protected EcVrf(RandomNumberGenerator? random) => _random = random ?? RandomNumberGenerator.Create();

    /// <inheritdoc />
    public abstract string SuiteName { get; }

    /// <inheritdoc />
    public abstract byte SuiteId { get; }

    /// <inheritdoc />
    public abstract int PrivateKeySize { get; }

    /// <inheritdoc />
    public abstract int PublicKeySize { get; }

    /// <inheritdoc />
    public int ProofSize => PublicKeySize + ChallengeSize + ScalarSize;

    /// <inheritdoc />
    public abstract int OutputSize { get; }

    /// <summary><c>qLen</c>: bytes of the scalar s in a proof.</summary>
    private protected abstract int ScalarSize { get; }

    /// <inheritdoc />
    public VrfKeyPair GenerateKeyPair()
    {
        var secret = new byte[PrivateKeySize];
        while (true)
        {
            _random.GetBytes(secret);
            if (TryDerivePublicKey(secret, out var publicKey))
            {
                return new VrfKeyPair(SuiteName, secret, publicKey);
            }
        }
    }

    /// <inheritdoc />
    public VrfKeyPair ImportPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != PrivateKeySize)
        {
            throw new VrfException(VrfFailure.PrivateKeyInvalid, $"A {SuiteName} private key is {PrivateKeySize} bytes; got {privateKey.Length}.");
        }

        var secret = privateKey.ToArray();
        if (!TryDerivePublicKey(secret, out var publicKey))
        {
            CryptographicOperations.ZeroMemory(secret);
            throw new VrfException(VrfFailure.PrivateKeyInvalid, $"The {SuiteName} private key is not a valid scalar (it must be in [1, q-1]).");
        }

        return new VrfKeyPair(SuiteName, secret, publicKey);
    }

    /// <inheritdoc />
    public void ValidatePublicKey(ReadOnlySpan<byte> publicKey)
    {
        var failure = CheckPublicKey(publicKey, out var message);
        if (failure != VrfFailure.None)
        {
            throw new VrfException(failure, message);
        }
    }

    /// <inheritdoc />
    public byte[] Prove(VrfKeyPair keyPair, ReadOnlySpan<byte> alpha)
    {
        var proof = new byte[ProofSize];
        Prove(keyPair, alpha, proof);
        return proof;
    }

    /// <summary>Computes the proof into <paramref name="proof"/>.</summary>
    /// <param name="keyPair">A key pair created or imported by this suite (not disposed); the caller keeps ownership.</param>
    /// <param name="alpha">The input <c>alpha_string</c>, any length including empty.</param>
    /// <param name="proof">At least <see cref="ProofSize"/> bytes; the proof goes into the first <see cref="ProofSize"/>.</param>
    /// <returns><see cref="ProofSize"/>, the number of bytes written.</returns>
    /// <exception cref="ArgumentException">The destination is too small or the key pair belongs to another suite.</exception>
    /// <exception cref="ObjectDisposedException">The key pair was disposed.</exception>
    public int Prove(VrfKeyPair keyPair, ReadOnlySpan<byte> alpha, Span<byte> proof)
    {
        if (!TryProve(keyPair, alpha, proof, out var written))
        {
            throw new ArgumentException($"The destination holds {proof.Length} bytes; a {SuiteName} proof needs {ProofSize}.", nameof(proof));
        }

        return written;
    }

    /// <inheritdoc />
    public bool TryProve(VrfKeyPair keyPair, ReadOnlySpan<byte> alpha, Span<byte> proof, out int bytesWritten)
    {
        ArgumentNullException.ThrowIfNull(keyPair);
        if (!string.Equals(keyPair.SuiteName, SuiteName, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The key pair is a {keyPair.SuiteName} key; this VRF is {SuiteName}.", nameof(keyPair));
        }

        if (proof.Length < ProofSize)
        {
            bytesWritten = 0;
            return false;
        }

        ProveCore(keyPair.PrivateKey, keyPair.PublicKey, alpha, proof.Slice(0, ProofSize), trace: null);
        bytesWritten = ProofSize;
        return true;
    }

    /// <inheritdoc />
    public VrfVerificationResult Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> proof) =>
        VerifyCore(publicKey, alpha, proof);

    /// <inheritdoc />
    public byte[] ProofToHash(ReadOnlySpan<byte> proof)
    {
        var beta = new byte[OutputSize];
        if (!TryProofToHash(proof, beta, out _))
        {
            throw new VrfException(VrfFailure.ProofLengthInvalid, $"A {SuiteName} proof is {ProofSize} bytes; got {proof.Length}.");
        }

        return beta;
    }

    /// <summary>The output <c>beta</c> of a proof, into <paramref name="beta"/> (RFC 9381 section 5.2); does not verify the proof.</summary>
    /// <param name="proof">A proof of this suite; any other length than <see cref="ProofSize"/> returns false.</param>
    /// <param name="beta">At least <see cref="OutputSize"/> bytes; the output goes into the first <see cref="OutputSize"/>.</param>
    /// <param name="bytesWritten"><see cref="OutputSize"/> on success, 0 otherwise.</param>
    /// <returns>False when the proof has the wrong length or the destination is too small.</returns>
    /// <exception cref="VrfException">The proof's point does not decode.</exception>
    public bool TryProofToHash(ReadOnlySpan<byte> proof, Span<byte> beta, out int bytesWritten)
    {
        bytesWritten = 0;
        if (proof.Length != ProofSize || beta.Length < OutputSize)
        {
            return false;
        }

        if (!TryGammaToHash(proof.Slice(0, PublicKeySize), beta.Slice(0, OutputSize)))
        {
            throw new VrfException(VrfFailure.ProofPointInvalid, $"The {SuiteName} proof's point Gamma does not decode to a curve point.");
        }

        bytesWritten = OutputSize;
        return true;
    }

    /// <summary>Derives the public key; false when <paramref name="privateKey"/> is not a usable scalar.</summary>
    private protected abstract bool TryDerivePublicKey(ReadOnlySpan<byte> privateKey, out byte[] publicKey);

    /// <summary>RFC 9381 section 5.3 steps 1-3 for this suite; a message that names no secret.</summary>
    private protected abstract VrfFailure CheckPublicKey(ReadOnlySpan<byte> publicKey, out string message);

    /// <summary>RFC 9381 section 5.1, writing exactly <see cref="ProofSize"/> bytes; fills <paramref name="trace"/> when given.</summary>
    private protected abstract void ProveCore(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, Span<byte> proof, EcVrfTrace? trace);

    /// <summary>
    /// RFC 9381 section 5.3: decode and validate the public key (steps 1-3, section 5.4.5) as
    /// <see cref="CheckPublicKey"/> does, keeping the decoded point; then <see cref="CheckProofLength"/>
    /// before anything of the proof is decoded; then steps 4-9.
    /// </summary>
    private protected abstract VrfVerificationResult VerifyCore(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> proof);

    /// <summary>A failure for a proof that is not <see cref="ProofSize"/> bytes (step 4), else null.</summary>
    private protected VrfVerificationResult? CheckProofLength(ReadOnlySpan<byte> proof) =>
        proof.Length == ProofSize
            ? null
            : VrfVerificationResult.Fail(VrfFailure.ProofLengthInvalid, $"A {SuiteName} proof is {ProofSize} bytes; got {proof.Length}.");

    /// <summary>RFC 9381 section 5.2 from the encoded Gamma; false when Gamma does not decode.</summary>
    private protected abstract bool TryGammaToHash(ReadOnlySpan<byte> gamma, Span<byte> beta);

    /// <summary>Proves and records the RFC 9381 intermediate values (tests compare them with Appendix B).</summary>
    internal EcVrfTrace ProveWithTrace(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> alpha)
    {
        if (!TryDerivePublicKey(privateKey, out var publicKey))
        {
            throw new VrfException(VrfFailure.PrivateKeyInvalid, "The private key is not a valid scalar.");
        }

        var trace = new EcVrfTrace { PublicKey = publicKey };
        var proof = new byte[ProofSize];
        ProveCore(privateKey, publicKey, alpha, proof, trace);
        trace.Proof = proof;
        return trace;
    }

    /// <summary>
    /// <c>Hash(suite_string || 0x02 || Y || H || Gamma || U || V || 0x00)</c> truncated to
    /// <see cref="ChallengeSize"/> bytes (RFC 9381 section 5.4.3), written to <paramref name="challenge"/>.
    /// </summary>
    private protected void ChallengeGeneration(
        ReadOnlySpan<byte> y, ReadOnlySpan<byte> h, ReadOnlySpan<byte> gamma, ReadOnlySpan<byte> u, ReadOnlySpan<byte> v, Span<byte> challenge)
    {
        var length = PublicKeySize;
        Span<byte> input = stackalloc byte[3 + (5 * length)];
        input[0] = SuiteId;
        input[1] = ChallengeFront;
        y.CopyTo(input.Slice(2));
        h.CopyTo(input.Slice(2 + length));
        gamma.CopyTo(input.Slice(2 + (2 * length)));
        u.CopyTo(input.Slice(2 + (3 * length)));
        v.CopyTo(input.Slice(2 + (4 * length)));
        input[input.Length - 1] = Back;
        Span<byte> digest = stackalloc byte[OutputSize];
        Hash(input, digest);
        digest.Slice(0, ChallengeSize).CopyTo(challenge);
    }

    /// <summary><c>Hash(suite_string || 0x03 || point_to_string(cofactor x Gamma) || 0x00)</c> (RFC 9381 section 5.2 step 4).</summary>
    private protected void GammaHash(ReadOnlySpan<byte> cofactorGamma, Span<byte> beta)
    {
        Span<byte> input = stackalloc byte[3 + PublicKeySize];
        input[0] = SuiteId;
        input[1] = ProofToHashFront;
        cofactorGamma.CopyTo(input.Slice(2));
        input[input.Length - 1] = Back;
        Hash(input, beta);
    }

    /// <summary>The suite's hash function (SHA-256 or SHA-512).</summary>
    private protected abstract void Hash(ReadOnlySpan<byte> source, Span<byte> destination);
}

/// <summary>RFC 9381 intermediate values of one proof, for tests against Appendix B.</summary>
internal sealed class EcVrfTrace
{
    public byte[] PublicKey { get; set; } = [];

    public byte[] H { get; set; } = [];

    public byte[] K { get; set; } = [];

    public byte[] U { get; set; } = [];

    public byte[] V { get; set; } = [];

    public byte[] Proof { get; set; } = [];

    public int Counter { get; set; }
}
