namespace Pki.Caa;

/// <summary>What kind of name a certificate request covers.</summary>
public enum CaaIdentifierKind
{
    /// <summary>A fully qualified domain name (RFC 8659 "FQDN").</summary>
    DnsName,

    /// <summary>A Wildcard Domain Name <c>*.X</c>; its Relevant RRset is that of X (RFC 8659 section 3).</summary>
    WildcardDnsName,

    /// <summary>An IP address (RFC 8738 <c>ip</c> identifier).</summary>
    IPAddress,

    /// <summary>An email address (RFC 9495 <c>issuemail</c>).</summary>
    EmailAddress,
}
