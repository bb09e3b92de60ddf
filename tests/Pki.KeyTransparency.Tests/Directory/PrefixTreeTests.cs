using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pki.KeyTransparency.Directory;
using static Pki.KeyTransparency.Tests.Directory.DirectoryAssert;

namespace Pki.KeyTransparency.Tests.Directory;

/// <summary>The prefix tree of draft-ietf-keytrans-protocol sections 3.3, 5.8 and 6.2.</summary>
public sealed class PrefixTreeTests
{
    private static readonly byte[] Zero = new byte[32];

    // A literal reference: the leaf of a key sits one below the longest prefix it shares with any other
    // key (at the root when it is alone); a missing node is 32 zero bytes.
    private static byte[] ReferenceRoot(IReadOnlyList<PrefixLeaf> leaves) => ReferenceNode(leaves, 0);

    private static byte[] ReferenceNode(IReadOnlyList<PrefixLeaf> leaves, int depth)
    {
        if (leaves.Count == 0)
        {
            return Zero;
        }

        if (leaves.Count == 1)
        {
            return SHA256.HashData([0x02, .. leaves[0].VrfOutput, .. leaves[0].Commitment]);
        }

        var left = ReferenceNode(leaves.Where(l => Bit(l.VrfOutput, depth) == 0).ToList(), depth + 1);
        var right = ReferenceNode(leaves.Where(l => Bit(l.VrfOutput, depth) == 1).ToList(), depth + 1);
        return SHA256.HashData([0x03, .. left, .. right]);
    }

    private static int Bit(byte[] key, int i) => (key[i / 8] >> (7 - (i % 8))) & 1;

    private static PrefixLeaf Leaf(int seed) => new(Key(seed), Key(seed + 1_000_000));

    // The five keys of the draft's figure "A prefix tree containing five entries", padded to 256 bits.
    private static byte[] FigureKey(string bits)
    {
        var key = new byte[32];
        for (var i = 0; i < bits.Length; i++)
        {
            key[i / 8] |= (byte)((bits[i] - '0') << (7 - (i % 8)));
        }

        return key;
    }

    [Fact]
    public void Empty_tree_root_is_the_stand_in_and_a_single_key_is_the_root_leaf()
    {
        var tree = new PrefixTree();
        Assert.Equal(Zero, tree.GetRoot());
        var proof = tree.Search([Key(1)]);
        Assert.Equal(new PrefixSearchResult(PrefixSearchResultType.NonInclusionParent, 0), proof.Results[0]);
        Assert.Empty(proof.Elements);
        PrefixTree.Verify([Key(1)], [null], proof, tree.GetRoot());

        var only = Leaf(2);
        tree.Insert([only]);
        Assert.Equal(only.Value(), tree.GetRoot());
        Assert.Equal(SHA256.HashData([0x02, .. only.VrfOutput, .. only.Commitment]), tree.GetRoot());
        var found = tree.Search([only.VrfOutput]);
        Assert.Equal(new PrefixSearchResult(PrefixSearchResultType.Inclusion, 0), found.Results[0]);
        PrefixTree.Verify([only.VrfOutput], [only.Commitment], found, tree.GetRoot());
    }

    [Fact]
    public void Figure_tree_has_the_draft_shape_and_the_insertion_of_01101_matches()
    {
        var tree = new PrefixTree();
        string[] bits = ["00010", "00101", "10001", "10111", "11011"];
        tree.Insert(bits.Select((b, i) => new PrefixLeaf(FigureKey(b), Key(i))));
        var proof = tree.Search(bits.Select(FigureKey).ToList());
        Assert.All(proof.Results, r => Assert.Equal(PrefixSearchResultType.Inclusion, r.Type));
        Assert.Equal([3, 3, 3, 3, 2], proof.Results.Select(r => r.Depth));

        // 01101 ends at the missing right child of the depth-1 node "0".
        var absent = tree.Search([FigureKey("01101")]);
        Assert.Equal(new PrefixSearchResult(PrefixSearchResultType.NonInclusionParent, 2), absent.Results[0]);

        tree.Insert([new PrefixLeaf(FigureKey("01101"), Key(9))]);
        Assert.Equal(2, tree.Search([FigureKey("01101")]).Results[0].Depth);
        Assert.Equal(6, tree.Count);
    }

