using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Pki.Shared.Arithmetic;

/// <summary>A 256-bit unsigned integer in four 64-bit little-endian limbs (L0 the least significant), as a plain value.</summary>
internal readonly struct U256
{
    public readonly ulong L0;
    public readonly ulong L1;
    public readonly ulong L2;
    public readonly ulong L3;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public U256(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        L0 = l0;
        L1 = l1;
        L2 = l2;
        L3 = l3;
    }

    /// <summary>Reads the first 32 bytes as a big-endian integer (SEC1, RFC 6979 <c>int2octets</c>).</summary>
    public static U256 FromBigEndian(ReadOnlySpan<byte> bytes)
    {
        CheckLength(bytes.Length);
        return new U256(
            BinaryPrimitives.ReadUInt64BigEndian(bytes.Slice(24)),
            BinaryPrimitives.ReadUInt64BigEndian(bytes.Slice(16)),
            BinaryPrimitives.ReadUInt64BigEndian(bytes.Slice(8)),
            BinaryPrimitives.ReadUInt64BigEndian(bytes));
    }

    /// <summary>Reads the first 32 bytes as a little-endian integer (RFC 8032 scalars).</summary>
    public static U256 FromLittleEndian(ReadOnlySpan<byte> bytes)
    {
        CheckLength(bytes.Length);
        return new U256(
            BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(8)),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(16)),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(24)));
    }

    /// <summary>Writes the value as 32 big-endian bytes into the start of <paramref name="destination"/>.</summary>
    public void WriteBigEndian(Span<byte> destination)
    {
        CheckLength(destination.Length);
        BinaryPrimitives.WriteUInt64BigEndian(destination, L3);
        BinaryPrimitives.WriteUInt64BigEndian(destination.Slice(8), L2);
        BinaryPrimitives.WriteUInt64BigEndian(destination.Slice(16), L1);
        BinaryPrimitives.WriteUInt64BigEndian(destination.Slice(24), L0);
    }

    /// <summary>Writes the value as 32 little-endian bytes into the start of <paramref name="destination"/>.</summary>
    public void WriteLittleEndian(Span<byte> destination)
    {
        CheckLength(destination.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(destination, L0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(8), L1);
        BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(16), L2);
        BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(24), L3);
    }

    /// <summary>1 when the value is zero, else 0, without a branch.</summary>
    public ulong IsZero() => Limbs.IsZero(L0 | L1 | L2 | L3);

    private static void CheckLength(int length)
    {
        // A length is public: this check never depends on a secret.
        if (length < 32)
        {
            throw new ArgumentException($"A 256-bit integer takes 32 bytes; the span has {length}.");
        }
    }
}
