using System.Text;

namespace Pki.Smime.Internal;

/// <summary>
/// Mailbox syntax: RFC 5321 section 4.1.2 <c>Mailbox</c> (local-part "@" domain), extended to UTF-8 by
/// RFC 6532 section 3.2, and the two SAN forms of S/MIME BR 7.1.4.2.1: <c>rfc822Name</c> (ASCII, A-label
/// domain, RFC 5280 section 4.2.1.6 and RFC 9549) and <c>SmtpUTF8Mailbox</c> (non-ASCII local part,
/// U-label domain, RFC 9598 section 3). IDNA conversions use the shared <see cref="IdnName"/>, which
/// leaves STD3 off; the LDH rule for ASCII labels (RFC 5321 section 4.1.2 <c>sub-domain</c>) is checked
/// here, on every label, including the A-labels a U-label converts to.
/// </summary>
internal static class MailboxAddress
{
    private const string AText = "!#$%&'*+-/=?^_`{|}~";

    /// <summary>Splits at the last '@'; false when there is none or a side is empty.</summary>
    public static bool TrySplit(string address, out string localPart, out string domain)
    {
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1)
        {
            localPart = domain = string.Empty;
            return false;
        }

        localPart = address.Substring(0, at);
        domain = address.Substring(at + 1);
        return true;
    }

    /// <summary>Whether the address is a valid <c>rfc822Name</c>: ASCII mailbox, domain in LDH/A-labels.</summary>
    public static bool IsValidRfc822Name(string address, out string problem)
    {
        if (!IsAscii(address))
        {
            problem = "contains non-ASCII characters (use SmtpUTF8Mailbox for a non-ASCII local part and A-labels for the domain)";
            return false;
        }

        return IsValidMailbox(address, utf8: false, out problem);
    }

    /// <summary>Whether the address is a valid <c>SmtpUTF8Mailbox</c> value.</summary>
    public static bool IsValidSmtpUtf8Mailbox(string address, out string problem)
    {
        if (!IsValidMailbox(address, utf8: true, out problem))
        {
            return false;
        }

        TrySplit(address, out var local, out var domain);
        if (IsAscii(local))
        {
            problem = "has an ASCII local part; RFC 9598 uses rfc822Name for those";
            return false;
        }

        foreach (var label in domain.Split('.'))
        {
            if (label.StartsWith("xn--", StringComparison.OrdinalIgnoreCase))
            {
                problem = $"has the A-label '{label}' in its domain; SmtpUTF8Mailbox domains are written in U-labels";
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The SAN form of a mailbox given by a caller: rfc822Name (domain converted to A-labels) when the
    /// local part is ASCII, SmtpUTF8Mailbox (domain converted to U-labels) otherwise. Unconvertible
    /// domains are kept as given so the linter names the problem.
    /// </summary>
    public static (bool SmtpUtf8, string Value) ToSanForm(string address)
    {
        if (!TrySplit(address, out var local, out var domain))
        {
            return (!IsAscii(address), address);
        }

        if (IsAscii(local))
        {
            return (false, $"{local}@{TryConvert(domain, toAscii: true)}");
        }

        return (true, $"{local}@{TryConvert(domain, toAscii: false)}");
    }

    /// <summary>A comparison key: local part as is, domain in lower-case A-labels; null when unparseable.</summary>
    public static string? Canonical(string address)
    {
        if (!TrySplit(address, out var local, out var domain))
        {
            return null;
        }

        return $"{local}@{TryConvert(domain, toAscii: true).ToLowerInvariant()}";
    }

    /// <summary>The domain of a mailbox in lower-case A-labels, as CAA looks it up.</summary>
    public static string DomainForCaa(string address) =>
        TrySplit(address, out _, out var domain) ? TryConvert(domain, toAscii: true).ToLowerInvariant().TrimEnd('.') : address;

    public static bool IsAscii(string value) => IdnName.IsAscii(value);

    private static string TryConvert(string domain, bool toAscii)
    {
        // The shared mapping trims spaces and a root dot; here they stay, so the syntax check names them.
        if (domain.Length == 0 || domain[domain.Length - 1] == '.' || domain.Trim().Length != domain.Length)
        {
            return domain;
        }

        try
        {
            var converted = toAscii ? IdnName.ToAscii(domain) : IdnName.ToUnicode(domain);
            return toAscii && !IsLdhDomain(converted) ? domain : converted;
        }
        catch (ArgumentException)
        {
            return domain;
        }
    }

    private static bool IsValidMailbox(string address, bool utf8, out string problem)
    {
        if (!TrySplit(address, out var local, out var domain))
        {
            problem = "is not of the form local-part@domain";
            return false;
        }

        if (Encoding.UTF8.GetByteCount(local) > 64)
        {
            problem = "has a local part longer than 64 octets (RFC 5321 section 4.5.3.1.1)";
            return false;
        }

        if (Encoding.UTF8.GetByteCount(address) > 254)
        {
            problem = "is longer than 254 octets (RFC 5321 section 4.5.3.1.3)";
            return false;
        }

        if (!IsValidLocalPart(local, utf8))
        {
            problem = $"has an invalid local part '{local}' (RFC 5321 section 4.1.2 Dot-string or Quoted-string)";
            return false;
        }

        if (!IsValidDomain(domain, utf8, out var domainProblem))
        {
            problem = $"has an invalid domain '{domain}': {domainProblem}";
            return false;
        }

        problem = string.Empty;
        return true;
    }

    private static bool IsValidLocalPart(string local, bool utf8)
    {
        if (local.Length >= 2 && local[0] == '"' && local[local.Length - 1] == '"')
        {
            for (var i = 1; i < local.Length - 1; i++)
            {
                var c = local[i];
                if (c == '\\')
                {
                    i++;
                    if (i >= local.Length - 1 || local[i] < 32 || local[i] > 126)
                    {
                        return false;
                    }
                }
                else if (!((c >= 32 && c <= 126 && c != '"') || (utf8 && c > 0x7F && !char.IsControl(c))))
                {
                    return false;
                }
            }

            return true;
        }

        if (local[0] == '.' || local[local.Length - 1] == '.' || local.Contains(".."))
        {
            return false;
        }

        foreach (var c in local)
        {
            var ok = c == '.' || (c < 0x80 && (char.IsLetterOrDigit(c) || AText.Contains(c)))
                || (utf8 && c > 0x7F && !char.IsControl(c) && !char.IsWhiteSpace(c));
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidDomain(string domain, bool utf8, out string problem)
    {
        if (domain.Length > 253)
        {
            problem = "longer than 253 characters";
            return false;
        }

        foreach (var label in domain.Split('.'))
        {
            if (label.Length == 0)
            {
                problem = "empty label";
                return false;
            }

            if (!IsAscii(label))
            {
                if (!utf8)
                {
                    problem = $"label '{label}' is not ASCII (rfc822Name domains are written in A-labels)";
                    return false;
                }

                if (!IdnName.TryToAscii(label, out var aLabel) || LdhProblem(aLabel) is not null)
                {
                    problem = $"label '{label}' is not a valid U-label";
                    return false;
                }

                continue;
            }

            if (LdhProblem(label) is { } ldh)
            {
                problem = ldh;
                return false;
            }

            if (label.StartsWith("xn--", StringComparison.OrdinalIgnoreCase))
            {
                if (!IdnName.TryToUnicode(label, out _))
                {
                    problem = $"label '{label}' is not a valid A-label";
                    return false;
                }
            }
        }

        problem = string.Empty;
        return true;
    }

    /// <summary>
    /// Null when <paramref name="label"/> is an LDH label (RFC 5321 section 4.1.2 <c>sub-domain</c>: letters,
    /// digits and inner hyphens, at most 63 characters); otherwise why not. This is the STD3 rule the shared
    /// IDN mapping leaves off, so an underscore or other non-LDH ASCII is refused here.
    /// </summary>
    private static string? LdhProblem(string label)
    {
        if (label.Length == 0 || label.Length > 63 || label[0] == '-' || label[label.Length - 1] == '-')
        {
            return $"label '{label}' is not a valid LDH label";
        }

        foreach (var c in label)
        {
            if (!(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-'))
            {
                return $"label '{label}' has the character '{c}'";
            }
        }

        return null;
    }

    private static bool IsLdhDomain(string domain) => Array.TrueForAll(domain.Split('.'), label => LdhProblem(label) is null);
}
