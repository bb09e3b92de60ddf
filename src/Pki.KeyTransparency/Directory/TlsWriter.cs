using System.Buffers.Binary;

namespace Pki.KeyTransparency.Directory;

/// <summary>
/// Writes the TLS presentation language (RFC 8446 section 3) as draft-ietf-keytrans-protocol section 2.1
/// uses it: big-endian integers, fixed-size opaque arrays, variable-length vectors whose length prefix
/// counts elements (the draft's <c>&lt;floor..ceiling&gt;</c> counts elements, not bytes) and is as wide as
/// the ceiling needs, and <c>optional&lt;T&gt;</c> as a presence octet.
/// </summary>
internal sealed class TlsWriter
{
    private byte[] _buffer;
    private int _length;

    /// <summary>Creates a writer with room for <paramref name="capacity"/> bytes before it grows.</summary>
    /// <param name="capacity">Initial capacity in bytes.</param>
    public TlsWriter(int capacity = 256) => _buffer = new byte[Math.Max(capacity, 16)];

    /// <summary>Number of bytes written so far.</summary>
    public int Length => _length;

    /// <summary>Writes a <c>uint8</c>.</summary>
    /// <param name="value">The value.</param>
    public void WriteUInt8(byte value) => Reserve(1)[0] = value;

    /// <summary>Writes a big-endian <c>uint16</c>.</summary>
    /// <param name="value">The value.</param>
    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), value);

    /// <summary>Writes a big-endian <c>uint32</c>.</summary>
    /// <param name="value">The value.</param>
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), value);

    /// <summary>Writes a big-endian <c>uint64</c>.</summary>
    /// <param name="value">The value.</param>
    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Reserve(8), value);

    /// <summary>Writes an optional <c>uint32</c> (section 2.1.1): a presence byte, then the value when present.</summary>
    /// <param name="value">The value, or null.</param>
    public void WriteOptionalUInt32(uint? value)
    {
        WriteUInt8(value.HasValue ? (byte)1 : (byte)0);
        if (value is { } present)
        {
            WriteUInt32(present);
        }
    }

    /// <summary>Writes an optional <c>uint64</c> (section 2.1.1): a presence byte, then the value when present.</summary>
    /// <param name="value">The value, or null.</param>
    public void WriteOptionalUInt64(ulong? value)
    {
        WriteUInt8(value.HasValue ? (byte)1 : (byte)0);
        if (value is { } present)
        {
            WriteUInt64(present);
        }
    }

    /// <summary>Writes a fixed-size <c>opaque x[N]</c>; the caller has checked the size.</summary>
    /// <param name="bytes">The bytes.</param>
    public void WriteFixed(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    /// <summary>Writes <c>opaque x&lt;0..2^(8*prefixBytes)-1&gt;</c>: the length in <paramref name="prefixBytes"/> bytes, then the bytes.</summary>
    /// <param name="bytes">The vector's contents.</param>
    /// <param name="prefixBytes">1, 2 or 4.</param>
    /// <param name="field">The field's name for the error message.</param>
    /// <exception cref="ArgumentException">The vector is longer than the prefix can state.</exception>
    public void WriteOpaque(ReadOnlySpan<byte> bytes, int prefixBytes, string field)
    {
        WriteCount(bytes.Length, prefixBytes, field);
        WriteFixed(bytes);
    }

    /// <summary>Writes a vector's element count in <paramref name="prefixBytes"/> bytes.</summary>
    /// <param name="count">Number of elements.</param>
    /// <param name="prefixBytes">1, 2 or 4.</param>
    /// <param name="field">The field's name for the error message.</param>
    /// <exception cref="ArgumentException">The count does not fit.</exception>
    public void WriteCount(long count, int prefixBytes, string field)
    {
        var max = prefixBytes == 4 ? uint.MaxValue : (1UL << (8 * prefixBytes)) - 1;
        if (count < 0 || (ulong)count > max)
        {
            throw new ArgumentException($"{field} holds {count} elements; its encoding allows at most {max}.", field);
        }

        switch (prefixBytes)
        {
            case 1: WriteUInt8((byte)count); break;
            case 2: WriteUInt16((ushort)count); break;
            default: WriteUInt32((uint)count); break;
        }
    }

    /// <summary>The bytes written so far, as a new array.</summary>
    /// <returns>A copy of the written bytes.</returns>
    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }

        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