    [Fact]
    public void Search_that_meets_another_key_leaf_returns_that_leaf()
    {
        var tree = new PrefixTree();
        var present = Leaf(1);
        tree.Insert([present]);
        var other = (byte[])present.VrfOutput.Clone();
        other[31] ^= 1;
        var proof = tree.Search([other]);
        Assert.Equal(new PrefixSearchResult(PrefixSearchResultType.NonInclusionLeaf, 0, present), proof.Results[0]);
        PrefixTree.Verify([other], [null], proof, tree.GetRoot());
    }

    [Property(MaxTest = 100)]
    public Property Batched_insertion_matches_the_reference_root_and_every_search_verifies() =>
        Prop.ForAll(Gen.Choose(0, 60).SelectMany(n => Gen.Choose(1, 5).Select(b => (n, b))).SelectMany(t => Gen.Choose(0, int.MaxValue).Select(s => (t.n, t.b, s))).ToArbitrary(), c =>
        {
            var leaves = Enumerable.Range(0, c.n).Select(i => Leaf((c.s % 100_000) + (i * 7))).ToList();
            var tree = new PrefixTree();
            foreach (var batch in leaves.Chunk(Math.Max(1, c.n / c.b)))
            {
                tree.Insert(batch);
            }

            Assert.Equal(ReferenceRoot(leaves), tree.GetRoot());
            var keys = SearchKeys(leaves, c.s);
            var commitments = keys.Select(k => tree.Find(k)).ToList();
            var proof = tree.Search(keys);
            var decoded = PrefixProof.Decode(proof.Encode());
            PrefixTree.Verify(keys, commitments, decoded, tree.GetRoot());
            return proof.Results.Count(r => r.Type == PrefixSearchResultType.Inclusion) == commitments.Count(x => x is not null);
        });

    // Present keys, absent random keys, absent keys sharing a long prefix with a present one, a repeat.
    private static List<byte[]> SearchKeys(List<PrefixLeaf> leaves, int seed)
    {
        var random = new Random(seed);
        var keys = new List<byte[]>();
        for (var i = 0; i < 6; i++)
        {
            if (leaves.Count > 0 && random.Next(3) > 0)
            {
                var key = (byte[])leaves[random.Next(leaves.Count)].VrfOutput.Clone();
                if (random.Next(2) == 0)
                {
                    key[random.Next(32)] ^= (byte)(1 << random.Next(8));
                }

                keys.Add(key);
            }
            else
            {
                keys.Add(Key(random.Next()));
            }
        }

        keys.Add(keys[random.Next(keys.Count)]);
        return keys;
    }

    public enum TamperKind
    {
        FlipElementBit,
        Truncate,
        Append,
        SwapElements,
        DepthPlus,
        DepthMinus,
        WrongCommitment,
        WrongKey,
        ChangeType,
        DropResult,
    }

