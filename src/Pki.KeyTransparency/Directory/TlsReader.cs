using System.Buffers.Binary;

namespace Pki.KeyTransparency.Directory;

/// <summary>
/// Reads what <see cref="TlsWriter"/> writes. Every shortfall, bad presence octet or trailing byte is a
/// <see cref="DirectoryProofException"/> with <see cref="DirectoryProofFailure.Malformed"/> naming the
/// structure, the field and the offset.
/// </summary>
internal ref struct TlsReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _structure;
    private int _offset;

    /// <summary>Creates a reader over an encoded <paramref name="structure"/>.</summary>
    /// <param name="data">The encoding.</param>
    /// <param name="structure">The structure's name (e.g. <c>PrefixProof</c>) for error messages.</param>
    public TlsReader(ReadOnlySpan<byte> data, string structure)
    {
        _data = data;
        _structure = structure;
        _offset = 0;
    }

    /// <summary>Reads a <c>uint8</c>.</summary>
    /// <param name="field">The field's name for the error message.</param>
    /// <returns>The value.</returns>
    public byte ReadUInt8(string field) => Take(1, field)[0];

    /// <summary>Reads a big-endian <c>uint16</c>.</summary>
    /// <param name="field">The field's name for the error message.</param>
    /// <returns>The value.</returns>
    public ushort ReadUInt16(string field) => BinaryPrimitives.ReadUInt16BigEndian(Take(2, field));

    /// <summary>Reads a big-endian <c>uint32</c>.</summary>
    /// <param name="field">The field's name for the error message.</param>
    /// <returns>The value.</returns>
    public uint ReadUInt32(string field) => BinaryPrimitives.ReadUInt32BigEndian(Take(4, field));

    /// <summary>Reads a big-endian <c>uint64</c>.</summary>
    /// <param name="field">The field's name for the error message.</param>
    /// <returns>The value.</returns>
    public ulong ReadUInt64(string field) => BinaryPrimitives.ReadUInt64BigEndian(Take(8, field));

    /// <summary>Reads a fixed-size <c>opaque x[N]</c>.</summary>
    /// <param name="length">N.</param>
    /// <param name="field">The field's name for the error message.</param>
    /// <returns>A new array of <paramref name="length"/> bytes.</returns>
    public byte[] ReadFixed(int length, string field) => Take(length, field).ToArray();

    /// <summary>Reads a variable-length opaque vector.</summary>
    /// <param name="prefixBytes">Width of the length prefix: 1, 2 or 4.</param>
    /// <param name="field">The field's name for the error message.</param>
    /// <returns>The vector's contents.</returns>
    public byte[] ReadOpaque(int prefixBytes, string field) => ReadFixed(ReadCount(prefixBytes, field), field);

    /// <summary>Reads a vector's element count.</summary>
    /// <param name="prefixBytes">1, 2 or 4.</param>
    /// <param name="field">The field's name for the error message.</param>
    /// <returns>The count.</returns>
    public int ReadCount(int prefixBytes, string field)
    {
        ulong count = prefixBytes switch
        {
            1 => ReadUInt8(field),
            2 => ReadUInt16(field),
            _ => ReadUInt32(field),
        };
        if (count > (ulong)(_data.Length - _offset))
        {
            throw Fail(field, $"states {count} elements but only {_data.Length - _offset} bytes remain; the encoding is truncated");
        }

        return (int)count;
    }

    /// <summary>Reads the presence octet of an <c>optional&lt;T&gt;</c> (section 2.1.1: anything but 0 or 1 is malformed).</summary>
    /// <param name="field">The field's name for the error message.</param>
    /// <returns>True when the value follows.</returns>
    public bool ReadPresence(string field)
    {
        var at = _offset;
        var present = ReadUInt8(field);
        return present switch
        {
            0 => false,
            1 => true,
            _ => throw Fail(field, $"has presence octet {present} at offset {at}; only 0 and 1 are allowed"),
        };
    }

    /// <summary>Checks that every byte was consumed.</summary>
    /// <exception cref="DirectoryProofException">Bytes remain.</exception>
    public readonly void End()
    {
        if (_offset != _data.Length)
        {
            throw new DirectoryProofException(DirectoryProofFailure.Malformed, $"{_structure} has {_data.Length - _offset} trailing bytes after offset {_offset}.");
        }
    }

    /// <summary>An exception for <paramref name="field"/> at the current offset.</summary>
    /// <param name="field">The offending field.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <returns>The exception to throw.</returns>
    public readonly DirectoryProofException Fail(string field, string problem) =>
        new(DirectoryProofFailure.Malformed, $"{_structure}.{field} {problem} (offset {_offset}).");

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count > _data.Length - _offset)
        {
            throw Fail(field, $"needs {count} bytes but only {_data.Length - _offset} remain; the encoding is truncated");
        }

        var span = _data.Slice(_offset, count);
        _offset += count;
        return span;
    }
}
