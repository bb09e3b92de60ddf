namespace Pki.Smime.Internal;

/// <summary>One DER element inside a buffer: tag, where its header starts and where its contents lie (X.690 8.1).</summary>
internal readonly struct DerElement(byte tag, int start, int contentStart, int contentLength)
{
    public byte Tag { get; } = tag;

    /// <summary>Offset of the identifier octet.</summary>
    public int Start { get; } = start;

    public int ContentStart { get; } = contentStart;

    public int ContentLength { get; } = contentLength;

    /// <summary>Offset just after the element.</summary>
    public int End => ContentStart + ContentLength;

    public int Length => End - Start;

    public byte[] Encoded(byte[] buffer) => buffer.AsSpan(Start, Length).ToArray();

    public ReadOnlySpan<byte> Contents(byte[] buffer) => buffer.AsSpan(ContentStart, ContentLength);
}

/// <summary>
/// Walks DER elements by offset so that the linter can take fields as the exact bytes of the input
/// (no re-encoding) and parse only what it inspects. Single-byte tags only (enough for X.509);
/// indefinite or over-long lengths are refused (DER, X.690 section 10.1).
/// </summary>
internal static class DerReader
{
    /// <summary>Reads the element at <paramref name="offset"/>, which must end by <paramref name="limit"/>.</summary>
    public static DerElement Read(byte[] buffer, int offset, int limit)
    {
        if (offset + 2 > limit)
        {
            throw new FormatException($"truncated DER element at offset {offset}");
        }

        var tag = buffer[offset];
        if ((tag & 0x1F) == 0x1F)
        {
            throw new FormatException($"multi-byte tag at offset {offset}");
        }

        int length = buffer[offset + 1];
        var contentStart = offset + 2;
        if (length >= 0x80)
        {
            var count = length & 0x7F;
            if (count == 0 || count > 4 || contentStart + count > limit)
            {
                throw new FormatException($"indefinite or unsupported length at offset {offset}");
            }

            length = 0;
            for (var i = 0; i < count; i++)
            {
                length = (length << 8) | buffer[contentStart + i];
            }

            if (length < 0x80 || (count > 1 && buffer[contentStart] == 0))
            {
                throw new FormatException($"non-minimal length at offset {offset}");
            }

            contentStart += count;
        }

        if (length < 0 || contentStart + length > limit)
        {
            throw new FormatException($"length {length} at offset {offset} runs past the end of its container");
        }

        return new DerElement(tag, offset, contentStart, length);
    }

    /// <summary>Reads the element at <paramref name="offset"/> and checks its tag.</summary>
    public static DerElement Read(byte[] buffer, int offset, int limit, byte expectedTag, string what)
    {
        var element = Read(buffer, offset, limit);
        if (element.Tag != expectedTag)
        {
            throw new FormatException($"{what} has tag 0x{element.Tag:x2}, expected 0x{expectedTag:x2}");
        }

        return element;
    }

    /// <summary>The elements directly inside a constructed element.</summary>
    public static List<DerElement> Children(byte[] buffer, DerElement parent)
    {
        var children = new List<DerElement>();
        for (var offset = parent.ContentStart; offset < parent.End;)
        {
            var child = Read(buffer, offset, parent.End);
            children.Add(child);
            offset = child.End;
        }

        return children;
    }

    /// <summary>The dotted form of OBJECT IDENTIFIER contents (X.690 section 8.19).</summary>
    public static string ObjectIdentifier(ReadOnlySpan<byte> contents)
    {
        if (contents.IsEmpty || (contents[^1] & 0x80) != 0)
        {
            throw new FormatException("an OBJECT IDENTIFIER is empty or its last subidentifier is unfinished");
        }

        var text = new System.Text.StringBuilder(contents.Length * 3);
        ulong value = 0;
        var first = true;
        for (var i = 0; i < contents.Length; i++)
        {
            if (value == 0 && contents[i] == 0x80)
            {
                throw new FormatException("an OBJECT IDENTIFIER subidentifier has a leading 0x80 octet");
            }

            if (value > (ulong.MaxValue >> 7))
            {
                throw new FormatException("an OBJECT IDENTIFIER subidentifier is too large");
            }

            value = (value << 7) | (uint)(contents[i] & 0x7F);
            if ((contents[i] & 0x80) != 0)
            {
                continue;
            }

            if (first)
            {
                var arc = value < 80 ? value / 40 : 2;
                text.Append(arc).Append('.').Append(value - (arc * 40));
                first = false;
            }
            else
            {
                text.Append('.').Append(value);
            }

            value = 0;
        }

        return text.ToString();
    }
}
