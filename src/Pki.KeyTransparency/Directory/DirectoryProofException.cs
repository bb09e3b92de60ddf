namespace Pki.KeyTransparency.Directory;

/// <summary>A key transparency directory structure or proof (draft-ietf-keytrans-protocol) was rejected.</summary>
internal sealed class DirectoryProofException : Exception
{
    /// <summary>Creates the exception for a typed failure.</summary>
    /// <param name="failure">Why the structure or proof was rejected; becomes <see cref="Failure"/>.</param>
    /// <param name="message">What was rejected, with the offending values.</param>
    public DirectoryProofException(DirectoryProofFailure failure, string message)
        : base(message) => Failure = failure;

    /// <summary>Creates the exception for a typed failure with its cause.</summary>
    /// <param name="failure">Why the structure or proof was rejected.</param>
    /// <param name="message">What was rejected, with the offending values.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public DirectoryProofException(DirectoryProofFailure failure, string message, Exception innerException)
        : base(message, innerException) => Failure = failure;

    /// <summary>Why the structure or proof was rejected, for handling by type.</summary>
    public DirectoryProofFailure Failure { get; }
}
