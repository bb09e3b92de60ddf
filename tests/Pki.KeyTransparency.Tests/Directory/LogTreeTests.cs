using System.Buffers.Binary;
using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pki.KeyTransparency.Directory;
using Pki.KeyTransparency.Merkle;
using static Pki.KeyTransparency.Tests.Directory.DirectoryAssert;

namespace Pki.KeyTransparency.Tests.Directory;

/// <summary>The log tree of draft-ietf-keytrans-protocol sections 3.2, 5.7 and 6.1.</summary>
public sealed class LogTreeTests
{
    private static MerkleLog LogOf(int size, out List<byte[]> entries)
    {
        var log = new MerkleLog(KeyTransparencyLogHasher.Sha256);
        entries = [];
        for (var i = 0; i < size; i++)
        {
            var entry = KeyTransparencyLogHasher.EncodeLogEntry((ulong)(1_700_000_000_000 + i), Key(i));
            entries.Add(entry);
            log.Append(entry);
        }

        return log;
    }

    private static Dictionary<long, byte[]> Leaves(MerkleLog log, IEnumerable<long> indices) =>
        indices.Distinct().ToDictionary(i => i, log.GetLeafHash);

    [Fact]
    public void Leaf_value_is_the_hash_of_the_log_entry_and_the_root_matches_the_literal_reference()
    {
        var root = Key(5);
        byte[] entry = [.. new byte[8], .. root];
        BinaryPrimitives.WriteUInt64BigEndian(entry, 1_234_567_890_123);
        Assert.Equal(SHA256.HashData(entry), LogTree.LeafValue(1_234_567_890_123, root));

        for (var size = 1; size <= 17; size++)
        {
            var log = LogOf(size, out var entries);
            Assert.Equal(ReferenceMerkle.Mth(KeyTransparencyLogHasher.Sha256, entries), log.GetRoot());
        }
    }

    [Fact]
    public void Full_subtrees_are_the_set_bits_of_the_size_left_to_right()
    {
        Assert.Empty(LogTree.FullSubtrees(0));
        Assert.Equal([(0L, 4L), (4L, 1L)], LogTree.FullSubtrees(5));
        Assert.Equal([(0L, 8L), (8L, 4L), (12L, 2L)], LogTree.FullSubtrees(14));
        var log = LogOf(7, out _);
        var values = LogTree.FullSubtreeValues(log, 7);
        Assert.Equal(3, values.Length);
        Assert.Equal(log.GetLeafHash(6), values[2]);
    }

    // The draft's figure "Illustration of an inclusion proof": leaf 2 of 6 needs the heads of leaves
    // 0-1, leaf 3 and leaves 4-5, left to right.
    [Fact]
    public void Inclusion_proof_of_the_draft_figure_holds_the_three_marked_nodes()
    {
        var log = LogOf(6, out _);
        var proof = LogTree.Prove(log, 6, [2], 0);
        Assert.Equal(3, proof.Elements.Count);
        Assert.Equal(log.GetLeafHash(3), proof.Elements[1]);
        LogTree.Verify(6, Leaves(log, [2]), 0, [], proof, log.GetRoot());
    }

    // Unlike RFC 9162, the non-balanced right subtree 4..6 of a 7-leaf tree is broken down into 4-5 and 6.
    [Fact]
    public void Inclusion_proof_breaks_non_balanced_subtrees_into_balanced_ones()
    {
        var log = LogOf(7, out _);
        var proof = LogTree.Prove(log, 7, [2], 0);
        Assert.Equal(4, proof.Elements.Count);
        Assert.Equal(3, log.GetInclusionProof(2, 7).Length / 32);
        Assert.Equal(log.GetLeafHash(6), proof.Elements[3]);
    }

    // The draft's figure "Illustration of a consistency proof between a log with 5 and with 7 leaves":
    // the verifier retained the heads of 0-3 and 4, and the proof holds leaves 5 and 6.
    [Fact]
    public void Consistency_proof_of_the_draft_figure_holds_leaves_5_and_6()
    {
        var log = LogOf(7, out _);
        var proof = LogTree.Prove(log, 7, [], 5);
        Assert.Equal([log.GetLeafHash(5), log.GetLeafHash(6)], proof.Elements);
        LogTree.Verify(7, Leaves(log, []), 5, LogTree.FullSubtreeValues(log, 5), proof, log.GetRoot());
    }

    [Fact]
    public void A_proof_through_a_retained_subtree_must_recompute_the_retained_value()
    {
        var log = LogOf(12, out _);
        var retained = LogTree.FullSubtreeValues(log, 8);
        var proof = LogTree.Prove(log, 12, [3], 8);
        LogTree.Verify(12, Leaves(log, [3]), 8, retained, proof, log.GetRoot());

        var forgedRetained = new[] { FlipBit(retained[0], 9) };
        Throws(() => LogTree.Verify(12, Leaves(log, [3]), 8, forgedRetained, proof, log.GetRoot()), "the retained value is", DirectoryProofFailure.RetainedValueMismatch);
    }

