using System.Text;

namespace Pki.Acme.Internal;

/// <summary>RFC 7468 textual encoding, for targets without System.Security.Cryptography.PemEncoding.</summary>
internal static class Pem
{
    public static string Encode(string label, ReadOnlySpan<byte> der)
    {
#if NET8_0_OR_GREATER
        return new string(System.Security.Cryptography.PemEncoding.Write(label, der)) + "\n";
#else
        var base64 = Convert.ToBase64String(der.ToArray());
        var sb = new StringBuilder(base64.Length + 80);
        sb.Append("-----BEGIN ").Append(label).Append("-----\n");
        for (var i = 0; i < base64.Length; i += 64)
        {
            sb.Append(base64, i, Math.Min(64, base64.Length - i)).Append('\n');
        }

        sb.Append("-----END ").Append(label).Append("-----\n");
        return sb.ToString();
#endif
    }

    /// <summary>Every block with the given label, in order; throws <see cref="FormatException"/> on a broken block.</summary>
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
                throw new FormatException($"PEM block '{label}' at offset {start} has no END line.");
            }

            var body = text.Substring(bodyStart, stop - bodyStart);
            try
            {
                blocks.Add(Convert.FromBase64String(body.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal).Trim()));
            }
            catch (FormatException ex)
            {
                throw new FormatException($"PEM block '{label}' at offset {start} is not valid base64.", ex);
            }

            position = stop + end.Length;
        }
    }

    /// <summary>The labels of the BEGIN lines in <paramref name="text"/>.</summary>
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
}
