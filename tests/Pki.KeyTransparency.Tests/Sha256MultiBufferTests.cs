using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pki.KeyTransparency.Merkle;

namespace Pki.KeyTransparency.Tests;

/// <summary>Differential tests of the multi-buffer SHA-256 paths against <see cref="SHA256.HashData(byte[])"/>.</summary>
public sealed class Sha256MultiBufferTests
{
    [Fact]
    public void Multi_buffer_digests_equal_SHA256_HashData_for_every_length_up_to_250()
    {
        Assert.True(Sha256MultiBuffer.IsSupported, "This machine has 256-bit vectors; the SIMD path must be the one tested.");
        var random = new Random(7);
        for (var length = 0; length <= 250; length++)
        {
            var blocks = Sha256MultiBuffer.PaddedBlocks(length);
            var laneSize = blocks * 64;
            var padded = new byte[Sha256MultiBuffer.Lanes * laneSize];
            var messages = new byte[Sha256MultiBuffer.Lanes][];
            for (var lane = 0; lane < Sha256MultiBuffer.Lanes; lane++)
            {
                messages[lane] = new byte[length];
                random.NextBytes(messages[lane]);
                messages[lane].CopyTo(padded, lane * laneSize);
                Sha256MultiBuffer.WritePadding(padded.AsSpan(lane * laneSize, laneSize), length);
            }

            var digests = new byte[Sha256MultiBuffer.Lanes * 32];
            Sha256MultiBuffer.HashPadded(padded, blocks, digests);
            for (var lane = 0; lane < Sha256MultiBuffer.Lanes; lane++)
            {
                Assert.Equal(SHA256.HashData(messages[lane]), digests.AsSpan(lane * 32, 32).ToArray());
            }
        }
    }

    [Property(MaxTest = 100)]
    public Property Batched_nodes_and_leaves_equal_one_at_a_time_hashing() =>
        Prop.ForAll(
            (from count in Gen.Choose(0, 40)
             from seed in Gen.Choose(0, 100000)
             from leafLength in Gen.Choose(0, 300)
             from mixed in Gen.Elements(false, true)
             select (count, seed, leafLength, mixed)).ToArbitrary(),
            c =>
            {
                var random = new Random(c.seed);
                var children = new byte[c.count * 64];
                random.NextBytes(children);
                var leaves = Enumerable.Range(0, c.count).Select(i => { var b = new byte[c.mixed ? random.Next(0, 300) : c.leafLength]; random.NextBytes(b); return (ReadOnlyMemory<byte>)b; }).ToArray();
                foreach (var hasher in new MerkleTreeHasher[] { Rfc9162TreeHasher.Sha256, KeyTransparencyLogHasher.Sha256 })
                {
                    foreach (var areLeaves in new[] { false, true })
                    {
                        var batch = new byte[c.count * 32];
                        hasher.HashChildrenBatchCore(children, c.count, areLeaves, batch);
                        for (var i = 0; i < c.count; i++)
                        {
                            var one = new byte[32];
                            hasher.HashChildren(children.AsSpan(i * 64, 32), areLeaves, children.AsSpan((i * 64) + 32, 32), areLeaves, one);
                            if (!one.AsSpan().SequenceEqual(batch.AsSpan(i * 32, 32)))
                            {
                                return false;
                            }
                        }
                    }

                    var leafBatch = new byte[c.count * 32];
                    hasher.HashLeavesBatchCore(leaves, leafBatch);
                    for (var i = 0; i < c.count; i++)
                    {
                        if (!hasher.HashLeaf(leaves[i].Span).AsSpan().SequenceEqual(leafBatch.AsSpan(i * 32, 32)))
                        {
                            return false;
                        }
                    }
                }

                return true;
            });

    [Fact]
    public void Rfc9162_node_is_sha256_of_prefix_and_children()
    {
        var left = SHA256.HashData("l"u8);
        var right = SHA256.HashData("r"u8);
        var node = new byte[32];
        Rfc9162TreeHasher.Sha256.HashChildren(left, true, right, true, node);
        Assert.Equal(SHA256.HashData([0x01, .. left, .. right]), node);
        Assert.Equal(SHA256.HashData([0x00, .. "abc"u8]), Rfc9162TreeHasher.Sha256.HashLeaf("abc"u8));
    }
}

/// <summary>The netstandard2.1 fallbacks (compiled on every target so they can be tested here).</summary>
public sealed class PortableFallbackTests
{
    [Property(MaxTest = 500)]
    public Property Portable_bit_helpers_and_128_bit_product_equal_the_intrinsics() =>
        Prop.ForAll(
            (from hi in Gen.Choose(int.MinValue, int.MaxValue)
             from lo in Gen.Choose(int.MinValue, int.MaxValue)
             from hi2 in Gen.Choose(int.MinValue, int.MaxValue)
             from lo2 in Gen.Choose(int.MinValue, int.MaxValue)
             from shift in Gen.Choose(0, 63)
             select ((((ulong)(uint)hi << 32) | (uint)lo) >> shift, ((ulong)(uint)hi2 << 32) | (uint)lo2)).ToArbitrary(),
            v =>
            {
                var (a, b) = v;
                var product = Pki.Shared.Edwards25519.U128.MulPortable(a, b);
                var expectedHi = Math.BigMul(a, b, out var expectedLo);
                return product.Hi == expectedHi && product.Lo == expectedLo
                    && BitMath.PopCountPortable(a) == System.Numerics.BitOperations.PopCount(a)
                    && BitMath.TrailingZeroCountPortable(a) == System.Numerics.BitOperations.TrailingZeroCount(a)
                    && (a == 0 || BitMath.Log2Portable(a) == System.Numerics.BitOperations.Log2(a));
            });
}
