namespace Pki.KeyTransparency.Vrf;

/// <summary>A VRF key or proof was rejected. Messages never contain private key material.</summary>
public sealed class VrfException : Exception
{
    /// <summary>Creates the exception with a generic message and <see cref="Failure"/> <see cref="VrfFailure.None"/>.</summary>
    public VrfException()
        : this(VrfFailure.None, "The VRF operation failed.")
    {
    }

    /// <summary>Creates the exception with a message and <see cref="Failure"/> <see cref="VrfFailure.None"/>.</summary>
    /// <param name="message">What went wrong, without key material.</param>
    public VrfException(string message)
        : this(VrfFailure.None, message)
    {
    }

    /// <summary>Creates the exception with a message and cause, and <see cref="Failure"/> <see cref="VrfFailure.None"/>.</summary>
    /// <param name="message">What went wrong, without key material.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public VrfException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a typed failure.</summary>
    /// <param name="failure">Which check failed; becomes <see cref="Failure"/>.</param>
    /// <param name="message">What went wrong, without key material.</param>
    public VrfException(VrfFailure failure, string message)
        : base(message) => Failure = failure;

    /// <summary>Which check failed, for handling by type; <see cref="VrfFailure.None"/> when the exception was created without one.</summary>
    public VrfFailure Failure { get; }
}