    [Property(MaxTest = 300)]
    public Property Any_tampered_prefix_proof_is_rejected_with_a_reason() =>
        Prop.ForAll(Gen.Choose(1, 40).SelectMany(n => Gen.Elements(Enum.GetValues<TamperKind>()).Select(k => (n, k))).SelectMany(t => Gen.Choose(0, int.MaxValue).Select(s => (t.n, t.k, s))).ToArbitrary(), c =>
        {
            var leaves = Enumerable.Range(0, c.n).Select(i => Leaf((c.s % 100_000) + (i * 7))).ToList();
            var tree = new PrefixTree();
            tree.Insert(leaves);
            var keys = SearchKeys(leaves, c.s).Take(4).Distinct().ToList();
            var commitments = keys.Select(k => tree.Find(k)).ToList();
            var proof = tree.Search(keys);
            var random = new Random(c.s);
            var results = proof.Results.ToList();
            var elements = proof.Elements.ToList();
            var target = random.Next(results.Count);
            switch (c.k)
            {
                case TamperKind.FlipElementBit when elements.Count > 0:
                    var e = random.Next(elements.Count);
                    elements[e] = FlipBit(elements[e], random.Next());
                    break;
                case TamperKind.Truncate when elements.Count > 0:
                    elements.RemoveAt(elements.Count - 1);
                    break;
                case TamperKind.Append:
                case TamperKind.FlipElementBit:
                case TamperKind.Truncate:
                    elements.Add(Zero);
                    break;
                case TamperKind.SwapElements:
                    var distinct = elements.Select((x, i) => i).Where(i => !elements[i].AsSpan().SequenceEqual(elements[0])).ToList();
                    if (distinct.Count == 0)
                    {
                        elements.Add(Zero);
                    }
                    else
                    {
                        (elements[0], elements[distinct[0]]) = (elements[distinct[0]], elements[0]);
                    }

                    break;
                case TamperKind.DepthPlus:
                    results[target] = results[target] with { Depth = results[target].Depth + 1 };
                    break;
                case TamperKind.DepthMinus:
                    results[target] = results[target] with { Depth = results[target].Depth - 1 };
                    break;
                case TamperKind.WrongCommitment:
                    commitments = commitments.Select(x => x is null ? null : FlipBit(x, random.Next())).ToList();
                    if (commitments.All(x => x is null))
                    {
                        elements.Add(Zero);
                    }

                    break;
                case TamperKind.WrongKey:
                    // A bit below the terminal's depth: flipping a deeper bit of an absent key names another
                    // absent key on the same path, for which the proof is genuinely valid.
                    // At depth 0 (a one-key tree) every absent key has the same valid proof, so a
                    // non-inclusion is tampered by searching for the key its leaf shows instead.
                    var depth = results[target].Depth;
                    var wrong = depth > 0 || results[target].Type == PrefixSearchResultType.Inclusion
                        ? FlipBit(keys[target], FlipIndex(random.Next(Math.Max(depth, 1))))
                        : results[target].Leaf?.VrfOutput ?? keys[target];
                    keys = keys.Select((k, i) => i == target ? wrong : k).ToList();
                    break;
                case TamperKind.ChangeType:
                    results[target] = results[target].Type switch
                    {
                        PrefixSearchResultType.Inclusion => results[target] with { Type = PrefixSearchResultType.NonInclusionParent },
                        PrefixSearchResultType.NonInclusionParent => results[target] with { Type = PrefixSearchResultType.Inclusion },
                        _ => results[target] with { Type = PrefixSearchResultType.NonInclusionParent, Leaf = null },
                    };
                    commitments[target] ??= Key(c.s);
                    break;
                case TamperKind.DropResult:
                    results.RemoveAt(target);
                    break;
            }

            return Rejects(
                () => PrefixTree.Verify(keys, commitments, new PrefixProof(results, elements), tree.GetRoot()),
                DirectoryProofFailure.RootMismatch,
                DirectoryProofFailure.ProofLengthMismatch,
                DirectoryProofFailure.InconsistentResult);
        });

    // FlipBit counts bits from the least significant of byte 0; the tree counts from the most significant.
    private static int FlipIndex(int treeBit) => ((treeBit / 8) * 8) + (7 - (treeBit % 8));

    [Fact]
    public void Named_tampering_cases_fail_with_their_reason()
    {
        var tree = new PrefixTree();
        var leaves = Enumerable.Range(0, 10).Select(Leaf).ToList();
        tree.Insert(leaves);
        var root = tree.GetRoot();
        var key = leaves[3].VrfOutput;
        var proof = tree.Search([key]);
        byte[]?[] commitment = [leaves[3].Commitment];

        Throws(() => PrefixTree.Verify([key], commitment, proof with { Elements = [.. proof.Elements.Skip(1)] }, root), "ends after", DirectoryProofFailure.ProofLengthMismatch);
        Throws(() => PrefixTree.Verify([key], commitment, proof with { Elements = [.. proof.Elements, Zero] }, root), "elements; the searches for 1 keys use", DirectoryProofFailure.ProofLengthMismatch);
        Throws(() => PrefixTree.Verify([key], commitment, proof with { Elements = [FlipBit(proof.Elements[0], 3), .. proof.Elements.Skip(1)] }, root), "computes root", DirectoryProofFailure.RootMismatch);
        Throws(() => PrefixTree.Verify([key], [leaves[4].Commitment], proof, root), "computes root", DirectoryProofFailure.RootMismatch);
        Throws(() => PrefixTree.Verify([key], [null], proof, root), "no 32-byte commitment", DirectoryProofFailure.InconsistentResult);
        Throws(() => PrefixTree.Verify([key, key], [.. commitment, .. commitment], proof, root), "1 results for 2 search keys", DirectoryProofFailure.ProofLengthMismatch);
        Throws(() => PrefixTree.Verify([key], commitment, proof with { Results = [proof.Results[0] with { Depth = 257 }] }, root), "ends at depth 257", DirectoryProofFailure.InconsistentResult);
        Throws(() => PrefixTree.Verify([key[..31]], commitment, proof, root), "Search key 0 is 31 bytes", DirectoryProofFailure.SizeMismatch);

        // A non-inclusion that shows the searched key's own leaf, or a leaf off the search path.
        var self = new PrefixSearchResult(PrefixSearchResultType.NonInclusionLeaf, proof.Results[0].Depth, leaves[3]);
        Throws(() => PrefixTree.Verify([key], [null], proof with { Results = [self] }, root), "its leaf is for the searched key", DirectoryProofFailure.InconsistentResult);
        var offPath = self with { Leaf = leaves.First(l => Bit(l.VrfOutput, 0) != Bit(key, 0)) };
        Throws(() => PrefixTree.Verify([key], [null], proof with { Results = [offPath] }, root), "is not on the search path", DirectoryProofFailure.InconsistentResult);

        // Two searches through the same terminal that disagree.
        var twin = (byte[])key.Clone();
        twin[31] ^= 1;
        var pair = tree.Search([key, twin]);
        Assert.Equal(PrefixSearchResultType.NonInclusionLeaf, pair.Results[1].Type);
        var disagreeing = pair with { Results = [pair.Results[0], pair.Results[1] with { Leaf = leaves[5] }] };
        Throws(() => PrefixTree.Verify([key, twin], [leaves[3].Commitment, null], disagreeing, root), null, DirectoryProofFailure.InconsistentResult);
        var splitDepth = pair with { Results = [pair.Results[0], pair.Results[1] with { Depth = pair.Results[1].Depth + 1 }] };
        Throws(() => PrefixTree.Verify([key, twin], [leaves[3].Commitment, null], splitDepth, root), "which shares its first", DirectoryProofFailure.InconsistentResult);
    }