    [Property(MaxTest = 200)]
    public Property Batched_proofs_verify_for_random_trees_leaves_and_retained_sizes() =>
        Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            var log = LogOf(c.Size, out _);
            var proof = LogTree.Prove(log, c.Size, c.Leaves, c.Retained);
            var decoded = LogTreeInclusionProof.Decode(proof.Encode());
            var root = LogTree.ComputeRoot(c.Size, Leaves(log, c.Leaves), c.Retained, c.Retained == 0 ? [] : LogTree.FullSubtreeValues(log, c.Retained), decoded);
            return root.AsSpan().SequenceEqual(log.GetRoot(c.Size));
        });

    // Section 6.1: with an AuditorTreeHead the proof also lets the user compute the root at its size.
    [Property(MaxTest = 200)]
    public Property Batched_proofs_with_an_additional_size_give_both_roots() =>
        Prop.ForAll(Cases().SelectMany(c => Gen.Choose(1, c.Size).Select(a => (c, a))).ToArbitrary(), t =>
        {
            var (c, additional) = t;
            var log = LogOf(c.Size, out _);
            var retained = c.Retained == 0 ? [] : LogTree.FullSubtreeValues(log, c.Retained);
            var proof = LogTree.Prove(log, c.Size, c.Leaves, c.Retained, additional);
            var (root, additionalRoot) = LogTree.ComputeRoots(c.Size, Leaves(log, c.Leaves), c.Retained, retained, proof, additional);
            Assert.Equal(log.GetRoot(c.Size), root);
            Assert.Equal(log.GetRoot(additional), additionalRoot);

            // Every element matters: flipping any bit changes a root or contradicts a known value.
            for (var i = 0; i < proof.Elements.Count; i++)
            {
                var tampered = proof.Elements.ToList();
                tampered[i] = FlipBit(tampered[i], c.Seed);
                var rejected = Rejects(
                    () =>
                    {
                        var (r, a) = LogTree.ComputeRoots(c.Size, Leaves(log, c.Leaves), c.Retained, retained, new LogTreeInclusionProof(tampered), additional);
                        if (r.AsSpan().SequenceEqual(log.GetRoot(c.Size)) && a.AsSpan().SequenceEqual(log.GetRoot(additional)))
                        {
                            return;
                        }

                        throw new DirectoryProofException(DirectoryProofFailure.RootMismatch, "One of the two roots differs from the log's.");
                    },
                    DirectoryProofFailure.RootMismatch,
                    DirectoryProofFailure.RetainedValueMismatch);
                Assert.True(rejected, $"element {i} of {proof.Elements.Count} flipped was accepted");
            }

            return true;
        });

    // The draft's consistency figure with an auditor at size 6: the auditor's full subtrees are 0..3 and
    // 4..5. The head of 0..3 is given although the user retained it (the draft author's BatchCopath
    // includes every additional-size head) and must match; 4..5 is recomputed from retained leaf 4 and
    // the given leaf 5; leaf 6 is given as before.
    [Fact]
    public void Additional_size_heads_are_given_whole()
    {
        var log = LogOf(7, out _);
        var proof = LogTree.Prove(log, 7, [], 5, 6);
        Assert.Equal(3, proof.Elements.Count);
        var (root, additionalRoot) = LogTree.ComputeRoots(7, Leaves(log, []), 5, LogTree.FullSubtreeValues(log, 5), proof, 6);
        Assert.Equal(log.GetRoot(), root);
        Assert.Equal(log.GetRoot(6), additionalRoot);
        Throws(() => LogTree.ComputeRoots(7, Leaves(log, []), 5, LogTree.FullSubtreeValues(log, 5), proof, 8), "additional size 8", DirectoryProofFailure.TreeSizeInvalid);
    }

    private static Gen<(int Size, long[] Leaves, int Retained, int Seed)> Cases() =>
        from size in Gen.Choose(1, 80)
        from retained in Gen.Choose(0, size)
        from count in Gen.Choose(0, 4)
        from leaves in Gen.ArrayOf(Gen.Choose(0, size - 1).Select(i => (long)i), count)
        from seed in Gen.Choose(0, int.MaxValue)
        select (size, leaves, retained, seed);

    public enum TamperKind
    {
        FlipElementBit,
        Truncate,
        Append,
        SwapElements,
        WrongLeafValue,
        WrongRetainedValue,
        LeafIndexMoved,
    }

    [Property(MaxTest = 300)]
    public Property Any_tampered_log_proof_is_rejected_with_a_reason() =>
        Prop.ForAll(Cases().SelectMany(c => Gen.Elements(Enum.GetValues<TamperKind>()).Select(k => (c, k))).ToArbitrary(), t =>
        {
            var (c, kind) = t;
            var size = c.Size + 1;
            var leaves = c.Leaves.Length == 0 ? [c.Seed % size] : c.Leaves;
            var log = LogOf(size, out _);
            var proof = LogTree.Prove(log, size, leaves, c.Retained);
            var elements = proof.Elements.ToList();
            var leafValues = Leaves(log, leaves);
            var retained = c.Retained == 0 ? [] : LogTree.FullSubtreeValues(log, c.Retained);
            var random = new Random(c.Seed);
            switch (kind)
            {
                case TamperKind.FlipElementBit when elements.Count > 0:
                    var e = random.Next(elements.Count);
                    elements[e] = FlipBit(elements[e], random.Next());
                    break;
                case TamperKind.Truncate when elements.Count > 0:
                    elements.RemoveAt(random.Next(elements.Count));
                    break;
                case TamperKind.SwapElements when elements.Select(x => Convert.ToHexString(x)).Distinct().Count() > 1:
                    var other = elements.FindIndex(x => !x.AsSpan().SequenceEqual(elements[0]));
                    (elements[0], elements[other]) = (elements[other], elements[0]);
                    break;
                case TamperKind.WrongLeafValue:
                    var leaf = leafValues.Keys.First();
                    leafValues[leaf] = FlipBit(leafValues[leaf], random.Next());
                    break;
                case TamperKind.WrongRetainedValue when retained.Length > 0:
                    var r = random.Next(retained.Length);
                    retained[r] = FlipBit(retained[r], random.Next());
                    break;
                case TamperKind.LeafIndexMoved when size > 1:
                    var moved = leafValues.Keys.First();
                    var target = Enumerable.Range(0, size).Select(i => (long)i).First(i => !leafValues.ContainsKey(i) && i != moved);
                    leafValues[target] = leafValues[moved];
                    leafValues.Remove(moved);
                    break;
                default:
                    elements.Add(new byte[32]);
                    break;
            }

            return Rejects(
                () => LogTree.Verify(size, leafValues, c.Retained, retained, new LogTreeInclusionProof(elements), log.GetRoot()),
                DirectoryProofFailure.RootMismatch,
                DirectoryProofFailure.ProofLengthMismatch,
                DirectoryProofFailure.RetainedValueMismatch);
        });

    [Fact]
    public void Named_failures_carry_their_reason()
    {
        var log = LogOf(6, out _);
        var proof = LogTree.Prove(log, 6, [2], 0);
        var leaves = Leaves(log, [2]);
        var root = log.GetRoot();
        Throws(() => LogTree.Verify(6, leaves, 0, [], new LogTreeInclusionProof(proof.Elements.Take(2).ToList()), root), "ends after 2 elements; the head of leaves 4..5 is still needed", DirectoryProofFailure.ProofLengthMismatch);
        Throws(() => LogTree.Verify(6, leaves, 0, [], new LogTreeInclusionProof([.. proof.Elements, new byte[32]]), root), "has 4 elements; 3 are needed", DirectoryProofFailure.ProofLengthMismatch);
        Throws(() => LogTree.Verify(6, leaves, 0, [], new LogTreeInclusionProof([proof.Elements[1], proof.Elements[0], proof.Elements[2]]), root), "computes root", DirectoryProofFailure.RootMismatch);
        Throws(() => LogTree.Verify(6, leaves, 0, [], proof, log.GetRoot(5)), "the tree head says", DirectoryProofFailure.RootMismatch);
        Throws(() => LogTree.Verify(6, new Dictionary<long, byte[]> { [9] = root }, 0, [], proof, root), "Leaf 9 is not in a tree of 6 leaves", DirectoryProofFailure.TreeSizeInvalid);
        Throws(() => LogTree.Verify(6, leaves, 7, [], proof, root), "retained size 7", DirectoryProofFailure.TreeSizeInvalid);
        Throws(() => LogTree.Verify(6, leaves, 5, [root], proof, root), "A tree of 5 leaves has 2 full subtrees; 1 retained values were given", DirectoryProofFailure.ProofLengthMismatch);
        Throws(() => LogTree.Verify(6, new Dictionary<long, byte[]> { [2] = new byte[31] }, 0, [], proof, root), "is 31 bytes", DirectoryProofFailure.SizeMismatch);
        Throws(() => LogTreeInclusionProof.Decode(proof.Encode().AsSpan(..^1)), "truncated", DirectoryProofFailure.Malformed);
        Throws(() => LogTreeInclusionProof.Decode([.. proof.Encode(), 0]), "trailing", DirectoryProofFailure.Malformed);
        Assert.Throws<ArgumentException>(() => LogTree.Prove(new MerkleLog(Rfc9162TreeHasher.Sha256), 1, [], 0));
    }
}
