using System.Text;

namespace Pki.Smime.Internal;

/// <summary>RFC 7468 textual encoding: finds one labelled block and decodes its base64.</summary>
internal static class Pem
{
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

    /// <summary>Decodes the first block whose label is one of <paramref name="labels"/>.</summary>
    /// <exception cref="SmimeFormatException">No such block, or its base64 is invalid.</exception>
    public static byte[] Decode(string text, string what, params string[] labels)
    {
        foreach (var label in labels)
        {
            var begin = $"-----BEGIN {label}-----";
            var start = text.IndexOf(begin, StringComparison.Ordinal);
            if (start < 0)
            {
                continue;
            }

            var end = text.IndexOf($"-----END {label}-----", start, StringComparison.Ordinal);
            if (end < 0)
            {
                throw new SmimeFormatException($"The {what} PEM block '{label}' has no END line.");
            }

            var body = text.Substring(start + begin.Length, end - start - begin.Length);
            try
            {
                return Convert.FromBase64String(body);
            }
            catch (FormatException ex)
            {
                throw new SmimeFormatException($"The {what} PEM block '{label}' is not valid base64.", ex);
            }
        }

        throw new SmimeFormatException($"The {what} text has no PEM block labelled {string.Join(" or ", labels.Select(l => $"'{l}'"))}.");
    }

    /// <summary>Decodes PEM bytes or returns DER bytes unchanged.</summary>
    public static byte[] DerOrPem(ReadOnlySpan<byte> data, string what, params string[] labels) =>
        LooksLikePem(data) ? Decode(Encoding.UTF8.GetString(data.ToArray()), what, labels) : data.ToArray();

    /// <summary>Encodes DER as a PEM block with 64-character lines.</summary>
    public static string Encode(string label, ReadOnlySpan<byte> der)
    {
        var base64 = Convert.ToBase64String(der.ToArray());
        var builder = new StringBuilder(base64.Length + 80);
        builder.Append("-----BEGIN ").Append(label).Append("-----\n");
        for (var i = 0; i < base64.Length; i += 64)
        {
            builder.Append(base64, i, Math.Min(64, base64.Length - i)).Append('\n');
        }

        return builder.Append("-----END ").Append(label).Append("-----\n").ToString();
    }
}
