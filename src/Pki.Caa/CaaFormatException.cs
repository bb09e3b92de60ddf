namespace Pki.Caa;

/// <summary>
/// Text, wire RDATA, zone-file input or DNS data that cannot be read as CAA data. The message names
/// the offending value; <see cref="Offset"/> is the position (byte or character) where reading stopped,
/// and <see cref="OffendingValue"/> the value itself.
/// </summary>
public sealed class CaaFormatException : FormatException
{
    /// <summary>Creates the exception with the default message (for serializers and tests; this package always gives a message).</summary>
    public CaaFormatException()
    {
    }

    /// <summary>Creates the exception with a message that names the offending value and says what to do.</summary>
    public CaaFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it (kept as <see cref="Exception.InnerException"/>).</summary>
    public CaaFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a message, the offending value and where reading stopped.</summary>
    /// <param name="message">Names the value and what is wrong with it.</param>
    /// <param name="offendingValue">The value (text, or hex for binary input); or null when it is not repeated (e.g. RDATA over 65535 bytes).</param>
    /// <param name="offset">Character or byte offset into <paramref name="offendingValue"/> where reading stopped; -1 when not known.</param>
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
