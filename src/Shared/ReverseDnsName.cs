using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pki.Shared;

/// <summary>
/// The reverse-mapping name of an address, without the root dot: <c>4.3.2.1.in-addr.arpa</c> (RFC 1035
/// section 3.5) or 32 nibbles under <c>ip6.arpa</c> (RFC 3596 section 2.5). Used for CAA on IP
/// identifiers and for the tls-alpn-01 SNI name of an IP identifier (RFC 8738 section 6).
/// </summary>
internal static class ReverseDnsName
{
    public static string For(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        var builder = new StringBuilder(73);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            for (var i = bytes.Length - 1; i >= 0; i--)
            {
                builder.Append(bytes[i].ToString(CultureInfo.InvariantCulture)).Append('.');
            }

            return builder.Append("in-addr.arpa").ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException($"'{address}' is neither an IPv4 nor an IPv6 address.", nameof(address));
        }

        const string Hex = "0123456789abcdef";
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            builder.Append(Hex[bytes[i] & 0xF]).Append('.').Append(Hex[bytes[i] >> 4]).Append('.');
        }

        return builder.Append("ip6.arpa").ToString();
    }
}
