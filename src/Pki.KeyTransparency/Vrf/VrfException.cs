namespace Pki.KeyTransparency.Vrf;

/// <summary>A VRF key or proof was rejected. Messages never contain private key material.</summary>
public sealed class VrfException : Exception
{
    /// <summary>Creates the exception.</summary>
    public VrfException()
        : this(VrfFailure.None, "The VRF operation failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The explanation.</param>
    public VrfException(string message)
        : this(VrfFailure.None, message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">The explanation.</param>
    /// <param name="innerException">The cause.</param>
    public VrfException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a typed failure.</summary>
    /// <param name="failure">The reason.</param>
    /// <param name="message">The explanation.</param>
    public VrfException(VrfFailure failure, string message)
        : base(message) => Failure = failure;

    /// <summary>The reason.</summary>
    public VrfFailure Failure { get; }
}
