namespace Pki.KeyTransparency.Discovery;

/// <summary>One SRV target of a domain's key transparency service.</summary>
/// <param name="Host">The target host name, without the trailing dot.</param>
/// <param name="Port">The TCP port of the HTTPS service, 0 to 65535, as published in the SRV record.</param>
/// <param name="Priority">SRV priority: lower is tried first.</param>
/// <param name="Weight">SRV weight: the relative share among targets of equal priority.</param>
public sealed record KeyTransparencyEndpoint(string Host, int Port, int Priority, int Weight)
{
    /// <summary>The service's base URI, <c>https://host:port/</c>.</summary>
    /// <exception cref="InvalidOperationException"><see cref="Host"/> does not come out of the URI as its host (it holds '#', '/', '?', '@' or the like).</exception>
    public Uri BaseUri
    {
        get
        {
            Uri uri;
            try
            {
                uri = new UriBuilder(Uri.UriSchemeHttps, Host, Port).Uri;
            }
            catch (UriFormatException e)
            {
                throw new InvalidOperationException($"The host '{Host}' cannot be made into an https URI: {e.Message}", e);
            }

            if (!string.Equals(uri.Host, Host.TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"The host '{Host}' is not a host name: as a URI it points at '{uri.Host}'.");
            }

            return uri;
        }
    }
}
