namespace Pki.KeyTransparency.Vrf;

/// <summary>
/// A verifiable random function (RFC 9381): the holder of a private key maps an input <c>alpha</c> to
/// a pseudorandom output <c>beta</c> together with a proof <c>pi</c> that anyone with the public key can
/// check. Key transparency uses it so a directory can look up an email address without revealing
/// which addresses it holds.
/// </summary>
/// <remarks>
/// Implementations MUST be deterministic (the same key and input give the same proof), MUST reject
/// every malformed proof or key in <see cref="Verify"/> with a typed result rather than an exception,
/// and MUST NOT put private key material in exception messages.
/// </remarks>
public interface IVrf
{
    /// <summary>The RFC 9381 suite name, e.g. <c>ECVRF-P256-SHA256-TAI</c>.</summary>
    string SuiteName { get; }

    /// <summary>The RFC 9381 <c>suite_string</c> octet.</summary>
    byte SuiteId { get; }

    /// <summary>Size in bytes of an encoded private key: 32 for both suites (a big-endian scalar for P-256, an RFC 8032 seed for Edwards25519).</summary>
    int PrivateKeySize { get; }

    /// <summary>Size in bytes of an encoded public key (<c>ptLen</c>).</summary>
    int PublicKeySize { get; }

    /// <summary>Size in bytes of a proof <c>pi</c> (<c>ptLen + cLen + qLen</c>).</summary>
    int ProofSize { get; }

    /// <summary>Size in bytes of an output <c>beta</c> (<c>hLen</c>).</summary>
    int OutputSize { get; }

    /// <summary>Generates a key pair from the instance's random number generator.</summary>
    /// <returns>A new key pair; dispose it to zero the private key.</returns>
    VrfKeyPair GenerateKeyPair();

    /// <summary>Imports an encoded private key and derives its public key.</summary>
    /// <param name="privateKey"><see cref="PrivateKeySize"/> bytes.</param>
    /// <returns>The key pair; dispose it to zero the private key.</returns>
    /// <exception cref="VrfException">The key is malformed (the message never contains it).</exception>
    VrfKeyPair ImportPrivateKey(ReadOnlySpan<byte> privateKey);

    /// <summary>Checks an encoded public key: well-formed, canonical, on the curve, not of small order (RFC 9381 section 5.4.5).</summary>
    /// <param name="publicKey">The encoded public key, <see cref="PublicKeySize"/> bytes (any other length is rejected with <see cref="VrfFailure.PublicKeyInvalid"/>).</param>
    /// <exception cref="VrfException">The key is not acceptable; <see cref="VrfException.Failure"/> says why.</exception>
    void ValidatePublicKey(ReadOnlySpan<byte> publicKey);

    /// <summary>Computes the proof <c>pi</c> for <paramref name="alpha"/> (RFC 9381 section 5.1).</summary>
    /// <param name="keyPair">A key pair created or imported by this suite (not disposed); the caller keeps ownership.</param>
    /// <param name="alpha">The input <c>alpha_string</c>, any length including empty (e.g. the UTF-8 bytes of an email address).</param>
    /// <returns>The <see cref="ProofSize"/>-byte proof; the same key and input always give the same proof.</returns>
    /// <exception cref="ArgumentException">The key pair belongs to another suite.</exception>
    /// <exception cref="ObjectDisposedException">The key pair was disposed.</exception>
    byte[] Prove(VrfKeyPair keyPair, ReadOnlySpan<byte> alpha);

    /// <summary>Computes the proof into <paramref name="proof"/> if it has room.</summary>
    /// <param name="keyPair">A key pair created or imported by this suite (not disposed); the caller keeps ownership.</param>
    /// <param name="alpha">The input <c>alpha_string</c>, any length including empty.</param>
    /// <param name="proof">Receives the proof in its first <see cref="ProofSize"/> bytes; left untouched when too small.</param>
    /// <param name="bytesWritten"><see cref="ProofSize"/> on success, 0 otherwise.</param>
    /// <returns>False when <paramref name="proof"/> is too small.</returns>
    /// <exception cref="ArgumentException">The key pair belongs to another suite.</exception>
    /// <exception cref="ObjectDisposedException">The key pair was disposed.</exception>
    bool TryProve(VrfKeyPair keyPair, ReadOnlySpan<byte> alpha, Span<byte> proof, out int bytesWritten);

    /// <summary>Verifies <paramref name="proof"/> for <paramref name="alpha"/> under <paramref name="publicKey"/> (RFC 9381 section 5.3).</summary>
    /// <param name="publicKey">The prover's encoded public key; a malformed one gives a failed result, not an exception.</param>
    /// <param name="alpha">The input the proof claims to be for, any length.</param>
    /// <param name="proof">The proof <c>pi</c>; a wrong length or undecodable content gives a failed result, not an exception.</param>
    /// <returns>Valid with the output <c>beta</c>, or the typed reason it is invalid.</returns>
    VrfVerificationResult Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> proof);

    /// <summary>
    /// The output <c>beta</c> of a proof (RFC 9381 section 5.2). This does not verify the proof: use it
    /// on proofs you produced, or take the output from <see cref="Verify"/>.
    /// </summary>
    /// <param name="proof">A <see cref="ProofSize"/>-byte proof.</param>
    /// <returns>The <see cref="OutputSize"/>-byte output.</returns>
    /// <exception cref="VrfException">The proof has the wrong length (<see cref="VrfFailure.ProofLengthInvalid"/>) or its point does not decode (<see cref="VrfFailure.ProofPointInvalid"/>).</exception>
    byte[] ProofToHash(ReadOnlySpan<byte> proof);
}
