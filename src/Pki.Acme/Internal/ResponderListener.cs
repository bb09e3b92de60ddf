using System.Net;
using System.Net.Sockets;

namespace Pki.Acme.Internal;

/// <summary>The TCP listener of a built-in challenge responder (http-01, tls-alpn-01).</summary>
internal static class ResponderListener
{
    /// <summary>Binds and starts listening on <paramref name="endPoint"/>.</summary>
    /// <exception cref="AcmeConfigurationException">The address and port could not be bound (in use, no permission); the message names the responder and the endpoint.</exception>
    public static TcpListener Start(IPEndPoint endPoint, string challengeType)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var listener = new TcpListener(endPoint);
        try
        {
            listener.Start();
            return listener;
        }
        catch (SocketException ex)
        {
            listener.Stop();
            throw new AcmeConfigurationException($"The {challengeType} responder could not listen on {endPoint}: {ex.Message}", ex);
        }
    }
}
