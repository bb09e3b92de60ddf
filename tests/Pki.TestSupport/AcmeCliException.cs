namespace Pki.TestSupport;

/// <summary>A real ACME client failed; the message carries the tail of its output and log file, with secrets redacted.</summary>
public sealed class AcmeCliException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AcmeCliException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public AcmeCliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public AcmeCliException()
    {
    }

    /// <summary>The client's exit code, when it ran to the end.</summary>
    public int? ExitCode { get; init; }
}
