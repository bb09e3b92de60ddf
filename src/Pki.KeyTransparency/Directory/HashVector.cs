namespace Pki.KeyTransparency.Directory;

/// <summary>Reads and writes <c>HashValue elements&lt;0..2^16-1&gt;</c> (draft-ietf-keytrans-protocol section 12.1), shared by the log and prefix tree proofs.</summary>
internal static class HashVector
{
    /// <summary>Writes the element count (2 bytes), then each <c>Hash.Nh</c>-byte value.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="elements">The values, each <see cref="KeyTransparencyCipherSuite.HashSize"/> bytes.</param>
    /// <param name="field">The field's name for error messages.</param>
    /// <exception cref="ArgumentException">An element has the wrong size, or there are more than 65535.</exception>
    public static void Write(TlsWriter writer, IReadOnlyList<byte[]> elements, string field)
    {
        writer.WriteCount(elements.Count, 2, field);
        for (var i = 0; i < elements.Count; i++)
        {
            if (elements[i].Length != KeyTransparencyCipherSuite.HashSize)
            {
                throw new ArgumentException($"{field}[{i}] is {elements[i].Length} bytes; a HashValue is {KeyTransparencyCipherSuite.HashSize}.", field);
            }

            writer.WriteFixed(elements[i]);
        }
    }

    /// <summary>Reads what <see cref="Write"/> writes.</summary>
    /// <param name="reader">The source.</param>
    /// <param name="field">The field's name for error messages.</param>
    /// <returns>The values.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.Malformed"/>: truncated.</exception>
    public static byte[][] Read(ref TlsReader reader, string field)
    {
        var count = reader.ReadCount(2, field);
        var elements = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            elements[i] = reader.ReadFixed(KeyTransparencyCipherSuite.HashSize, $"{field}[{i}]");
        }

        return elements;
    }
}
