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

    /// <summary>The leaf value of a log entry: <c>Hash(LogEntry)</c> (section 11.8).</summary>
    /// <param name="timestampMilliseconds">Milliseconds since the Unix epoch.</param>
    /// <param name="prefixTreeRoot">The prefix tree root after the entry's changes.</param>
    /// <returns>The 32-byte leaf value.</returns>
    public static byte[] LeafValue(ulong timestampMilliseconds, ReadOnlySpan<byte> prefixTreeRoot) =>
        Hasher.HashLeaf(KeyTransparencyLogHasher.EncodeLogEntry(timestampMilliseconds, prefixTreeRoot));

    /// <summary>
    /// Builds the batched proof of section 12.1 from <paramref name="log"/> at <paramref name="treeSize"/>:
    /// inclusion of <paramref name="leafIndices"/>, plus consistency with a tree of
    /// <paramref name="retainedSize"/> leaves whose full subtrees the verifier retained (0 for none).
    /// </summary>
    /// <param name="log">A log using <see cref="KeyTransparencyLogHasher"/>.</param>
    /// <param name="treeSize">1 to the log's size.</param>
    /// <param name="leafIndices">Leaves to prove, below <paramref name="treeSize"/>, any order, duplicates ignored.</param>
    /// <param name="retainedSize">0 to <paramref name="treeSize"/>.</param>
    /// <param name="additionalSize">
    /// 0, or a second size (<c>AuditorTreeHead.tree_size</c>) whose root the verifier must also be able to
    /// compute: the proof then covers that tree's full subtrees too (section 12.1).
    /// </param>
    /// <returns>The proof.</returns>
    /// <exception cref="ArgumentException">A size or index is out of range, or the log uses another hasher.</exception>
    public static LogTreeInclusionProof Prove(MerkleLog log, long treeSize, IEnumerable<long> leafIndices, long retainedSize, long additionalSize = 0)
    {
        CheckLog(log, treeSize);
        if (retainedSize < 0 || retainedSize > treeSize || additionalSize < 0 || additionalSize > treeSize)
        {
            throw new ArgumentOutOfRangeException(nameof(retainedSize), $"The retained size ({retainedSize}) and additional size ({additionalSize}) must be 0 to the tree size {treeSize}.");
        }

        var walker = new Walker(treeSize, Sorted(leafIndices, treeSize), retainedSize, additionalSize, log, null, null, null);
        walker.Run();
        return new LogTreeInclusionProof(walker.Produced);
    }

    /// <summary>
    /// Computes the root of a tree of <paramref name="treeSize"/> leaves from a batched proof, the values
    /// of the leaves it proves and the retained full subtree values of the tree of
    /// <paramref name="retainedSize"/> leaves. Each retained value whose subtree the proof also recomputes
    /// (because it holds a proved leaf) must match (section 12.1: "Users MUST verify that the computed value
    /// for the head of any such subtree matches the retained value").
    /// </summary>
    /// <param name="treeSize">At least 1.</param>
    /// <param name="leafValues">Leaf index to 32-byte leaf value (<see cref="LeafValue"/>).</param>
    /// <param name="retainedSize">0 to <paramref name="treeSize"/>.</param>
    /// <param name="retainedValues">The full subtree values of the retained tree, left to right (<see cref="FullSubtrees"/>).</param>
    /// <param name="proof">The proof.</param>
    /// <param name="additionalSize">0, or the second size the proof also covers (<c>AuditorTreeHead.tree_size</c>).</param>
    /// <returns>The root value, and the root at <paramref name="additionalSize"/> (null when 0).</returns>
    /// <exception cref="DirectoryProofException">Sizes out of range, wrong-sized values, too few or too many elements, or a retained value that differs.</exception>
    public static (byte[] Root, byte[]? AdditionalRoot) ComputeRoots(long treeSize, IReadOnlyDictionary<long, byte[]> leafValues, long retainedSize, IReadOnlyList<byte[]> retainedValues, LogTreeInclusionProof proof, long additionalSize) =>
        ComputeRootsCore(treeSize, leafValues, retainedSize, retainedValues, proof, additionalSize, null);

    private static (byte[] Root, byte[]? AdditionalRoot) ComputeRootsCore(long treeSize, IReadOnlyDictionary<long, byte[]> leafValues, long retainedSize, IReadOnlyList<byte[]> retainedValues, LogTreeInclusionProof proof, long additionalSize, List<byte[]>? fullValues)
    {
        if (treeSize < 1 || retainedSize < 0 || retainedSize > treeSize || additionalSize < 0 || additionalSize > treeSize)
        {
            throw new DirectoryProofException(DirectoryProofFailure.TreeSizeInvalid, $"A log tree proof needs 1 <= tree size and 0 <= retained size, additional size <= tree size; got tree size {treeSize}, retained size {retainedSize}, additional size {additionalSize}.");
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

        var walker = new Walker(treeSize, leafValues.Keys.OrderBy(k => k).ToArray(), retainedSize, additionalSize, null, leafValues, retainedValues, proof.Elements) { FullValues = fullValues };
        var root = walker.Run();
        if (walker.Consumed != proof.Elements.Count)
        {
            throw new DirectoryProofException(
                DirectoryProofFailure.ProofLengthMismatch,
                $"The log tree proof has {proof.Elements.Count} elements; {walker.Consumed} are needed for {leafValues.Count} leaves in a tree of {treeSize} with {retainedSize} retained.");
        }

        return (root, additionalSize == 0 ? null : RootOfFullSubtrees(walker.AdditionalValues));
    }

    /// <summary>
    /// As <see cref="ComputeRoot"/>, also returning the head values of the full subtrees of the new tree,
    /// which a verifier retains for the next proof (section 4.2; every full subtree is on the walk's path).
    /// </summary>
    /// <param name="treeSize">At least 1.</param>
    /// <param name="leafValues">Leaf index to 32-byte leaf value.</param>
    /// <param name="retainedSize">0 to <paramref name="treeSize"/>.</param>
    /// <param name="retainedValues">The full subtree values of the retained tree, left to right.</param>
    /// <param name="proof">The proof.</param>
    /// <returns>The root value and the full subtree values of the tree, left to right.</returns>
    /// <exception cref="DirectoryProofException">As <see cref="ComputeRoots"/>.</exception>
    public static (byte[] Root, byte[][] FullSubtreeValues) ComputeRootAndFullSubtrees(long treeSize, IReadOnlyDictionary<long, byte[]> leafValues, long retainedSize, IReadOnlyList<byte[]> retainedValues, LogTreeInclusionProof proof)
    {
        var full = new List<byte[]>();
        var root = ComputeRootsCore(treeSize, leafValues, retainedSize, retainedValues, proof, 0, full).Root;
        return (root, full.ToArray());
    }

    /// <summary>Computes the root of a tree of <paramref name="treeSize"/> leaves from a batched proof (no additional size).</summary>
    /// <param name="treeSize">At least 1.</param>
    /// <param name="leafValues">Leaf index to 32-byte leaf value (<see cref="LeafValue"/>).</param>
    /// <param name="retainedSize">0 to <paramref name="treeSize"/>.</param>
    /// <param name="retainedValues">The full subtree values of the retained tree, left to right.</param>
    /// <param name="proof">The proof.</param>
    /// <returns>The root value.</returns>
    /// <exception cref="DirectoryProofException">As <see cref="ComputeRoots"/>.</exception>
    public static byte[] ComputeRoot(long treeSize, IReadOnlyDictionary<long, byte[]> leafValues, long retainedSize, IReadOnlyList<byte[]> retainedValues, LogTreeInclusionProof proof) =>
        ComputeRoots(treeSize, leafValues, retainedSize, retainedValues, proof, 0).Root;

    /// <summary>The root of a tree from its full subtree values, left to right (the smallest, rightmost, is a lone leaf when the size is odd).</summary>
    /// <param name="values">Full subtree values and sizes, left to right.</param>
    /// <returns>The root value.</returns>
    internal static byte[] RootOfFullSubtrees(IReadOnlyList<(long Size, byte[] Value)> values)
    {
        var accumulator = values[values.Count - 1].Value;
        var accumulatorIsLeaf = values[values.Count - 1].Size == 1;
        for (var i = values.Count - 2; i >= 0; i--)
        {
            var parent = new byte[KeyTransparencyCipherSuite.HashSize];
            Hasher.HashChildren(values[i].Value, values[i].Size == 1, accumulator, accumulatorIsLeaf, parent);
            accumulator = parent;
            accumulatorIsLeaf = false;
        }

        return accumulator;
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
    /// holds and in which order (left to right, section 12.1). The targets are the proved leaves, the
    /// retained full subtrees and the additional size's full subtrees (the same node selection as the
    /// draft author's <c>BatchCopath</c> in github.com/Bren2010/katie). A node without targets is given
    /// by the proof as its balanced pieces; a node whose only target is itself is known (a leaf or a
    /// retained head) or, for an additional-size head, given by the proof; any other node is recomputed
    /// from its children, and a recomputed or given value must equal a known one.
    /// </summary>
    private sealed class Walker(long treeSize, long[] leaves, long retainedSize, long additionalSize, MerkleLog? log, IReadOnlyDictionary<long, byte[]>? leafValues, IReadOnlyList<byte[]>? retainedValues, IReadOnlyList<byte[]>? elements)
    {
        private readonly IReadOnlyList<(long Start, long Size)> _retained = FullSubtrees(retainedSize);
        private readonly IReadOnlyList<(long Start, long Size)> _additional = FullSubtrees(additionalSize);

        public List<byte[]> Produced { get; } = [];

        public List<(long Size, byte[] Value)> AdditionalValues { get; } = [];

        public int Consumed { get; private set; }

        private readonly IReadOnlyList<(long Start, long Size)> _full = FullSubtrees(treeSize);

        public List<byte[]>? FullValues { get; init; }

        public byte[] Run() => Walk(0, treeSize);

        private byte[] Walk(long start, long size)
        {
            var value = WalkCore(start, size);
            if (FullValues is not null && IndexOf(_full, start, size) >= 0)
            {
                FullValues.Add(value);
            }

            return value;
        }

        private byte[] WalkCore(long start, long size)
        {
            var end = start + size;
            var isLeaf = size == 1 && HasLeaf(start, end);
            var retained = IndexOf(_retained, start, size);
            var additional = IndexOf(_additional, start, size);
            var inner = (size > 1 && HasLeaf(start, end)) || ContainsInside(_retained, start, end, size) || ContainsInside(_additional, start, end, size);
            byte[] value;
            if (!inner && !isLeaf && retained < 0 && additional < 0)
            {
                if ((size & (size - 1)) == 0)
                {
                    return NextElement(start, size);
                }

                value = Children(start, size);
            }
            else if (!inner && additional >= 0)
            {
                value = NextElement(start, size);
                if (isLeaf)
                {
                    Check(start, size, value, Leaf(start), "the proved leaf value", DirectoryProofFailure.RootMismatch);
                }
            }
            else if (!inner)
            {
                value = isLeaf ? Leaf(start) : Retained(retained, start, size);
            }
            else
            {
                value = Children(start, size);
            }

            if (retained >= 0 && (inner || isLeaf || additional >= 0))
            {
                Check(start, size, value, Retained(retained, start, size), "the retained value", DirectoryProofFailure.RetainedValueMismatch);
            }

            if (additional >= 0)
            {
                AdditionalValues.Add((size, value));
            }

            return value;
        }

        private byte[] Children(long start, long size)
        {
            var leftSize = 1L << BitMath.Log2((ulong)(size - 1));
            var left = Walk(start, leftSize);
            var right = Walk(start + leftSize, size - leftSize);
            var value = new byte[KeyTransparencyCipherSuite.HashSize];
            Hasher.HashChildren(left, leftSize == 1, right, size - leftSize == 1, value);
            return value;
        }

        private byte[] Leaf(long index) => log is null ? leafValues![index] : log.GetLeafHash(index);

        private byte[] Retained(int index, long start, long size) => log is null ? retainedValues![index] : SubtreeValue(log, start, size);

        private void Check(long start, long size, byte[] computed, byte[] known, string what, DirectoryProofFailure failure)
        {
            if (log is null && !CryptographicOperations.FixedTimeEquals(computed, known))
            {
                throw new DirectoryProofException(failure, $"The proof gives or recomputes the head of leaves {start}..{start + size - 1} as {Hex(computed)}; {what} is {Hex(known)}.");
            }
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

        private static int IndexOf(IReadOnlyList<(long Start, long Size)> subtrees, long start, long size)
        {
            for (var i = 0; i < subtrees.Count; i++)
            {
                if (subtrees[i].Start == start && subtrees[i].Size == size)
                {
                    return i;
                }
            }

            return -1;
        }

        private static bool ContainsInside(IReadOnlyList<(long Start, long Size)> subtrees, long start, long end, long size)
        {
            foreach (var (s, n) in subtrees)
            {
                if (s >= start && s + n <= end && n < size)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
