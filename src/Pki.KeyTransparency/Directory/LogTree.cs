using System.Security.Cryptography;
using Pki.KeyTransparency.Merkle;
using static Pki.KeyTransparency.Merkle.MerkleProofVerifier;

namespace Pki.KeyTransparency.Directory;

/// <summary>
/// The log tree of draft-ietf-keytrans-protocol (sections 3.2, 5.7 and 6.1): a left-balanced binary tree
/// whose leaves are <c>Hash(LogEntry)</c> and whose parents are
/// <c>Hash(hashContent(left) || hashContent(right))</c>, the hashing of <see cref="KeyTransparencyLogHasher"/>.
/// Proofs differ from RFC 9162: they only ever hold heads of balanced subtrees (a non-balanced subtree
/// is broken down into the fewest balanced ones), and one proof batches the inclusion of any set of
/// leaves with consistency from the full subtrees a verifier retained.
/// </summary>
internal static class LogTree
{
    private static readonly KeyTransparencyLogHasher Hasher = KeyTransparencyLogHasher.Sha256;

    /// <summary>
    /// The full subtrees of a tree of <paramref name="treeSize"/> leaves (section 4.2: "the balanced
    /// subtrees which are as large as possible"), left to right: one per set bit of the size.
    /// </summary>
    /// <param name="treeSize">The tree size, at least 0.</param>
    /// <returns>Start leaf and size of each full subtree.</returns>
    public static IReadOnlyList<(long Start, long Size)> FullSubtrees(long treeSize)
    {
        if (treeSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(treeSize), treeSize, "A tree size is at least 0.");
        }

        var result = new List<(long, long)>();
        long start = 0;
        for (var bit = 62; bit >= 0; bit--)
        {
            var size = 1L << bit;
            if ((treeSize & size) != 0)
            {
                result.Add((start, size));
                start += size;
            }
        }

