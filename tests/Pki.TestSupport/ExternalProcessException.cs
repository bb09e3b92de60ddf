namespace Pki.TestSupport;

/// <summary>An external test peer could not be started, or died; the message carries its log.</summary>
public sealed class ExternalProcessException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ExternalProcessException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public ExternalProcessException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ExternalProcessException()
    {
    }
}
