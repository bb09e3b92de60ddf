namespace Pki.KeyTransparency.Discovery;

/// <summary>The DNS lookup for a key transparency service failed (server failure, refusal, timeout): the answer is unknown, not "none".</summary>
public sealed class KeyTransparencyDiscoveryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KeyTransparencyDiscoveryException()
        : this("The key transparency SRV lookup failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The explanation.</param>
    public KeyTransparencyDiscoveryException(string message)
        : base(message)
    {
        QueryName = string.Empty;
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">The explanation.</param>
    /// <param name="innerException">The cause.</param>
    public KeyTransparencyDiscoveryException(string message, Exception innerException)
        : base(message, innerException)
    {
        QueryName = string.Empty;
    }

    /// <summary>Creates the exception for a query name.</summary>
    /// <param name="queryName">The SRV owner name queried.</param>
    /// <param name="message">The explanation.</param>
    /// <param name="innerException">The cause, if any.</param>
    public KeyTransparencyDiscoveryException(string queryName, string message, Exception? innerException)
        : base(message, innerException) => QueryName = queryName;

    /// <summary>The SRV owner name that was queried.</summary>
    public string QueryName { get; }
}
