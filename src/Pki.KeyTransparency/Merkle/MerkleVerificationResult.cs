namespace Pki.KeyTransparency.Merkle;

/// <summary>The outcome of checking a Merkle proof: valid, or a typed failure with a message that names the values.</summary>
public sealed class MerkleVerificationResult
{
    private MerkleVerificationResult(MerkleProofFailure failure, string message)
    {
        Failure = failure;
        Message = message;
    }

    /// <summary>The success result: one immutable instance shared by every verification that passes.</summary>
    public static MerkleVerificationResult Valid { get; } = new(MerkleProofFailure.None, "The proof is valid.");

    /// <summary>True when the proof verified (<see cref="Failure"/> is <see cref="MerkleProofFailure.None"/>).</summary>
    public bool IsValid => Failure == MerkleProofFailure.None;

    /// <summary>Why it failed, or <see cref="MerkleProofFailure.None"/>.</summary>
    public MerkleProofFailure Failure { get; }

    /// <summary>A sentence that says what was wrong, with the offending values.</summary>
    public string Message { get; }

    /// <summary>Creates a failed result (for custom verifiers built on <see cref="MerkleTreeHasher"/>).</summary>
    /// <param name="failure">The reason; <see cref="MerkleProofFailure.None"/> throws <see cref="ArgumentException"/>.</param>
    /// <param name="message">A sentence naming the offending values; becomes <see cref="Message"/>.</param>
    /// <returns>A result with <see cref="IsValid"/> false.</returns>
    public static MerkleVerificationResult Fail(MerkleProofFailure failure, string message)
    {
        if (failure == MerkleProofFailure.None)
        {
            throw new ArgumentException("A failure needs a reason other than None.", nameof(failure));
        }

        return new MerkleVerificationResult(failure, message);
    }

    /// <summary>Throws <see cref="MerkleProofException"/> unless the proof verified.</summary>
    /// <exception cref="MerkleProofException">The proof did not verify.</exception>
    public void ThrowIfInvalid()
    {
        if (!IsValid)
        {
            throw new MerkleProofException(Failure, Message);
        }
    }

    /// <inheritdoc />
    public override string ToString() => IsValid ? Message : $"{Failure}: {Message}";
}
