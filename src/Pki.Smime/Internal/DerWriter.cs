namespace Pki.Smime.Internal;

/// <summary>
/// Concatenates already-encoded DER elements under a new tag (X.690 section 8.1: identifier, definite
/// length, contents). Used on the signing path so that encoded names, keys and extension values are
/// copied as bytes rather than parsed and re-encoded.
/// </summary>
internal static class DerWriter
{
    public const byte Sequence = 0x30;
    public const byte Integer = 0x02;
    public const byte BitString = 0x03;
    public const byte OctetString = 0x04;

    /// <summary>Tag, length and the concatenation of <paramref name="parts"/>.</summary>
    public static byte[] Wrap(byte tag, params byte[][] parts)
    {
        var contentLength = 0;
        foreach (var part in parts)
        {
            contentLength += part.Length;
        }

        var result = new byte[1 + LengthOfLength(contentLength) + contentLength];
        result[0] = tag;
        var offset = 1 + WriteLength(result.AsSpan(1), contentLength);
        foreach (var part in parts)
        {
            part.CopyTo(result, offset);
            offset += part.Length;
        }

        return result;
    }

    /// <summary>A BIT STRING with no unused bits.</summary>
    public static byte[] BitStringOf(byte[] value)
    {
        var contents = new byte[value.Length + 1];
        value.CopyTo(contents, 1);
        return Wrap(BitString, contents);
    }

    private static int LengthOfLength(int length) => length < 0x80 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : length < 0x1000000 ? 4 : 5;

    private static int WriteLength(Span<byte> destination, int length)
    {
        var size = LengthOfLength(length);
        if (size == 1)
        {
            destination[0] = (byte)length;
            return 1;
        }

        destination[0] = (byte)(0x80 | (size - 1));
        for (var i = size - 1; i >= 1; i--)
        {
            destination[i] = (byte)length;
            length >>= 8;
        }

        return size;
    }
}
