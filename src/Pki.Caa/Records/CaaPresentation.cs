using System.Globalization;
using System.Text;

namespace Pki.Caa;

/// <summary>One token of master-file text (RFC 1035 section 5.1): escapes decoded, octets as characters.</summary>
internal readonly record struct PresentationToken(string Text, string Raw, bool Quoted, int Offset);

/// <summary>Reading and writing the presentation (zone-file) form of CAA RDATA.</summary>
internal static class CaaPresentation
{
    public static CaaRecord ParseRdata(string text)
    {
        var tokens = Tokenize(text, 0, out var commentAt);
        _ = commentAt;
        return ParseRdata(tokens, 0, text);
    }

    /// <summary>Parses CAA RDATA from <paramref name="tokens"/> starting at <paramref name="start"/>; all remaining tokens belong to it.</summary>
    public static CaaRecord ParseRdata(IReadOnlyList<PresentationToken> tokens, int start, string source)
    {
        var count = tokens.Count - start;
        if (count == 0)
        {
            throw new CaaFormatException($"'{source}' has no CAA RDATA; expected 'flags tag value', e.g. 0 issue \"ca.example\".", source, source.Length);
        }

        if (!tokens[start].Quoted && tokens[start].Raw == "\\#")
        {
            return ParseGeneric(tokens, start, source);
        }

        var flagsToken = tokens[start];
        if (flagsToken.Quoted || !byte.TryParse(flagsToken.Raw, NumberStyles.None, CultureInfo.InvariantCulture, out var flags))
        {
            throw new CaaFormatException($"CAA flags '{flagsToken.Raw}' at offset {flagsToken.Offset} in '{source}' is not a number from 0 to 255.", flagsToken.Raw, flagsToken.Offset);
        }

        if (count < 2)
        {
            throw new CaaFormatException($"'{source}' ends after the CAA flags; expected a tag and a value, e.g. 0 issue \"ca.example\".", source, source.Length);
        }

        var tagToken = tokens[start + 1];
        if (tagToken.Quoted || tagToken.Text.Length == 0)
        {
            throw new CaaFormatException($"CAA tag {tagToken.Raw} at offset {tagToken.Offset} in '{source}' must be a plain word such as issue.", tagToken.Raw, tagToken.Offset);
        }

        if (count < 3)
        {
            throw new CaaFormatException($"'{source}' has no CAA value after the tag '{tagToken.Raw}'; write \"\" for an empty value.", source, source.Length);
        }

        if (count > 3)
        {
            var extra = tokens[start + 3];
            throw new CaaFormatException($"Unexpected text '{extra.Raw}' at offset {extra.Offset} after the CAA value in '{source}'; quote a value that contains spaces.", extra.Raw, extra.Offset);
        }

        return new CaaRecord(flags, tagToken.Text, tokens[start + 2].Text);
    }

