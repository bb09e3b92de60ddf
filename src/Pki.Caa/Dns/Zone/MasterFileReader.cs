using System.Globalization;
using System.Text;

namespace Pki.Caa;

/// <summary>
/// Reads master-file text (RFC 1035 section 5) into the nodes of a <see cref="CaaZone"/>: logical lines
/// (parentheses, comments, quoted strings), <c>$ORIGIN</c> and <c>$TTL</c>, owner names, TTLs with
/// BIND-style units, and the CAA, CNAME, DNAME and SOA data that CAA lookups need. As in RFC 1035,
/// text whose names are all absolute needs no origin: the apex is then the SOA owner, or else the closest
/// common ancestor of the owner names.
/// </summary>
internal static class MasterFileReader
{
    private const uint DefaultTtl = 3600;

    /// <summary>The apex, the nodes by owner name and the negative-answer TTL of the zone in <paramref name="zoneText"/>.</summary>
    /// <exception cref="CaaFormatException">A line cannot be read; the message names the line number and text.</exception>
    public static (string Apex, Dictionary<string, ZoneNode> Nodes, uint NegativeTtl) Read(string zoneText, string? origin)
    {
        string? current = origin is null ? null : DnsName.Normalize(origin, "zone origin");
        string? apex = current;
        uint defaultTtl = DefaultTtl;
        uint? negativeTtl = null;
        string? lastOwner = null;
        string? soaOwner = null;
        var pending = new List<(string Owner, int Number, string Line)>();
        var nodes = new Dictionary<string, ZoneNode>(StringComparer.Ordinal);
        foreach (var (line, number) in LogicalLines(zoneText))
        {
            List<PresentationToken> tokens;
            try
            {
                tokens = CaaPresentation.Tokenize(line, 0, out _);
            }
            catch (CaaFormatException ex)
            {
                throw new CaaFormatException($"Zone line {number} ('{line.Trim()}'): {ex.Message}", line, ex.Offset);
            }

            if (tokens.Count == 0)
            {
                continue;
            }

            if (!tokens[0].Quoted && tokens[0].Raw.StartsWith('$'))
            {
                var directive = tokens[0].Raw.ToUpperInvariant();
                if (directive == "$ORIGIN" && tokens.Count == 2)
                {
                    current = Absolute(tokens[1].Text, current, number, line, requireAbsolute: true);
                    apex ??= current;
                }
                else if (directive == "$TTL" && tokens.Count == 2)
                {
                    defaultTtl = ParseTtl(tokens[1].Raw, number, line);
                }
                else
                {
                    throw Error(number, line, $"the directive '{tokens[0].Raw}' is not supported here (use $ORIGIN name. or $TTL seconds)");
                }

                continue;
            }

            var index = 0;
            string owner;
            if (line[0] is ' ' or '\t')
            {
                owner = lastOwner ?? throw Error(number, line, "the line starts with a blank but no owner name came before it");
            }
            else
            {
                owner = Absolute(tokens[0].Text, current, number, line, requireAbsolute: false);
                index = 1;
            }

            if (apex is null)
            {
                // Absolute names before any origin: the apex is known only at the end.
                pending.Add((owner, number, line));
            }
            else
            {
                CheckInZone(owner, apex, number, line);
            }

            lastOwner = owner;
            uint? ttl = null;
            string? type = null;
            while (index < tokens.Count && type is null)
            {
                var raw = tokens[index].Raw;
                if (raw.Length > 0 && char.IsDigit(raw[0]))
                {
                    ttl = ParseTtl(raw, number, line);
                }
                else if (raw.Equals("IN", StringComparison.OrdinalIgnoreCase))
                {
                    // The only class served.
                }
                else if (raw.Equals("CH", StringComparison.OrdinalIgnoreCase) || raw.Equals("HS", StringComparison.OrdinalIgnoreCase) || raw.Equals("CS", StringComparison.OrdinalIgnoreCase))
                {
                    throw Error(number, line, $"class {raw} is not supported; only IN");
                }
                else if (IsRecordType(raw))
                {
                    type = raw.ToUpperInvariant();
                }
                else
                {
                    throw Error(number, line, $"unknown record type '{raw}' (use a mnemonic such as CAA or the RFC 3597 form TYPE257)");
                }

                index++;
            }

            if (type is null)
            {
                throw Error(number, line, "no record type");
            }

            var node = GetNode(nodes, owner);
            var recordTtl = ttl ?? defaultTtl;
            try
            {
                switch (type)
                {
                    case "CAA":
                    case "TYPE257":
                        if (type == "TYPE257" && (tokens.Count <= index || tokens[index].Raw != "\\#"))
                        {
                            throw Error(number, line, "TYPE257 data must use the RFC 3597 form \\# LENGTH HEX");
                        }

                        node.Caa.Add(CaaPresentation.ParseRdata(tokens, index, line));
                        node.CaaTtl = Math.Min(node.CaaTtl, recordTtl);
                        break;
                    case "CNAME":
                        if (node.Cname is not null)
                        {
                            throw Error(number, line, $"'{owner}' has a second CNAME");
                        }

                        node.Cname = Absolute(Single(tokens, index, number, line).Text, current, number, line, requireAbsolute: false);
                        node.AliasTtl = recordTtl;
                        break;
                    case "DNAME":
                        node.Dname = Absolute(Single(tokens, index, number, line).Text, current, number, line, requireAbsolute: false);
                        node.AliasTtl = recordTtl;
                        break;
                    case "SOA":
                        if (tokens.Count - index != 7 || !uint.TryParse(tokens[index + 6].Raw, NumberStyles.None, CultureInfo.InvariantCulture, out var minimum))
                        {
                            throw Error(number, line, "an SOA record needs 7 fields ending with MINIMUM in seconds");
                        }

                        negativeTtl = Math.Min(recordTtl, minimum);
                        soaOwner ??= owner;
                        node.Other = true;
                        break;
                    default:
                        node.Other = true;
                        break;
                }
            }
            catch (CaaFormatException ex) when (!ex.Message.StartsWith("Zone line", StringComparison.Ordinal))
            {
                throw new CaaFormatException($"Zone line {number} ('{line.Trim()}'): {ex.Message}", line, ex.Offset);
            }

            if (node.Cname is not null && (node.Caa.Count > 0 || node.Other))
            {
                throw Error(number, line, $"'{owner}' has a CNAME and other data; RFC 1034 section 3.6.2 forbids that");
            }
        }

        apex ??= soaOwner ?? CommonAncestor(pending)
            ?? throw new CaaFormatException(
                nodes.Count == 0
                    ? "The zone text sets no origin and has no records: pass one to Parse or start the text with $ORIGIN."
                    : "The zone text sets no origin and its owner names share no parent domain: pass one to Parse or start the text with $ORIGIN.",
                zoneText,
                0);
        foreach (var (owner, number, line) in pending)
        {
            CheckInZone(owner, apex, number, line);
        }

        return (apex, nodes, negativeTtl ?? defaultTtl);
    }

