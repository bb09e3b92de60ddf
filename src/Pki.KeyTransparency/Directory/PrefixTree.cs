using System.Security.Cryptography;
using static Pki.KeyTransparency.Merkle.MerkleProofVerifier;

namespace Pki.KeyTransparency.Directory;

/// <summary>
/// The prefix tree of draft-ietf-keytrans-protocol (sections 3.3, 11.9 and 12.2): a binary trie over
/// 256-bit search keys (VRF outputs) whose leaves map a key to a commitment.
/// </summary>
/// <remarks>
/// <para>Shape. The root represents the empty prefix; the child of a node at depth <c>d</c> is chosen by
/// bit <c>d</c> of the key, counting from the most significant bit of the first byte (the draft's "first
/// bit"). A leaf sits at the shallowest depth where no other key shares its prefix, so a new key that
/// meets a leaf gets parents added "until we reach the first bit that differs" (section 3.3). Without
/// deletion the shape depends only on the set of keys.</para>
/// <para>The draft does not say what the root of a tree with fewer than two keys is. This class follows
/// the draft author's implementation (github.com/Bren2010/katie, <c>tree/prefix</c>): the empty tree's
/// root is the stand-in (32 zero bytes) and a search in it ends with <c>nonInclusionParent</c> at
/// depth 0; a tree with one key has that leaf as its root, at depth 0.</para>
/// <para>Hashing (section 11.9): <c>leaf.value = Hash(0x02 || vrf_output || commitment)</c>,
/// <c>parent.value = Hash(0x03 || left.value || right.value)</c> with 32 zero bytes for a missing
/// child.</para>
/// </remarks>
internal sealed class PrefixTree
{
    private const int KeyBits = KeyTransparencyCipherSuite.VrfOutputSize * 8;
    private static readonly byte[] Zero = new byte[KeyTransparencyCipherSuite.HashSize];

    private Node? _root;

    /// <summary>Number of leaves.</summary>
    public int Count { get; private set; }

    /// <summary>The root value (section 11.9), recomputed only along the paths the last batch changed.</summary>
    /// <returns>32 bytes, a new array.</returns>
    public byte[] GetRoot() => _root is null ? new byte[KeyTransparencyCipherSuite.HashSize] : (byte[])Value(_root).Clone();

    /// <summary>
    /// Inserts a batch of leaves, all or none. Section 3.4 lets a log make any number of changes between
    /// log entries; label-version pairs are never changed once stored, so a key already present is an error.
    /// </summary>
    /// <param name="leaves">The new leaves: 32-byte search keys and 32-byte commitments.</param>
    /// <exception cref="ArgumentException">A size is wrong, or a key repeats within the batch or is already in the tree; the tree is unchanged.</exception>
    public void Insert(IEnumerable<PrefixLeaf> leaves)
    {
        var batch = leaves.ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var leaf in batch)
        {
            if (leaf.VrfOutput.Length != KeyTransparencyCipherSuite.VrfOutputSize || leaf.Commitment.Length != KeyTransparencyCipherSuite.HashSize)
            {
                throw new ArgumentException($"A prefix tree leaf has a {KeyTransparencyCipherSuite.VrfOutputSize}-byte key and a {KeyTransparencyCipherSuite.HashSize}-byte commitment; got {leaf.VrfOutput.Length} and {leaf.Commitment.Length}.", nameof(leaves));
            }

            if (!seen.Add(Hex(leaf.VrfOutput)) || Find(leaf.VrfOutput) is not null)
            {
                throw new ArgumentException($"The search key {Hex(leaf.VrfOutput)} is already {(Find(leaf.VrfOutput) is null ? "in this batch" : "in the tree")}; a label-version pair is stored once.", nameof(leaves));
            }
        }

        foreach (var leaf in batch)
        {
            _root = Insert(_root, leaf, 0);
        }

