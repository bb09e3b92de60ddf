using System.Security.Cryptography;
namespace Pki.KeyTransparency.Merkle;

/// <summary>
/// Batched SHA-256 of Merkle leaves and nodes: groups of eight go through
/// <c>Sha256MultiBuffer</c> when the CPU has 256-bit vectors, the rest through one-shot SHA-256.
/// </summary>
internal static class Sha256Batch
{
    private const int HashSize = 32; // SHA-256
    private const int MaxBatchedBlocks = 4;

    /// <summary>
    /// For each pair, hashes <c>firstTag || left || [secondTag ||] right</c>; <paramref name="secondTag"/>
    /// is -1 when there is no second tag (RFC 9162: <c>0x01 || left || right</c>).
    /// </summary>
    public static void HashPairs(ReadOnlySpan<byte> children, int count, byte firstTag, int secondTag, Span<byte> destination)
    {
        var messageLength = 1 + (2 * HashSize) + (secondTag >= 0 ? 1 : 0);
        var i = 0;
#if NET8_0_OR_GREATER
        if (Sha256MultiBuffer.IsSupported && count >= Sha256MultiBuffer.Lanes)
        {
            var blocks = Sha256MultiBuffer.PaddedBlocks(messageLength);
            var laneSize = blocks * Sha256MultiBuffer.BlockSize;
            Span<byte> lanes = stackalloc byte[Sha256MultiBuffer.Lanes * laneSize];
            for (var lane = 0; lane < Sha256MultiBuffer.Lanes; lane++)
            {
                var buffer = lanes.Slice(lane * laneSize, laneSize);
                buffer[0] = firstTag;
                if (secondTag >= 0)
                {
                    buffer[1 + HashSize] = (byte)secondTag;
                }

                Sha256MultiBuffer.WritePadding(buffer, messageLength);
            }

            for (; i + Sha256MultiBuffer.Lanes <= count; i += Sha256MultiBuffer.Lanes)
            {
                for (var lane = 0; lane < Sha256MultiBuffer.Lanes; lane++)
                {
                    var pair = children.Slice((i + lane) * 2 * HashSize, 2 * HashSize);
                    var buffer = lanes.Slice(lane * laneSize, laneSize);
                    if (secondTag >= 0)
                    {
                        pair.Slice(0, HashSize).CopyTo(buffer.Slice(1));
                        pair.Slice(HashSize).CopyTo(buffer.Slice(2 + HashSize));
                    }
                    else
                    {
                        pair.CopyTo(buffer.Slice(1));
                    }
                }

                Sha256MultiBuffer.HashPadded(lanes, blocks, destination.Slice(i * HashSize, Sha256MultiBuffer.Lanes * HashSize));
            }
        }
#endif
        Span<byte> message = stackalloc byte[messageLength];
        message[0] = firstTag;
        for (; i < count; i++)
        {
            var pair = children.Slice(i * 2 * HashSize, 2 * HashSize);
            if (secondTag >= 0)
            {
                pair.Slice(0, HashSize).CopyTo(message.Slice(1));
                message[1 + HashSize] = (byte)secondTag;
                pair.Slice(HashSize).CopyTo(message.Slice(2 + HashSize));
            }
            else
            {
                pair.CopyTo(message.Slice(1));
            }

            SHA256.HashData(message, destination.Slice(i * HashSize, HashSize));
        }
    }

    /// <summary>Hashes <c>[prefix ||] leaf</c> for each leaf; <paramref name="prefix"/> is -1 for none.</summary>
    public static void HashLeaves(ReadOnlySpan<ReadOnlyMemory<byte>> leaves, int prefix, Span<byte> destination)
    {
        var prefixLength = prefix >= 0 ? 1 : 0;
        var i = 0;
#if NET8_0_OR_GREATER
        if (Sha256MultiBuffer.IsSupported)
        {
            Span<byte> lanes = stackalloc byte[Sha256MultiBuffer.Lanes * MaxBatchedBlocks * Sha256MultiBuffer.BlockSize];
            while (i + Sha256MultiBuffer.Lanes <= leaves.Length)
            {
                var length = leaves[i].Length;
                var messageLength = prefixLength + length;
                var blocks = Sha256MultiBuffer.PaddedBlocks(messageLength);
                var sameLength = blocks <= MaxBatchedBlocks;
                for (var lane = 1; sameLength && lane < Sha256MultiBuffer.Lanes; lane++)
                {
                    sameLength = leaves[i + lane].Length == length;
                }

                if (!sameLength)
                {
                    HashLeaf(leaves[i].Span, prefix, destination.Slice(i * HashSize, HashSize));
                    i++;
                    continue;
                }

                var laneSize = blocks * Sha256MultiBuffer.BlockSize;
                for (var lane = 0; lane < Sha256MultiBuffer.Lanes; lane++)
                {
                    var buffer = lanes.Slice(lane * laneSize, laneSize);
                    if (prefix >= 0)
                    {
                        buffer[0] = (byte)prefix;
                    }

                    leaves[i + lane].Span.CopyTo(buffer.Slice(prefixLength));
                    Sha256MultiBuffer.WritePadding(buffer, messageLength);
                }

                Sha256MultiBuffer.HashPadded(lanes.Slice(0, Sha256MultiBuffer.Lanes * laneSize), blocks, destination.Slice(i * HashSize, Sha256MultiBuffer.Lanes * HashSize));
                i += Sha256MultiBuffer.Lanes;
            }
        }
#endif
        for (; i < leaves.Length; i++)
        {
            HashLeaf(leaves[i].Span, prefix, destination.Slice(i * HashSize, HashSize));
        }
    }

    /// <summary>Hashes <c>[prefix ||] leaf</c> once.</summary>
    public static void HashLeaf(ReadOnlySpan<byte> leaf, int prefix, Span<byte> destination)
    {
        if (prefix < 0)
        {
            SHA256.HashData(leaf, destination);
            return;
        }

        const int StackLimit = 512;
        var length = leaf.Length + 1;
        var message = length <= StackLimit ? stackalloc byte[StackLimit] : new byte[length];
        message = message.Slice(0, length);
        message[0] = (byte)prefix;
        leaf.CopyTo(message.Slice(1));
        SHA256.HashData(message, destination);
    }
}