    private static void CheckInZone(string owner, string apex, int number, string line)
    {
        if (owner != apex && !owner.EndsWith("." + apex, StringComparison.Ordinal))
        {
            throw Error(number, line, $"the owner '{owner}' is outside the zone '{apex}'");
        }
    }

    /// <summary>The closest common ancestor of the owner names (wildcard labels aside), or null when they share none.</summary>
    private static string? CommonAncestor(List<(string Owner, int Number, string Line)> owners)
    {
        string? common = null;
        foreach (var (owner, _, _) in owners)
        {
            var name = owner.StartsWith("*.", StringComparison.Ordinal) ? owner.Substring(2) : owner;
            if (common is null)
            {
                common = name;
                continue;
            }

            while (common is not null && name != common && !name.EndsWith("." + common, StringComparison.Ordinal))
            {
                common = DnsName.Parent(common);
            }

            if (common is null)
            {
                return null;
            }
        }

        return common;
    }

    private static readonly HashSet<string> RecordTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "A", "AAAA", "NS", "SOA", "MX", "TXT", "SRV", "PTR", "CNAME", "DNAME", "CAA", "DS", "DNSKEY", "RRSIG", "NSEC", "NSEC3",
        "NSEC3PARAM", "TLSA", "SMIMEA", "SSHFP", "HINFO", "NAPTR", "SVCB", "HTTPS", "SPF", "LOC", "CDS", "CDNSKEY", "CERT",
        "OPENPGPKEY", "URI", "ZONEMD", "RP", "AFSDB", "KX", "DHCID", "CSYNC", "NULL",
    };

    private static bool IsRecordType(string raw)
    {
        if (RecordTypes.Contains(raw))
        {
            return true;
        }

        // RFC 3597 section 5: TYPE followed by the decimal type number.
        return raw.Length > 4 && raw.StartsWith("TYPE", StringComparison.OrdinalIgnoreCase)
            && ushort.TryParse(raw.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }

    private static ZoneNode GetNode(Dictionary<string, ZoneNode> nodes, string owner)
    {
        if (!nodes.TryGetValue(owner, out var node))
        {
            node = new ZoneNode();
            nodes[owner] = node;
        }

        return node;
    }

    private static PresentationToken Single(List<PresentationToken> tokens, int index, int number, string line) =>
        tokens.Count - index == 1 ? tokens[index] : throw Error(number, line, "expected exactly one target name");

    private static string Absolute(string name, string? origin, int number, string line, bool requireAbsolute)
    {
        if (name == "@")
        {
            return origin ?? throw Error(number, line, "'@' used before any origin is known: pass one to Parse, start the text with $ORIGIN, or write the owner absolute (ending in '.')");
        }

        string full;
        if (name.EndsWith('.'))
        {
            full = name;
        }
        else if (requireAbsolute)
        {
            throw Error(number, line, $"the name '{name}' must be absolute (end with '.') here");
        }
        else if (origin is null)
        {
            throw Error(number, line, $"the name '{name}' is relative but no origin is known: pass one to Parse, start the text with $ORIGIN, or write it absolute ('{name}.')");
        }
        else
        {
            full = name + "." + origin;
        }

        var trimmed = full.TrimEnd('.');
        var wildcard = trimmed.StartsWith("*.", StringComparison.Ordinal);
        try
        {
            var normalized = DnsName.Normalize(wildcard ? trimmed.Substring(2) : trimmed, "owner name");
            return wildcard ? "*." + normalized : normalized;
        }
        catch (CaaFormatException ex)
        {
            throw Error(number, line, ex.Message);
        }
    }

    private static uint ParseTtl(string raw, int number, string line)
    {
        // Plain seconds, or BIND-style units (1h30m).
        ulong total = 0;
        ulong current = 0;
        var digits = false;
        foreach (var c in raw)
        {
            if (c is >= '0' and <= '9')
            {
                current = (current * 10) + (ulong)(c - '0');
                digits = true;
                if (current > uint.MaxValue)
                {
                    throw Error(number, line, $"the TTL '{raw}' is too large");
                }

                continue;
            }

            var unit = char.ToUpperInvariant(c) switch
            {
                'S' => 1UL,
                'M' => 60UL,
                'H' => 3600UL,
                'D' => 86400UL,
                'W' => 604800UL,
                _ => throw Error(number, line, $"the TTL '{raw}' has the unknown unit '{c}'"),
            };
            if (!digits)
            {
                throw Error(number, line, $"the TTL '{raw}' has a unit without a number");
            }

            total += current * unit;
            current = 0;
            digits = false;
        }

        total += current;
        return total > int.MaxValue ? throw Error(number, line, $"the TTL '{raw}' is above 2147483647 seconds (RFC 2181 section 8)") : (uint)total;
    }

    private static CaaFormatException Error(int number, string line, string message) =>
        new($"Zone line {number} ('{line.Trim()}'): {message}.", line, 0);

    private static IEnumerable<(string Line, int Number)> LogicalLines(string text)
    {
        var sb = new StringBuilder();
        var depth = 0;
        var quoted = false;
        var startLine = 1;
        var lineNumber = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '\\' && i + 1 < text.Length)
                {
                    sb.Append(c).Append(text[++i]);
                    continue;
                }

                if (c == '"')
                {
                    quoted = false;
                }

                if (c == '\n')
                {
                    throw new CaaFormatException($"Zone line {lineNumber}: a quoted string runs past the end of the line.", text, i);
                }

                sb.Append(c);
                continue;
            }

            switch (c)
            {
                case '"':
                    quoted = true;
                    sb.Append(c);
                    break;
                case '\\' when i + 1 < text.Length:
                    sb.Append(c).Append(text[++i]);
                    break;
                case ';':
                    while (i + 1 < text.Length && text[i + 1] != '\n')
                    {
                        i++;
                    }

                    break;
                case '(':
                    depth++;
                    sb.Append(' ');
                    break;
                case ')':
                    if (--depth < 0)
                    {
                        throw new CaaFormatException($"Zone line {lineNumber}: ')' without '('.", text, i);
                    }

                    sb.Append(' ');
                    break;
                case '\r':
                    break;
                case '\n':
                    lineNumber++;
                    if (depth > 0)
                    {
                        sb.Append(' ');
                        break;
                    }

                    if (sb.ToString().Trim().Length > 0)
                    {
                        yield return (sb.ToString(), startLine);
                    }

                    sb.Clear();
                    startLine = lineNumber;
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        if (depth > 0)
        {
            throw new CaaFormatException($"Zone line {startLine}: '(' is never closed.", text, text.Length);
        }

        if (sb.ToString().Trim().Length > 0)
        {
            yield return (sb.ToString(), startLine);
        }
    }
}
