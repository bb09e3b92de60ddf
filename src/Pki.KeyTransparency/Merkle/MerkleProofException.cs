namespace Pki.KeyTransparency.Merkle;

/// <summary>A Merkle inclusion or consistency proof did not verify.</summary>
public sealed class MerkleProofException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MerkleProofException()
        : this(MerkleProofFailure.None, "The Merkle proof did not verify.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The explanation.</param>
    public MerkleProofException(string message)
        : this(MerkleProofFailure.None, message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">The explanation.</param>
    /// <param name="innerException">The cause.</param>
    public MerkleProofException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a typed failure.</summary>
    /// <param name="failure">Why the proof failed.</param>
    /// <param name="message">The explanation.</param>
    public MerkleProofException(MerkleProofFailure failure, string message)
        : base(message) => Failure = failure;

    /// <summary>Why the proof failed.</summary>
    public MerkleProofFailure Failure { get; }
}
