using System.Net;
using System.Text.Json.Serialization;

namespace Pki.Acme;

/// <summary>An identifier a certificate is for (RFC 8555 section 7.1.3 <c>identifiers</c>): a DNS name or an IP address (RFC 8738).</summary>
public sealed record AcmeIdentifier
{
    /// <summary>The <c>dns</c> identifier type.</summary>
    public const string DnsType = "dns";

    /// <summary>The <c>ip</c> identifier type (RFC 8738).</summary>
    public const string IpType = "ip";

    /// <summary>The type: <c>dns</c> or <c>ip</c>.</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = DnsType;

    /// <summary>The name (ASCII, A-labels; a wildcard as <c>*.example.com</c>) or the address in its textual form.</summary>
    [JsonPropertyName("value")]
    public string Value { get; init; } = string.Empty;

    /// <summary>A <c>dns</c> identifier. Unicode names are converted to A-labels; a leading <c>*.</c> asks for a wildcard.</summary>
    /// <exception cref="ArgumentException">The name is empty or not a valid host name.</exception>
    public static AcmeIdentifier Dns(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var trimmed = name.Trim().TrimEnd('.');
        var wildcard = trimmed.StartsWith("*.", StringComparison.Ordinal);
        var host = wildcard ? trimmed[2..] : trimmed;
        string ascii;
        try
        {
            ascii = IdnName.ToAscii(host);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"'{name}' is not a valid DNS name: {ex.Message}", nameof(name), ex);
        }

        if (IPAddress.TryParse(ascii, out _) || Uri.CheckHostName(ascii) != UriHostNameType.Dns || !ascii.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a fully qualified DNS name (use AcmeIdentifier.Ip for addresses).", nameof(name));
        }

        return new AcmeIdentifier { Type = DnsType, Value = wildcard ? "*." + ascii : ascii };
    }

    /// <summary>An <c>ip</c> identifier (RFC 8738), in the RFC 5952 / dotted-quad textual form.</summary>
    public static AcmeIdentifier Ip(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new AcmeIdentifier { Type = IpType, Value = address.ToString() };
    }

    /// <summary>An identifier from text: an IP address becomes <c>ip</c>, anything else <c>dns</c>.</summary>
    public static AcmeIdentifier Parse(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return IPAddress.TryParse(value.Trim('[', ']'), out var ip) ? Ip(ip) : Dns(value);
    }

    /// <summary>True for a <c>dns</c> identifier that starts with <c>*.</c>.</summary>
    [JsonIgnore]
    public bool IsWildcard => Type == DnsType && Value.StartsWith("*.", StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Type + ":" + Value;
}
