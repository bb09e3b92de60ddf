namespace Pki.Caa;

/// <summary>
/// Property tags and flags this package understands. RFC 8659 section 4.1: "Matching of tags is
/// case insensitive." Compare with <see cref="CaaRecord.HasTag(string)"/>.
/// </summary>
public static class CaaTags
{
    /// <summary><c>issue</c> (RFC 8659 section 4.2): authorizes an Issuer for FQDNs.</summary>
    public const string Issue = "issue";

    /// <summary><c>issuewild</c> (RFC 8659 section 4.3): authorizes an Issuer for Wildcard Domain Names.</summary>
    public const string IssueWild = "issuewild";

    /// <summary><c>issuemail</c> (RFC 9495 section 3): authorizes an Issuer for email addresses (S/MIME).</summary>
    public const string IssueMail = "issuemail";

    /// <summary><c>iodef</c> (RFC 8659 section 4.4): where to report policy violations.</summary>
    public const string Iodef = "iodef";

    /// <summary><c>contactemail</c> (CA/Browser Forum BR appendix A): informational, never restricts.</summary>
    public const string ContactEmail = "contactemail";

    /// <summary><c>contactphone</c> (CA/Browser Forum BR appendix A): informational, never restricts.</summary>
    public const string ContactPhone = "contactphone";

    /// <summary>
    /// The Issuer Critical flag, bit 0 of the flags octet (value 128). RFC 8659 section 4.1: "If the
    /// value is set to "1", the Property is critical. A CA MUST NOT issue certificates for any FQDN if
    /// the Relevant RRset for that FQDN contains a CAA critical Property for an unknown or unsupported
    /// Property Tag."
    /// </summary>
    public const byte IssuerCriticalFlag = 128;

    /// <summary>Whether the evaluator in this package understands <paramref name="tag"/> (case-insensitive).</summary>
    public static bool IsKnown(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        return AsciiEquals(tag, Issue) || AsciiEquals(tag, IssueWild) || AsciiEquals(tag, IssueMail)
            || AsciiEquals(tag, Iodef) || AsciiEquals(tag, ContactEmail) || AsciiEquals(tag, ContactPhone);
    }

    internal static bool AsciiEquals(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase) && IdnName.IsAscii(a);
}
