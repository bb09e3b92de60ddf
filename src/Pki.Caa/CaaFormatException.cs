namespace Pki.Caa;

/// <summary>
/// Text, wire RDATA, zone-file input or DNS data that cannot be read as CAA data. The message names
/// the offending value; <see cref="Offset"/> is the position (byte or character) where reading stopped,
/// and <see cref="OffendingValue"/> the value itself.
/// </summary>
public sealed class CaaFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public CaaFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public CaaFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public CaaFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a message, the offending value and where reading stopped.</summary>
    public CaaFormatException(string message, string? offendingValue, int offset = -1)
        : base(message)
    {
        OffendingValue = offendingValue;
        Offset = offset;
    }

    /// <summary>The value that could not be read (text, or hex for binary input), or null.</summary>
    public string? OffendingValue { get; }

    /// <summary>Character or byte offset where reading stopped; -1 when not known.</summary>
    public int Offset { get; } = -1;
}