        return result;
    }

    /// <summary>The head values of the full subtrees of the log at <paramref name="treeSize"/>, what a verifier retains (section 4.2).</summary>
    /// <param name="log">A log using <see cref="KeyTransparencyLogHasher"/>.</param>
    /// <param name="treeSize">1 to the log's size.</param>
    /// <returns>The values, left to right.</returns>
    public static byte[][] FullSubtreeValues(MerkleLog log, long treeSize)
    {
        CheckLog(log, treeSize);
        return FullSubtrees(treeSize).Select(s => SubtreeValue(log, s.Start, s.Size)).ToArray();
    }

    /// <summary>The leaf value of a log entry: <c>Hash(LogEntry)</c> (section 5.7).</summary>
    /// <param name="timestampMilliseconds">Milliseconds since the Unix epoch.</param>
    /// <param name="prefixTreeRoot">The prefix tree root after the entry's changes.</param>
    /// <returns>The 32-byte leaf value.</returns>
    public static byte[] LeafValue(ulong timestampMilliseconds, ReadOnlySpan<byte> prefixTreeRoot) =>
        Hasher.HashLeaf(KeyTransparencyLogHasher.EncodeLogEntry(timestampMilliseconds, prefixTreeRoot));

    /// <summary>
    /// Builds the batched proof of section 6.1 from <paramref name="log"/> at <paramref name="treeSize"/>:
    /// inclusion of <paramref name="leafIndices"/>, plus consistency with a tree of
    /// <paramref name="retainedSize"/> leaves whose full subtrees the verifier retained (0 for none).
    /// </summary>
    /// <param name="log">A log using <see cref="KeyTransparencyLogHasher"/>.</param>
    /// <param name="treeSize">1 to the log's size.</param>
    /// <param name="leafIndices">Leaves to prove, below <paramref name="treeSize"/>, any order, duplicates ignored.</param>
    /// <param name="retainedSize">0 to <paramref name="treeSize"/>.</param>
    /// <returns>The proof.</returns>
    /// <exception cref="ArgumentException">A size or index is out of range, or the log uses another hasher.</exception>
    public static LogTreeInclusionProof Prove(MerkleLog log, long treeSize, IEnumerable<long> leafIndices, long retainedSize)
    {
        CheckLog(log, treeSize);
        var walker = new Walker(treeSize, Sorted(leafIndices, treeSize), retainedSize, log, null, null, null);
        walker.Run();
        return new LogTreeInclusionProof(walker.Produced);
    }

    /// <summary>
    /// Computes the root of a tree of <paramref name="treeSize"/> leaves from a batched proof, the values
    /// of the leaves it proves and the retained full subtree values of the tree of
    /// <paramref name="retainedSize"/> leaves. Each retained value whose subtree the proof also recomputes
    /// (because it holds a proved leaf) must match (section 6.1: "Users MUST verify that the computed value
    /// for the head of any such subtree matches the retained value").
    /// </summary>
    /// <param name="treeSize">At least 1.</param>
    /// <param name="leafValues">Leaf index to 32-byte leaf value (<see cref="LeafValue"/>).</param>
    /// <param name="retainedSize">0 to <paramref name="treeSize"/>.</param>
    /// <param name="retainedValues">The full subtree values of the retained tree, left to right (<see cref="FullSubtrees"/>).</param>
    /// <param name="proof">The proof.</param>
    /// <returns>The root value.</returns>
    /// <exception cref="DirectoryProofException">Sizes out of range, wrong-sized values, too few or too many elements, or a retained value that differs.</exception>
    public static byte[] ComputeRoot(long treeSize, IReadOnlyDictionary<long, byte[]> leafValues, long retainedSize, IReadOnlyList<byte[]> retainedValues, LogTreeInclusionProof proof)
    {
        if (treeSize < 1 || retainedSize < 0 || retainedSize > treeSize)
        {
            throw new DirectoryProofException(DirectoryProofFailure.TreeSizeInvalid, $"A log tree proof needs 1 <= tree size and 0 <= retained size <= tree size; got tree size {treeSize}, retained size {retainedSize}.");
        }

        var expectedRetained = BitMath.PopCount((ulong)retainedSize);
        if (retainedValues.Count != expectedRetained)
        {
            throw new DirectoryProofException(DirectoryProofFailure.ProofLengthMismatch, $"A tree of {retainedSize} leaves has {expectedRetained} full subtrees; {retainedValues.Count} retained values were given.");
        }

        foreach (var pair in leafValues)
        {
            if (pair.Key < 0 || pair.Key >= treeSize)
            {
                throw new DirectoryProofException(DirectoryProofFailure.TreeSizeInvalid, $"Leaf {pair.Key} is not in a tree of {treeSize} leaves.");
            }

            CheckHash(pair.Value, $"The value of leaf {pair.Key}");
        }

        for (var i = 0; i < retainedValues.Count; i++)
        {
            CheckHash(retainedValues[i], $"Retained full subtree value {i}");
        }

        var walker = new Walker(treeSize, leafValues.Keys.OrderBy(k => k).ToArray(), retainedSize, null, leafValues, retainedValues, proof.Elements);
        var root = walker.Run();
        if (walker.Consumed != proof.Elements.Count)
        {
            throw new DirectoryProofException(
                DirectoryProofFailure.ProofLengthMismatch,
                $"The log tree proof has {proof.Elements.Count} elements; {walker.Consumed} are needed for {leafValues.Count} leaves in a tree of {treeSize} with {retainedSize} retained.");
        }

        return root;
    }

    /// <summary>Verifies a batched proof against the log's root (split as computing, then comparing).</summary>
    /// <param name="treeSize">At least 1.</param>
    /// <param name="leafValues">Leaf index to leaf value.</param>
    /// <param name="retainedSize">0 to <paramref name="treeSize"/>.</param>
    /// <param name="retainedValues">The retained full subtree values.</param>
    /// <param name="proof">The proof.</param>
    /// <param name="expectedRoot">The root from a verified tree head.</param>
    /// <exception cref="DirectoryProofException">Any failure of <see cref="ComputeRoot"/>, or <see cref="DirectoryProofFailure.RootMismatch"/>.</exception>
    public static void Verify(long treeSize, IReadOnlyDictionary<long, byte[]> leafValues, long retainedSize, IReadOnlyList<byte[]> retainedValues, LogTreeInclusionProof proof, ReadOnlySpan<byte> expectedRoot)
    {
        var root = ComputeRoot(treeSize, leafValues, retainedSize, retainedValues, proof);
        if (!CryptographicOperations.FixedTimeEquals(root, expectedRoot))
        {
            throw new DirectoryProofException(DirectoryProofFailure.RootMismatch, $"The log tree proof computes root {Hex(root)} for size {treeSize}; the tree head says {Hex(expectedRoot)}.");
        }
    }

    private static void CheckHash(byte[] value, string what)
    {
        if (value.Length != KeyTransparencyCipherSuite.HashSize)
        {
            throw new DirectoryProofException(DirectoryProofFailure.SizeMismatch, $"{what} is {value.Length} bytes; Hash.Nh is {KeyTransparencyCipherSuite.HashSize}.");
        }
    }

    private static void CheckLog(MerkleLog log, long treeSize)
    {
        if (log.Hasher is not KeyTransparencyLogHasher)
        {
            throw new ArgumentException($"The log hashes with {log.Hasher.GetType().Name}; the key transparency log tree needs {nameof(KeyTransparencyLogHasher)}.", nameof(log));
        }

        if (treeSize < 1 || treeSize > log.Size)
        {
            throw new ArgumentOutOfRangeException(nameof(treeSize), treeSize, $"The tree size must be 1 to the log's size {log.Size}.");
        }
    }

    private static long[] Sorted(IEnumerable<long> indices, long treeSize)
    {
        var sorted = indices.Distinct().OrderBy(i => i).ToArray();
        if (sorted.Length > 0 && (sorted[0] < 0 || sorted[sorted.Length - 1] >= treeSize))
        {
            throw new ArgumentOutOfRangeException(nameof(indices), $"Every leaf index must be 0 to {treeSize - 1}.");
        }

        return sorted;
    }

    private static byte[] SubtreeValue(MerkleLog log, long start, long size)
    {
        var value = new byte[KeyTransparencyCipherSuite.HashSize];
        log.SubtreeHash(start, size, value);
        return value;
    }

    /// <summary>
    /// One walk of the tree shared by prover and verifier, so both agree on which node values the proof
    /// holds and in which order (left to right, section 6.1). A node is taken from the proof when it holds
    /// no proved leaf, is balanced, and does not straddle the retained size; a node that is a retained
    /// full subtree and holds no proved leaf comes from the retained values; every other node is recomputed
    /// from its children.
    /// </summary>
    private sealed class Walker(long treeSize, long[] leaves, long retainedSize, MerkleLog? log, IReadOnlyDictionary<long, byte[]>? leafValues, IReadOnlyList<byte[]>? retainedValues, IReadOnlyList<byte[]>? elements)
    {
        private readonly IReadOnlyList<(long Start, long Size)> _retained = FullSubtrees(retainedSize);

        public List<byte[]> Produced { get; } = [];

        public int Consumed { get; private set; }

        public byte[] Run() => Walk(0, treeSize);

        private byte[] Walk(long start, long size)
        {
            var hasLeaf = HasLeaf(start, start + size);
            var retained = RetainedIndex(start, size);
            if (!hasLeaf && retained >= 0)
            {
                return log is null ? retainedValues![retained] : SubtreeValue(log, start, size);
            }

            var straddles = start < retainedSize && retainedSize < start + size;
            if (!hasLeaf && (size & (size - 1)) == 0 && !straddles)
            {
                return NextElement(start, size);
            }

            byte[] value;
            if (size == 1)
            {
                value = log is null ? leafValues![start] : log.GetLeafHash(start);
            }
            else
            {
                var leftSize = 1L << BitMath.Log2((ulong)(size - 1));
                var left = Walk(start, leftSize);
                var right = Walk(start + leftSize, size - leftSize);
                value = new byte[KeyTransparencyCipherSuite.HashSize];
                Hasher.HashChildren(left, leftSize == 1, right, size - leftSize == 1, value);
            }

            if (retained >= 0 && log is null && !CryptographicOperations.FixedTimeEquals(value, retainedValues![retained]))
            {
                throw new DirectoryProofException(
                    DirectoryProofFailure.RetainedValueMismatch,
                    $"The proof recomputes the full subtree of leaves {start}..{start + size - 1} as {Hex(value)}; the retained value is {Hex(retainedValues[retained])}.");
            }

            return value;
        }

        private byte[] NextElement(long start, long size)
        {
            if (log is not null)
            {
                var value = SubtreeValue(log, start, size);
                Produced.Add(value);
                return value;
            }

            if (Consumed >= elements!.Count)
            {
                throw new DirectoryProofException(
                    DirectoryProofFailure.ProofLengthMismatch,
                    $"The log tree proof ends after {elements.Count} elements; the head of leaves {start}..{start + size - 1} is still needed.");
            }

            return elements[Consumed++];
        }

        private bool HasLeaf(long start, long end)
        {
            var i = Array.BinarySearch(leaves, start);
            if (i < 0)
            {
                i = ~i;
            }

            return i < leaves.Length && leaves[i] < end;
        }

        private int RetainedIndex(long start, long size)
        {
            for (var i = 0; i < _retained.Count; i++)
            {
                if (_retained[i].Start == start && _retained[i].Size == size)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
