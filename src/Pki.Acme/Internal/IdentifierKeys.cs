using System.Net;

namespace Pki.Acme.Internal;

/// <summary>
/// Comparison keys for identifiers, so that what was requested, what the server lists and what a
/// certificate names can be compared as sets: <c>dns:</c> + the lower-case A-label name (a leading
/// <c>*.</c> kept, no trailing dot), or <c>ip:</c> + the canonical text of the address.
/// </summary>
internal static class IdentifierKeys
{
    public static string Of(AcmeIdentifier identifier) => identifier.Type.ToLowerInvariant() switch
    {
        AcmeIdentifier.DnsType => Dns(identifier.Value),
        AcmeIdentifier.IpType => IPAddress.TryParse(identifier.Value.Trim().Trim('[', ']'), out var address) ? Ip(address) : "ip:" + identifier.Value.Trim().ToLowerInvariant(),
        var other => other + ":" + identifier.Value.Trim().ToLowerInvariant(),
    };

    public static string Dns(string name)
    {
        var trimmed = name.Trim().TrimEnd('.');
        var wildcard = trimmed.StartsWith("*.", StringComparison.Ordinal);
        var host = wildcard ? trimmed[2..] : trimmed;
        // Not a valid IDN: compared as written.
        var ascii = IdnName.TryToAscii(host, out var converted) ? converted : host.ToLowerInvariant();
        return "dns:" + (wildcard ? "*." : string.Empty) + ascii;
    }

    public static string Ip(IPAddress address) =>
        "ip:" + (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    public static SortedSet<string> SetOf(IEnumerable<AcmeIdentifier> identifiers) =>
        new(identifiers.Select(Of), StringComparer.Ordinal);

    public static string Describe(IEnumerable<string> keys) => "[" + string.Join(", ", keys) + "]";

    /// <summary>A value from the server, fit for an error message: control characters replaced, at most <paramref name="max"/> characters.</summary>
    public static string Printable(string? value, int max = 100)
    {
        if (value is null)
        {
            return "(none)";
        }

        var text = new string(value.Take(max).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return value.Length > max ? text + "..." : text;
    }
}
