#if NET8_0_OR_GREATER
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pki.KeyTransparency.Merkle;

/// <summary>
/// Multi-buffer SHA-256 (FIPS 180-4 section 6.2): eight independent messages of the same padded
/// length hashed at once, one message per 32-bit lane of a <see cref="Vector256{T}"/>. The per-call
/// cost of <c>SHA256.HashData</c> dominates small Merkle node hashes; batching amortises it.
/// Differential-tested against <c>SHA256.HashData</c>.
/// </summary>
internal static class Sha256MultiBuffer
{
    public const int Lanes = 8;
    public const int BlockSize = 64;

    private static readonly uint[] K =
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    /// <summary>True when 256-bit vectors run in hardware; otherwise callers hash one message at a time.</summary>
    public static bool IsSupported => Vector256.IsHardwareAccelerated;

    /// <summary>Number of 64-byte blocks a message of <paramref name="messageLength"/> bytes needs once padded.</summary>
    public static int PaddedBlocks(int messageLength) => (messageLength + 9 + BlockSize - 1) / BlockSize;

    /// <summary>Writes the SHA-256 padding after a message of <paramref name="messageLength"/> bytes in <paramref name="lane"/>.</summary>
    public static void WritePadding(Span<byte> lane, int messageLength)
    {
        lane[messageLength] = 0x80;
        lane.Slice(messageLength + 1, lane.Length - messageLength - 9).Clear();
        BinaryPrimitives.WriteUInt64BigEndian(lane.Slice(lane.Length - 8), (ulong)messageLength * 8);
    }

    /// <summary>
    /// Hashes <see cref="Lanes"/> padded messages. <paramref name="padded"/> holds them lane after lane,
    /// each <paramref name="blocks"/> x 64 bytes; <paramref name="digests"/> receives 8 x 32 bytes.
    /// </summary>
    public static void HashPadded(ReadOnlySpan<byte> padded, int blocks, Span<byte> digests)
    {
        var a = Vector256.Create(0x6a09e667u);
        var b = Vector256.Create(0xbb67ae85u);
        var c = Vector256.Create(0x3c6ef372u);
        var d = Vector256.Create(0xa54ff53au);
        var e = Vector256.Create(0x510e527fu);
        var f = Vector256.Create(0x9b05688cu);
        var g = Vector256.Create(0x1f83d9abu);
        var h = Vector256.Create(0x5be0cd19u);
        Span<Vector256<uint>> w = stackalloc Vector256<uint>[64];
        var laneStride = blocks * BlockSize;
        for (var block = 0; block < blocks; block++)
        {
            var offset = block * BlockSize;
            for (var t = 0; t < 16; t++)
            {
                var o = offset + (4 * t);
                w[t] = Vector256.Create(
                    BinaryPrimitives.ReadUInt32BigEndian(padded.Slice(o)),
                    BinaryPrimitives.ReadUInt32BigEndian(padded.Slice(o + laneStride)),
                    BinaryPrimitives.ReadUInt32BigEndian(padded.Slice(o + (2 * laneStride))),
                    BinaryPrimitives.ReadUInt32BigEndian(padded.Slice(o + (3 * laneStride))),
                    BinaryPrimitives.ReadUInt32BigEndian(padded.Slice(o + (4 * laneStride))),
                    BinaryPrimitives.ReadUInt32BigEndian(padded.Slice(o + (5 * laneStride))),
                    BinaryPrimitives.ReadUInt32BigEndian(padded.Slice(o + (6 * laneStride))),
                    BinaryPrimitives.ReadUInt32BigEndian(padded.Slice(o + (7 * laneStride))));
            }

            for (var t = 16; t < 64; t++)
            {
                var w15 = w[t - 15];
                var w2 = w[t - 2];
                var s0 = SmallSigma0(w15);
                var s1 = SmallSigma1(w2);
                w[t] = w[t - 16] + s0 + w[t - 7] + s1;
            }

            var (a0, b0, c0, d0, e0, f0, g0, h0) = (a, b, c, d, e, f, g, h);
            for (var t = 0; t < 64; t++)
            {
                var t1 = h + BigSigma1(e) + ((e & f) ^ Vector256.AndNot(g, e)) + Vector256.Create(K[t]) + w[t];
                var t2 = BigSigma0(a) + ((a & b) ^ (a & c) ^ (b & c));
                h = g;
                g = f;
                f = e;
                e = d + t1;
                d = c;
                c = b;
                b = a;
                a = t1 + t2;
            }

            a += a0;
            b += b0;
            c += c0;
            d += d0;
            e += e0;
            f += f0;
            g += g0;
            h += h0;
        }

        for (var lane = 0; lane < Lanes; lane++)
        {
            var digest = digests.Slice(lane * 32, 32);
            BinaryPrimitives.WriteUInt32BigEndian(digest, a.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(digest.Slice(4), b.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(digest.Slice(8), c.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(digest.Slice(12), d.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(digest.Slice(16), e.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(digest.Slice(20), f.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(digest.Slice(24), g.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(digest.Slice(28), h.GetElement(lane));
        }
    }

    // FIPS 180-4 section 4.1.2; AVX-512VL rotates in one instruction, otherwise two shifts and an or.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> BigSigma0(Vector256<uint> x) => Avx512F.VL.IsSupported
        ? Avx512F.VL.RotateRight(x, 2) ^ Avx512F.VL.RotateRight(x, 13) ^ Avx512F.VL.RotateRight(x, 22)
        : Rotr(x, 2) ^ Rotr(x, 13) ^ Rotr(x, 22);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> BigSigma1(Vector256<uint> x) => Avx512F.VL.IsSupported
        ? Avx512F.VL.RotateRight(x, 6) ^ Avx512F.VL.RotateRight(x, 11) ^ Avx512F.VL.RotateRight(x, 25)
        : Rotr(x, 6) ^ Rotr(x, 11) ^ Rotr(x, 25);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> SmallSigma0(Vector256<uint> x) => Avx512F.VL.IsSupported
        ? Avx512F.VL.RotateRight(x, 7) ^ Avx512F.VL.RotateRight(x, 18) ^ Vector256.ShiftRightLogical(x, 3)
        : Rotr(x, 7) ^ Rotr(x, 18) ^ Vector256.ShiftRightLogical(x, 3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> SmallSigma1(Vector256<uint> x) => Avx512F.VL.IsSupported
        ? Avx512F.VL.RotateRight(x, 17) ^ Avx512F.VL.RotateRight(x, 19) ^ Vector256.ShiftRightLogical(x, 10)
        : Rotr(x, 17) ^ Rotr(x, 19) ^ Vector256.ShiftRightLogical(x, 10);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Rotr(Vector256<uint> x, int n) =>
        Vector256.ShiftRightLogical(x, n) | Vector256.ShiftLeft(x, 32 - n);
}
#endif
