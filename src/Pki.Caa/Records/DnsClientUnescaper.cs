using System.Text;

namespace Pki.Caa;

/// <summary>
/// Undoes DnsClient 1.8's escaping of CAA tags and values. DnsClient writes an octet outside 0x20-0x7E
/// as <c>\DDD</c> and <c>"</c> as <c>\"</c>, but leaves a backslash unescaped, so <c>\DDD</c> in its
/// output is either one escaped octet or four literal characters. Two facts decide: DnsClient never
/// escapes a printable octet (so <c>\065</c> is always literal), and the decoded record must be exactly
/// RDLENGTH octets long.
/// </summary>
internal static class DnsClientUnescaper
{
    public static CaaRecord Decode(byte flags, string? escapedTag, string? escapedValue, int rdataLength)
    {
        if (string.IsNullOrEmpty(escapedTag))
        {
            throw new CaaFormatException("DnsClient returned a CAA record with an empty tag; RFC 8659 section 4.1 says \"The tag length MUST be at least 1\".", escapedTag, 1);
        }

        var tag = DecodeAll(escapedTag!, asEscapes: true);
        var value = escapedValue ?? string.Empty;
        var sites = FindSites(value);
        var target = rdataLength - 2 - tag.Length;
        var greedyLength = DecodeAll(value, asEscapes: true).Length;
        var literalCount = 0;
        if (target != greedyLength)
        {
            var difference = target - greedyLength;
            var candidates = sites.Count(s => s.Candidate);
            if (difference < 0 || difference % 3 != 0 || difference / 3 > candidates)
            {
                throw new CaaFormatException(
                    $"DnsClient's CAA value '{value}' (tag '{escapedTag}') cannot be decoded to the {rdataLength - 2 - tag.Length} octets its RDATA length of {rdataLength} leaves for it.",
                    value,
                    0);
            }

            literalCount = difference / 3;
            if (literalCount != candidates)
            {
                throw new CaaFormatException(
                    $"DnsClient's CAA value '{value}' is ambiguous: {candidates} '\\DDD' sequences could each be an escaped octet or literal text, and the RDATA length only says {literalCount} are literal.",
                    value,
                    0);
            }
        }

        return new CaaRecord(flags, tag, DecodeAll(value, asEscapes: literalCount == 0));
    }

    private static string DecodeAll(string text, bool asEscapes)
    {
        var sb = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] == '"')
            {
                sb.Append('"');
                i += 2;
                continue;
            }

            if (c == '\\' && asEscapes && TryReadSite(text, i, out var octet) && IsEscapedByDnsClient(octet))
            {
                sb.Append((char)octet);
                i += 4;
                continue;
            }

            sb.Append(c);
            i++;
        }

        return sb.ToString();
    }

    private static List<(int Index, bool Candidate)> FindSites(string text)
    {
        var sites = new List<(int, bool)>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] == '"')
            {
                i++;
                continue;
            }

            if (text[i] == '\\' && TryReadSite(text, i, out var octet))
            {
                sites.Add((i, IsEscapedByDnsClient(octet)));
            }
        }

        return sites;
    }

    private static bool TryReadSite(string text, int i, out int octet)
    {
        octet = 0;
        if (i + 3 >= text.Length || !IsDigit(text[i + 1]) || !IsDigit(text[i + 2]) || !IsDigit(text[i + 3]))
        {
            return false;
        }

        octet = ((text[i + 1] - '0') * 100) + ((text[i + 2] - '0') * 10) + (text[i + 3] - '0');
        return octet <= 255;
    }

    private static bool IsEscapedByDnsClient(int octet) => octet < 0x20 || octet > 0x7E;

    private static bool IsDigit(char c) => c is >= '0' and <= '9';
}
