using System.Text;

namespace Pki.Shared;

/// <summary>
/// RFC 7468 textual encoding, one implementation linked into every package that reads or writes PEM:
/// writing uses 64-character base64 lines (section 2) and LF; reading is strict (a BEGIN line without
/// its END line, or a body that is not base64, throws <see cref="FormatException"/> with the label
/// and the offset, never the content, which may be a key).
/// </summary>
internal static class PemCodec
{
    /// <summary>One block: BEGIN line, base64 in 64-character lines, END line, each ended by LF.</summary>
    public static string Encode(string label, ReadOnlySpan<byte> der)
    {
        var base64 = Convert.ToBase64String(der.ToArray());
        var builder = new StringBuilder(base64.Length + (base64.Length / 64) + (2 * label.Length) + 40);
        builder.Append("-----BEGIN ").Append(label).Append("-----\n");
        for (var i = 0; i < base64.Length; i += 64)
        {
            builder.Append(base64, i, Math.Min(64, base64.Length - i)).Append('\n');
        }

        return builder.Append("-----END ").Append(label).Append("-----\n").ToString();
    }

    /// <summary>Every block labelled <paramref name="label"/>, in order.</summary>
    /// <exception cref="PemFormatException">A block has no END line or is not base64.</exception>
    public static List<byte[]> DecodeAll(string text, string label)
    {
        var blocks = new List<byte[]>();
        var begin = "-----BEGIN " + label + "-----";
        var end = "-----END " + label + "-----";
        var position = 0;
        while (true)
        {
            var start = text.IndexOf(begin, position, StringComparison.Ordinal);
            if (start < 0)
            {
                return blocks;
            }

            var bodyStart = start + begin.Length;
            var stop = text.IndexOf(end, bodyStart, StringComparison.Ordinal);
            if (stop < 0)
            {
                throw new PemFormatException(label, start, missingEnd: true);
            }

            try
            {
                blocks.Add(Convert.FromBase64String(text.Substring(bodyStart, stop - bodyStart)));
            }
            catch (FormatException ex)
            {
                throw new PemFormatException(label, start, missingEnd: false, ex);
            }

            position = stop + end.Length;
        }
    }

    /// <summary>The labels of the BEGIN lines in <paramref name="text"/>, in order.</summary>
    public static IEnumerable<string> Labels(string text)
    {
        var position = 0;
        while (true)
        {
            var start = text.IndexOf("-----BEGIN ", position, StringComparison.Ordinal);
            if (start < 0)
            {
                yield break;
            }

            var labelStart = start + "-----BEGIN ".Length;
            var labelEnd = text.IndexOf("-----", labelStart, StringComparison.Ordinal);
            if (labelEnd < 0)
            {
                yield break;
            }

            yield return text.Substring(labelStart, labelEnd - labelStart);
            position = labelEnd;
        }
    }

    /// <summary>Whether the bytes look like PEM text rather than DER (which starts with a SEQUENCE tag).</summary>
    public static bool LooksLikePem(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length && (data[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' || (i < 3 && data[i] is 0xEF or 0xBB or 0xBF)))
        {
            i++;
        }

        return data.Length - i >= 5 && data.Slice(i, 5).SequenceEqual("-----"u8);
    }
}

/// <summary>A broken PEM block: which label, where, and whether its END line is missing or its base64 invalid.</summary>
internal sealed class PemFormatException : FormatException
{
    public PemFormatException(string label, int offset, bool missingEnd, Exception? innerException = null)
        : base($"PEM block '{label}' at offset {offset} {(missingEnd ? "has no END line" : "is not valid base64")}.", innerException)
    {
        Label = label;
        MissingEnd = missingEnd;
    }

    public PemFormatException()
    {
        Label = string.Empty;
    }

    public PemFormatException(string message)
        : base(message)
    {
        Label = string.Empty;
    }

    public PemFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Label = string.Empty;
    }

    /// <summary>The block's label.</summary>
    public string Label { get; }

    /// <summary>True when the END line is missing; false when the base64 is invalid.</summary>
    public bool MissingEnd { get; }
}