        Count += batch.Length;
    }

    /// <summary>The commitment stored for a search key, or null when the key is absent.</summary>
    /// <param name="searchKey">The 32-byte key.</param>
    /// <returns>A copy of the commitment, or null.</returns>
    public byte[]? Find(ReadOnlySpan<byte> searchKey)
    {
        var node = _root;
        for (var depth = 0; node is not null && node.Leaf is null && depth < KeyBits; depth++)
        {
            node = Bit(searchKey, depth) == 0 ? node.Left : node.Right;
        }

        return node?.Leaf is { } leaf && leaf.VrfOutput.AsSpan().SequenceEqual(searchKey) ? (byte[])leaf.Commitment.Clone() : null;
    }

    /// <summary>Searches for each key and returns the batched proof (section 12.2), results in the order given.</summary>
    /// <param name="searchKeys">The 32-byte keys, at most 255; repeats are allowed.</param>
    /// <returns>The proof.</returns>
    /// <exception cref="ArgumentException">A key has the wrong size or there are more than 255.</exception>
    public PrefixProof Search(IReadOnlyList<byte[]> searchKeys)
    {
        CheckKeys(searchKeys);
        var results = new PrefixSearchResult[searchKeys.Count];
        var elements = new List<byte[]>();
        Prove(_root, 0, Enumerable.Range(0, searchKeys.Count).ToList());
        return new PrefixProof(results, elements);

        void Prove(Node? node, int depth, List<int> searches)
        {
            if (searches.Count == 0)
            {
                elements.Add(node is null ? Zero : (byte[])Value(node).Clone());
                return;
            }

            if (node is null || node.Leaf is not null)
            {
                foreach (var s in searches)
                {
                    results[s] = node is null
                        ? new PrefixSearchResult(PrefixSearchResultType.NonInclusionParent, depth)
                        : node.Leaf!.VrfOutput.AsSpan().SequenceEqual(searchKeys[s])
                            ? new PrefixSearchResult(PrefixSearchResultType.Inclusion, depth)
                            : new PrefixSearchResult(PrefixSearchResultType.NonInclusionLeaf, depth, node.Leaf);
                }

                return;
            }

            Prove(node.Left, depth + 1, searches.Where(s => Bit(searchKeys[s], depth) == 0).ToList());
            Prove(node.Right, depth + 1, searches.Where(s => Bit(searchKeys[s], depth) == 1).ToList());
        }
    }

    /// <summary>
    /// Computes the prefix tree root from a proof: each result's terminal leaf (an inclusion leaf from the
    /// key and the commitment the verifier holds, the given leaf of a non-inclusion, or zeros for a stand-in)
    /// is hashed with the elements "in the left/right arrangement dictated by the bits of the search keys"
    /// (section 12.2).
    /// </summary>
    /// <param name="searchKeys">The keys searched, in the order of <see cref="PrefixProof.Results"/>.</param>
    /// <param name="commitments">For each key, the commitment it must map to when the result is an inclusion (from the opening and value, or <c>BinaryLadderStep.commitment</c>); null otherwise.</param>
    /// <param name="proof">The proof.</param>
    /// <returns>The root value.</returns>
    /// <exception cref="DirectoryProofException">Counts or sizes wrong, results that contradict the keys or each other, or too few or too many elements.</exception>
    public static byte[] ComputeRoot(IReadOnlyList<byte[]> searchKeys, IReadOnlyList<byte[]?> commitments, PrefixProof proof)
    {
        CheckProofShape(searchKeys, commitments, proof);
        var consumed = 0;
        var root = Compute(0, Enumerable.Range(0, searchKeys.Count).ToList());
        if (consumed != proof.Elements.Count)
        {
            throw new DirectoryProofException(DirectoryProofFailure.ProofLengthMismatch, $"The prefix proof has {proof.Elements.Count} elements; the searches for {searchKeys.Count} keys use {consumed}.");
        }

        return root;

        byte[] Compute(int depth, List<int> searches)
        {
            if (searches.Count == 0)
            {
                if (consumed >= proof.Elements.Count)
                {
                    throw new DirectoryProofException(DirectoryProofFailure.ProofLengthMismatch, $"The prefix proof ends after {proof.Elements.Count} elements; a sibling at depth {depth} is still needed.");
                }

                return proof.Elements[consumed++];
            }

            var terminal = searches.FindIndex(s => proof.Results[s].Depth == depth);
            if (terminal >= 0)
            {
                return TerminalValue(depth, searches, searches[terminal]);
            }

            var left = Compute(depth + 1, searches.Where(s => Bit(searchKeys[s], depth) == 0).ToList());
            var right = Compute(depth + 1, searches.Where(s => Bit(searchKeys[s], depth) == 1).ToList());
            return ParentValue(left, right);
        }

        byte[] TerminalValue(int depth, List<int> searches, int first)
        {
            var value = LeafValue(searchKeys, commitments, proof.Results, first);
            foreach (var s in searches)
            {
                if (proof.Results[s].Depth != depth)
                {
                    throw new DirectoryProofException(
                        DirectoryProofFailure.InconsistentResult,
                        $"The search for key {s} ends at depth {proof.Results[s].Depth} but the search for key {first}, which shares its first {depth} bits, ends at depth {depth}.");
                }

                if (!LeafValue(searchKeys, commitments, proof.Results, s).AsSpan().SequenceEqual(value))
                {
                    throw new DirectoryProofException(
                        DirectoryProofFailure.InconsistentResult,
                        $"The searches for keys {first} and {s} end at the same node at depth {depth} but their results ({proof.Results[first].Type}, {proof.Results[s].Type}) give it different values.");
                }
            }

            return value;
        }
    }

    /// <summary>Verifies a proof against a prefix tree root (computing, then comparing).</summary>
    /// <param name="searchKeys">The keys searched.</param>
    /// <param name="commitments">For each key, the expected commitment when the result is an inclusion; null otherwise.</param>
    /// <param name="proof">The proof.</param>
    /// <param name="expectedRoot">The prefix tree root of the log entry.</param>
    /// <exception cref="DirectoryProofException">Any failure of <see cref="ComputeRoot"/>, or <see cref="DirectoryProofFailure.RootMismatch"/>.</exception>
    public static void Verify(IReadOnlyList<byte[]> searchKeys, IReadOnlyList<byte[]?> commitments, PrefixProof proof, ReadOnlySpan<byte> expectedRoot)
    {
        var root = ComputeRoot(searchKeys, commitments, proof);
        if (!CryptographicOperations.FixedTimeEquals(root, expectedRoot))
        {
            throw new DirectoryProofException(DirectoryProofFailure.RootMismatch, $"The prefix proof computes root {Hex(root)}; the log entry says {Hex(expectedRoot)}.");
        }
    }

    private static void CheckProofShape(IReadOnlyList<byte[]> searchKeys, IReadOnlyList<byte[]?> commitments, PrefixProof proof)
    {
        if (proof.Results.Count != searchKeys.Count || commitments.Count != searchKeys.Count)
        {
            throw new DirectoryProofException(DirectoryProofFailure.ProofLengthMismatch, $"The prefix proof has {proof.Results.Count} results for {searchKeys.Count} search keys ({commitments.Count} commitments given); there is one result per key.");
        }

        for (var i = 0; i < searchKeys.Count; i++)
        {
            var result = proof.Results[i];
            if (searchKeys[i].Length != KeyTransparencyCipherSuite.VrfOutputSize)
            {
                throw new DirectoryProofException(DirectoryProofFailure.SizeMismatch, $"Search key {i} is {searchKeys[i].Length} bytes; VRF.Nh is {KeyTransparencyCipherSuite.VrfOutputSize}.");
            }

            if (result.Depth is < 0 or > KeyBits)
            {
                throw new DirectoryProofException(DirectoryProofFailure.InconsistentResult, $"Result {i} ends at depth {result.Depth}; a search over {KeyBits}-bit keys ends at depth 0 to {KeyBits}.");
            }

            if (result.Type == PrefixSearchResultType.Inclusion && commitments[i] is not { Length: KeyTransparencyCipherSuite.HashSize })
            {
                throw new DirectoryProofException(DirectoryProofFailure.InconsistentResult, $"Result {i} is an inclusion, but no {KeyTransparencyCipherSuite.HashSize}-byte commitment was given to check it against.");
            }

            if ((result.Type == PrefixSearchResultType.NonInclusionLeaf) != result.Leaf is not null)
            {
                throw new DirectoryProofException(DirectoryProofFailure.InconsistentResult, $"Result {i} is {result.Type}; a leaf goes with nonInclusionLeaf and only with it.");
            }

            if (result.Leaf is { } leaf)
            {
                CheckOtherLeaf(i, searchKeys[i], result.Depth, leaf);
            }
        }
    }

    // A nonInclusionLeaf's leaf sits on the searched key's path, so it shares the key's first `depth`
    // bits, and it is another key's leaf (otherwise the result would be an inclusion).
    private static void CheckOtherLeaf(int index, byte[] searchKey, int depth, PrefixLeaf leaf)
    {
        if (leaf.VrfOutput.Length != KeyTransparencyCipherSuite.VrfOutputSize || leaf.Commitment.Length != KeyTransparencyCipherSuite.HashSize)
        {
            throw new DirectoryProofException(DirectoryProofFailure.SizeMismatch, $"Result {index} has a leaf of {leaf.VrfOutput.Length} + {leaf.Commitment.Length} bytes; a PrefixLeaf is {KeyTransparencyCipherSuite.VrfOutputSize} + {KeyTransparencyCipherSuite.HashSize}.");
        }

        if (leaf.VrfOutput.AsSpan().SequenceEqual(searchKey))
        {
            throw new DirectoryProofException(DirectoryProofFailure.InconsistentResult, $"Result {index} is nonInclusionLeaf but its leaf is for the searched key {Hex(searchKey)}.");
        }

        for (var bit = 0; bit < depth; bit++)
        {
            if (Bit(leaf.VrfOutput, bit) != Bit(searchKey, bit))
            {
                throw new DirectoryProofException(
                    DirectoryProofFailure.InconsistentResult,
                    $"Result {index} ends at the leaf of key {Hex(leaf.VrfOutput)} at depth {depth}, but that key differs from the searched key {Hex(searchKey)} at bit {bit}, so its leaf is not on the search path.");
            }
        }
    }

    private static byte[] LeafValue(IReadOnlyList<byte[]> searchKeys, IReadOnlyList<byte[]?> commitments, IReadOnlyList<PrefixSearchResult> results, int s) => results[s].Type switch
    {
        PrefixSearchResultType.Inclusion => new PrefixLeaf(searchKeys[s], commitments[s]!).Value(),
        PrefixSearchResultType.NonInclusionLeaf => results[s].Leaf!.Value(),
        _ => Zero,
    };

    private static byte[] ParentValue(byte[] left, byte[] right)
    {
        var message = new byte[1 + (2 * KeyTransparencyCipherSuite.HashSize)];
        message[0] = 0x03;
        left.CopyTo(message, 1);
        right.CopyTo(message, 1 + KeyTransparencyCipherSuite.HashSize);
        return KeyTransparencyCipherSuite.Hash(message);
    }

    private static int Bit(ReadOnlySpan<byte> key, int index) => (key[index >> 3] >> (7 - (index & 7))) & 1;

    private static void CheckKeys(IReadOnlyList<byte[]> searchKeys)
    {
        if (searchKeys.Count > 255)
        {
            throw new ArgumentException($"A PrefixProof holds at most 255 results; {searchKeys.Count} keys were given.", nameof(searchKeys));
        }

        foreach (var key in searchKeys)
        {
            if (key.Length != KeyTransparencyCipherSuite.VrfOutputSize)
            {
                throw new ArgumentException($"A search key is {KeyTransparencyCipherSuite.VrfOutputSize} bytes; got {key.Length}.", nameof(searchKeys));
            }
        }
    }

    private static byte[] Value(Node node) =>
        node.Value ??= node.Leaf is { } leaf ? leaf.Value() : ParentValue(node.Left is null ? Zero : Value(node.Left), node.Right is null ? Zero : Value(node.Right));

    // Section 3.3: a search that ends at a missing child gets the new leaf there; one that ends at
    // another key's leaf pushes that leaf down one level at a time until the keys' bits differ.
    private static Node Insert(Node? node, PrefixLeaf leaf, int depth)
    {
        if (node is null)
        {
            return new Node { Leaf = leaf };
        }

        if (node.Leaf is { } existing)
        {
            var parent = new Node();
            SetChild(parent, Bit(existing.VrfOutput, depth), node);
            node = parent;
        }

        node.Value = null;
        if (Bit(leaf.VrfOutput, depth) == 0)
        {
            node.Left = Insert(node.Left, leaf, depth + 1);
        }
        else
        {
            node.Right = Insert(node.Right, leaf, depth + 1);
        }

        return node;
    }

    private static void SetChild(Node parent, int bit, Node child)
    {
        if (bit == 0)
        {
            parent.Left = child;
        }
        else
        {
            parent.Right = child;
        }
    }

    private sealed class Node
    {
        public PrefixLeaf? Leaf { get; init; }

        public Node? Left { get; set; }

        public Node? Right { get; set; }

        public byte[]? Value { get; set; }
    }
}
