namespace Pki.KeyTransparency.Merkle;

/// <summary>A Merkle inclusion or consistency proof did not verify.</summary>
public sealed class MerkleProofException : Exception
{
    /// <summary>Creates the exception with a generic message and <see cref="Failure"/> <see cref="MerkleProofFailure.None"/>.</summary>
    public MerkleProofException()
        : this(MerkleProofFailure.None, "The Merkle proof did not verify.")
    {
    }

    /// <summary>Creates the exception with a message and <see cref="Failure"/> <see cref="MerkleProofFailure.None"/>.</summary>
    /// <param name="message">What did not verify, with the offending values.</param>
    public MerkleProofException(string message)
        : this(MerkleProofFailure.None, message)
    {
    }

    /// <summary>Creates the exception with a message and cause, and <see cref="Failure"/> <see cref="MerkleProofFailure.None"/>.</summary>
    /// <param name="message">What did not verify, with the offending values.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public MerkleProofException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a typed failure.</summary>
    /// <param name="failure">Why the proof failed; becomes <see cref="Failure"/>.</param>
    /// <param name="message">What did not verify, with the offending values.</param>
    public MerkleProofException(MerkleProofFailure failure, string message)
        : base(message) => Failure = failure;

    /// <summary>Why the proof failed, for handling by type; <see cref="MerkleProofFailure.None"/> when created without a reason.</summary>
    public MerkleProofFailure Failure { get; }
}
