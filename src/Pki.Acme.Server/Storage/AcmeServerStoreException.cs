namespace Pki.Acme.Server;

/// <summary>
/// The server's database could not be reached or failed a command (connection refused, server restarting,
/// command timeout). The message names the database without credentials; the request that hit it is answered
/// with a <c>serverInternal</c> problem and the client may retry once the database is back.
/// </summary>
public sealed class AcmeServerStoreException : Exception
{
    /// <summary>Creates the exception with the default message (for serializers; the library always gives one).</summary>
    public AcmeServerStoreException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, which names the database (never a password).</summary>
    public AcmeServerStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the failure that caused it.</summary>
    public AcmeServerStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Whether retrying later may succeed (the database was unreachable or timed out, not a failed statement).</summary>
    public bool IsTransient { get; init; }
}