    public static string Format(CaaRecord record)
    {
        if (!IsPlainWord(record.Tag))
        {
            return FormatGeneric(record);
        }

        var sb = new StringBuilder(record.Tag.Length + record.Value.Length + 10);
        sb.Append(record.Flags.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(record.Tag).Append(' ');
        AppendQuoted(sb, record.Value);
        return sb.ToString();
    }

    public static string FormatGeneric(CaaRecord record)
    {
        var rdata = record.ToRdata();
        var sb = new StringBuilder(rdata.Length * 2 + 12);
        sb.Append("\\# ").Append(rdata.Length.ToString(CultureInfo.InvariantCulture)).Append(' ');
        foreach (var b in rdata)
        {
            sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    /// <summary>Appends <paramref name="value"/> as a quoted string: <c>"</c> and <c>\</c> escaped, octets outside 0x20-0x7E as <c>\DDD</c>.</summary>
    public static void AppendQuoted(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            if (c == '"' || c == '\\')
            {
                sb.Append('\\').Append(c);
            }
            else if (c < 0x20 || c > 0x7E)
            {
                sb.Append('\\').Append(((int)c).ToString("D3", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        sb.Append('"');
    }

    /// <summary>
    /// Splits one logical line into tokens; <paramref name="commentAt"/> is where a <c>;</c> comment
    /// starts (or -1). Throws <see cref="CaaFormatException"/> on an unterminated quote or bad escape.
    /// </summary>
    public static List<PresentationToken> Tokenize(string text, int baseOffset, out int commentAt)
    {
        var tokens = new List<PresentationToken>();
        commentAt = -1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                i++;
                continue;
            }

            if (c == ';')
            {
                commentAt = i;
                break;
            }

            var start = i;
            var sb = new StringBuilder();
            if (c == '"')
            {
                i++;
                var closed = false;
                while (i < text.Length)
                {
                    var d = text[i];
                    if (d == '"')
                    {
                        closed = true;
                        i++;
                        break;
                    }

                    if (d == '\\')
                    {
                        i = ReadEscape(text, i, baseOffset, sb);
                        continue;
                    }

                    AppendOctet(sb, d, text, i, baseOffset);
                    i++;
                }

                if (!closed)
                {
                    throw new CaaFormatException($"Unterminated quoted string starting at offset {baseOffset + start} in '{text}'; close it with '\"'.", text, baseOffset + start);
                }

                tokens.Add(new PresentationToken(sb.ToString(), text.Substring(start, i - start), true, baseOffset + start));
                continue;
            }

            while (i < text.Length)
            {
                var d = text[i];
                if (d is ' ' or '\t' or '\r' or '\n' or ';')
                {
                    break;
                }

                if (d == '"')
                {
                    throw new CaaFormatException($"Unexpected '\"' at offset {baseOffset + i} inside the word starting at offset {baseOffset + start} in '{text}'; put a space before a quoted string.", text, baseOffset + i);
                }

                if (d == '\\')
                {
                    i = ReadEscape(text, i, baseOffset, sb);
                    continue;
                }

                AppendOctet(sb, d, text, i, baseOffset);
                i++;
            }

            tokens.Add(new PresentationToken(sb.ToString(), text.Substring(start, i - start), false, baseOffset + start));
        }

        return tokens;
    }

    private static CaaRecord ParseGeneric(IReadOnlyList<PresentationToken> tokens, int start, string source)
    {
        // RFC 3597 section 5: \# <length> <hex words>
        if (tokens.Count - start < 2 || !int.TryParse(tokens[start + 1].Raw, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            var at = tokens.Count - start < 2 ? source.Length : tokens[start + 1].Offset;
            throw new CaaFormatException($"The generic RDATA '\\#' in '{source}' must be followed by the RDATA length in octets (RFC 3597 section 5).", source, at);
        }

        var hex = new StringBuilder();
        for (var i = start + 2; i < tokens.Count; i++)
        {
            hex.Append(tokens[i].Raw);
        }

        if (hex.Length != length * 2)
        {
            throw new CaaFormatException($"The generic RDATA in '{source}' announces {length} octets but has {hex.Length / 2.0:0.#} octets of hex.", source, tokens[start + 1].Offset);
        }

        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            if (!byte.TryParse(hex.ToString(i * 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]))
            {
                throw new CaaFormatException($"'{hex.ToString(i * 2, 2)}' in the generic RDATA of '{source}' is not a hex octet.", hex.ToString(i * 2, 2), tokens[start + 1].Offset);
            }
        }

        return CaaRecord.ReadRdata(bytes);
    }

    private static int ReadEscape(string text, int i, int baseOffset, StringBuilder sb)
    {
        // RFC 1035 section 5.1: \X is X itself, \DDD is the octet with decimal value DDD.
        if (i + 1 >= text.Length)
        {
            throw new CaaFormatException($"The text '{text}' ends with a lone '\\' at offset {baseOffset + i}.", text, baseOffset + i);
        }

        var next = text[i + 1];
        if (next is >= '0' and <= '9')
        {
            if (i + 3 >= text.Length || !IsDigit(text[i + 2]) || !IsDigit(text[i + 3]))
            {
                throw new CaaFormatException($"The escape '{text.Substring(i, Math.Min(4, text.Length - i))}' at offset {baseOffset + i} in '{text}' must be \\DDD with three decimal digits.", text, baseOffset + i);
            }

            var value = ((next - '0') * 100) + ((text[i + 2] - '0') * 10) + (text[i + 3] - '0');
            if (value > 255)
            {
                throw new CaaFormatException($"The escape '\\{text.Substring(i + 1, 3)}' at offset {baseOffset + i} in '{text}' is above 255.", text, baseOffset + i);
            }

            sb.Append((char)value);
            return i + 4;
        }

        AppendOctet(sb, next, text, i + 1, baseOffset);
        return i + 2;
    }

    private static void AppendOctet(StringBuilder sb, char c, string text, int i, int baseOffset)
    {
        if (c > 0xFF)
        {
            throw new CaaFormatException($"Character U+{(int)c:X4} at offset {baseOffset + i} in '{text}' is not an octet; write non-ASCII data as \\DDD escapes of its UTF-8 bytes.", text, baseOffset + i);
        }

        sb.Append(c);
    }

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static bool IsPlainWord(string tag)
    {
        foreach (var c in tag)
        {
            if (c <= 0x20 || c >= 0x7F || c is '"' or '\\' or ';' or '(' or ')')
            {
                return false;
            }
        }

        return true;
    }
}
