namespace Pki.KeyTransparency.Discovery;

/// <summary>One SRV target of a domain's key transparency service.</summary>
/// <param name="Host">The target host name, without the trailing dot.</param>
/// <param name="Port">The TCP port.</param>
/// <param name="Priority">SRV priority: lower is tried first.</param>
/// <param name="Weight">SRV weight: the relative share among targets of equal priority.</param>
public sealed record KeyTransparencyEndpoint(string Host, int Port, int Priority, int Weight)
{
    /// <summary>The service's base URI, <c>https://host:port/</c>.</summary>
    public Uri BaseUri => new UriBuilder(Uri.UriSchemeHttps, Host, Port).Uri;
}
