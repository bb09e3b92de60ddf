namespace Pki.KeyTransparency.Discovery;

/// <summary>What the DNS says about a domain's key transparency service.</summary>
public enum KeyTransparencyDiscoveryStatus
{
    /// <summary>SRV records were found; <see cref="KeyTransparencyDiscoveryResult.Endpoints"/> lists them in the order to try.</summary>
    Found,

    /// <summary>The domain publishes no key transparency SRV record (the name or the record type does not exist).</summary>
    NonePublished,

    /// <summary>The domain publishes a single SRV record with target "." : the service is decidedly not available (RFC 2782).</summary>
    Declined,
}

/// <summary>The outcome of <see cref="KeyTransparencyServiceDiscovery.DiscoverAsync"/>.</summary>
public sealed class KeyTransparencyDiscoveryResult
{
    internal KeyTransparencyDiscoveryResult(string domain, string queryName, KeyTransparencyDiscoveryStatus status, IReadOnlyList<KeyTransparencyEndpoint> endpoints)
    {
        Domain = domain;
        QueryName = queryName;
        Status = status;
        Endpoints = endpoints;
    }

    /// <summary>The domain that was asked about (ASCII form).</summary>
    public string Domain { get; }

    /// <summary>The SRV owner name that was queried, <c>_sm._keytransparency._https.&lt;domain&gt;</c>.</summary>
    public string QueryName { get; }

    /// <summary>Whether endpoints were found, none are published, or the domain declines the service; only <see cref="KeyTransparencyDiscoveryStatus.Found"/> comes with <see cref="Endpoints"/>.</summary>
    public KeyTransparencyDiscoveryStatus Status { get; }

    /// <summary>The targets in RFC 2782 order (priority, then weighted random); empty unless <see cref="Status"/> is Found.</summary>
    public IReadOnlyList<KeyTransparencyEndpoint> Endpoints { get; }

    /// <summary>The first endpoint to try, or null when none is published.</summary>
    public KeyTransparencyEndpoint? Preferred => Endpoints.Count > 0 ? Endpoints[0] : null;
}