    [Fact]
    public void Insertion_rejects_duplicates_and_wrong_sizes_and_leaves_the_tree_unchanged()
    {
        var tree = new PrefixTree();
        tree.Insert([Leaf(1), Leaf(2)]);
        var root = tree.GetRoot();
        Assert.Contains("already in the tree", Assert.Throws<ArgumentException>(() => tree.Insert([Leaf(3), Leaf(1)])).Message, StringComparison.Ordinal);
        Assert.Contains("already in this batch", Assert.Throws<ArgumentException>(() => tree.Insert([Leaf(4), Leaf(4)])).Message, StringComparison.Ordinal);
        Assert.Contains("31", Assert.Throws<ArgumentException>(() => tree.Insert([new PrefixLeaf(new byte[31], new byte[32])])).Message, StringComparison.Ordinal);
        Assert.Equal(root, tree.GetRoot());
        Assert.Equal(2, tree.Count);
        Assert.Null(tree.Find(Key(3)));
        Assert.Equal(Leaf(2).Commitment, tree.Find(Leaf(2).VrfOutput));
    }

    [Fact]
    public void Encoding_round_trips_and_malformed_bytes_are_rejected_with_the_field()
    {
        var tree = new PrefixTree();
        tree.Insert(Enumerable.Range(0, 5).Select(Leaf));
        var proof = tree.Search([Leaf(0).VrfOutput, Key(77), Leaf(1).VrfOutput]);
        var encoded = proof.Encode();
        var decoded = PrefixProof.Decode(encoded);
        Assert.Equal(proof.Results.Select(r => (r.Type, r.Depth)), decoded.Results.Select(r => (r.Type, r.Depth)));
        Assert.Equal(proof.Results.Select(r => r.Leaf is null ? "" : Convert.ToHexString(r.Leaf.Commitment)), decoded.Results.Select(r => r.Leaf is null ? "" : Convert.ToHexString(r.Leaf.Commitment)));
        Assert.Equal(proof.Elements, decoded.Elements);
        Assert.Equal(encoded, decoded.Encode());

        Throws(() => PrefixProof.Decode(encoded.AsSpan(..^1)), "truncated", DirectoryProofFailure.Malformed);
        Throws(() => PrefixProof.Decode([.. encoded, 0]), "1 trailing bytes", DirectoryProofFailure.Malformed);
        var badType = (byte[])encoded.Clone();
        badType[1] = 4;
        Throws(() => PrefixProof.Decode(badType), "results[0].result_type is 4", DirectoryProofFailure.Malformed);
        var tooMany = (byte[])encoded.Clone();
        tooMany[0] = 200;
        Throws(() => PrefixProof.Decode(tooMany), null, DirectoryProofFailure.Malformed);
        Assert.Throws<ArgumentException>(() => (proof with { Results = [new PrefixSearchResult(PrefixSearchResultType.Inclusion, 256)] }).Encode());
    }
}
