using System.Net;

namespace Pki.Caa;

/// <summary>
/// One name in a certificate request, normalised: DNS names in lower-case A-label form without the
/// trailing dot, email domains converted from U-labels to A-labels.
/// </summary>
public sealed record CaaIdentifier
{
    private CaaIdentifier(CaaIdentifierKind kind, string value, string lookupName)
    {
        Kind = kind;
        Value = value;
        LookupName = lookupName;
    }

    /// <summary>
    /// Which properties apply: <c>issue</c> for DNS names and IP addresses, <c>issuewild</c> (else
    /// <c>issue</c>) for wildcards, only <c>issuemail</c> for email addresses.
    /// </summary>
    public CaaIdentifierKind Kind { get; }

    /// <summary>The identifier as given, normalised (e.g. <c>*.example.com</c>, <c>user@example.com</c>, <c>192.0.2.1</c>).</summary>
    public string Value { get; }

    /// <summary>
    /// The name whose Relevant RRset applies: the FQDN; X for <c>*.X</c>; the domain part of an email
    /// address in A-labels; for an IP address the reverse-mapping name (<c>in-addr.arpa</c>/<c>ip6.arpa</c>).
    /// </summary>
    public string LookupName { get; }

    /// <summary>
    /// A DNS name; <c>*.X</c> becomes a Wildcard Domain Name. Throws <see cref="CaaFormatException"/>
    /// naming the value when it is not a domain name.
    /// </summary>
    public static CaaIdentifier Dns(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.Trim();
        if (trimmed.StartsWith("*.", StringComparison.Ordinal))
        {
            if (trimmed.Substring(2).Contains('*'))
            {
                throw new CaaFormatException($"The wildcard name '{name}' may have '*' only as its whole leftmost label.", name, 0);
            }

            var parent = DnsName.Normalize(trimmed.Substring(2), "base of the wildcard name '" + name + "',");

            return new CaaIdentifier(CaaIdentifierKind.WildcardDnsName, "*." + parent, parent);
        }

        if (trimmed.Contains('*'))
        {
            throw new CaaFormatException($"The DNS name '{name}' has '*' outside a leading '*.' label; a Wildcard Domain Name looks like '*.example.com'.", name, trimmed.IndexOf('*'));
        }

        var normalized = DnsName.Normalize(trimmed, "DNS name");
        return new CaaIdentifier(CaaIdentifierKind.DnsName, normalized, normalized);
    }

    /// <summary>
    /// An IP address identifier: <see cref="Value"/> is the address text (IPv6 compressed), and the
    /// Relevant RRset is searched at its reverse-mapping name. RFC 8659 only defines names; this is the
    /// package's convention for RFC 8738 <c>ip</c> identifiers.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is null.</exception>
    public static CaaIdentifier Ip(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new CaaIdentifier(CaaIdentifierKind.IPAddress, address.ToString(), ReverseDnsName.For(address));
    }

    /// <summary>
    /// An email address. RFC 9495 applies to the domain part of the mailbox; U-labels are converted to
    /// A-labels. Throws <see cref="CaaFormatException"/> when there is no <c>local@domain</c>.
    /// </summary>
    public static CaaIdentifier Email(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var trimmed = address.Trim();
        var at = trimmed.LastIndexOf('@');
        if (at <= 0 || at == trimmed.Length - 1)
        {
            throw new CaaFormatException($"'{address}' is not an email address: expected local-part@domain.", address, at < 0 ? 0 : at);
        }

        string domain;
        try
        {
            domain = DnsName.Normalize(trimmed.Substring(at + 1), "domain", allowUnderscore: false);
        }
        catch (CaaFormatException ex)
        {
            throw new CaaFormatException($"The email address '{address}' has an invalid domain. {ex.Message}", address, at + 1);
        }

#if NET8_0_OR_GREATER
        var value = string.Concat(trimmed.AsSpan(0, at + 1), domain);
#else
        var value = new System.Text.StringBuilder(at + 1 + domain.Length).Append(trimmed, 0, at + 1).Append(domain).ToString();
#endif
        return new CaaIdentifier(CaaIdentifierKind.EmailAddress, value, domain);
    }

    /// <summary>
    /// Reads any kind: an IP address literal, an email address (contains <c>@</c>), a wildcard or a DNS name.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="CaaFormatException">The text is none of these; the message names it and says why.</exception>
    public static CaaIdentifier Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Contains('@'))
        {
            return Email(trimmed);
        }

        if ((trimmed.Contains(':') || IsDottedQuad(trimmed)) && IPAddress.TryParse(trimmed, out var ip))
        {
            return Ip(ip);
        }

        return Dns(trimmed);
    }

    /// <summary>The normalised <see cref="Value"/>.</summary>
    public override string ToString() => Value;

    private static bool IsDottedQuad(string s)
    {
        var dots = 0;
        foreach (var c in s)
        {
            if (c == '.')
            {
                dots++;
            }
            else if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return dots == 3;
    }
}
