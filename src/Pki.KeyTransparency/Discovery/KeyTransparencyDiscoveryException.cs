namespace Pki.KeyTransparency.Discovery;

/// <summary>The DNS lookup for a key transparency service failed (server failure, refusal, timeout): the answer is unknown, not "none".</summary>
public sealed class KeyTransparencyDiscoveryException : Exception
{
    /// <summary>Creates the exception with a generic message; <see cref="QueryName"/> is empty.</summary>
    public KeyTransparencyDiscoveryException()
        : this("The key transparency SRV lookup failed.")
    {
    }

    /// <summary>Creates the exception with a message; <see cref="QueryName"/> is empty.</summary>
    /// <param name="message">What failed in the lookup.</param>
    public KeyTransparencyDiscoveryException(string message)
        : base(message)
    {
        QueryName = string.Empty;
    }

    /// <summary>Creates the exception with a message and cause; <see cref="QueryName"/> is empty.</summary>
    /// <param name="message">What failed in the lookup.</param>
    /// <param name="innerException">The DNS client's exception, e.g. a timeout.</param>
    public KeyTransparencyDiscoveryException(string message, Exception innerException)
        : base(message, innerException)
    {
        QueryName = string.Empty;
    }

    /// <summary>Creates the exception for a query name.</summary>
    /// <param name="queryName">The SRV owner name queried, <c>_sm._keytransparency._https.&lt;domain&gt;</c>.</param>
    /// <param name="message">What failed in the lookup.</param>
    /// <param name="innerException">The DNS client's exception, or null when the DNS answered with an error code or an unusable target.</param>
    public KeyTransparencyDiscoveryException(string queryName, string message, Exception? innerException)
        : base(message, innerException) => QueryName = queryName;

    /// <summary>The SRV owner name that was queried, or empty when the exception was created without one.</summary>
    public string QueryName { get; }
}
