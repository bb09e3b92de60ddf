namespace Pki.KeyTransparency.Merkle;

/// <summary>
/// An append-only Merkle log (RFC 9162 section 2.1): append leaves, get the root at any past size,
/// and inclusion and consistency proofs between any sizes. The hashing is a
/// <see cref="MerkleTreeHasher"/> strategy (RFC 9162 by default).
/// </summary>
/// <remarks>
/// <para>
/// Storage keeps exactly the complete subtree hashes: at level <c>k</c>, the hash of every aligned
/// subtree of <c>2^k</c> leaves that is complete. That is about two hashes per leaf (64 MB for a
/// million SHA-256 leaves) and suffices for every root and proof of every past size; incomplete
/// subtrees on the right edge are recomputed from O(log n) stored hashes. An append stores one leaf
/// hash and, amortised, one parent: O(1).
/// </para>
/// <para>
/// Not thread-safe for writes: synchronise appends with every other call. Concurrent reads are safe
/// while no append runs.
/// </para>
/// </remarks>
public sealed class MerkleLog
{
    private const int BatchSize = 4096;
    private readonly List<HashStore> _levels = [];
    private readonly int _hashSize;

    /// <summary>Creates an empty log with RFC 9162 SHA-256 hashing.</summary>
    public MerkleLog()
        : this(Rfc9162TreeHasher.Sha256)
    {
    }

    /// <summary>Creates an empty log with the given hashing strategy.</summary>
    /// <param name="hasher">How leaves and nodes are hashed, e.g. <see cref="Rfc9162TreeHasher.Sha256"/> or <see cref="KeyTransparencyLogHasher"/>; fixes the hash size of every root and proof.</param>
    /// <exception cref="ArgumentNullException"><paramref name="hasher"/> is null.</exception>
    public MerkleLog(MerkleTreeHasher hasher)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        Hasher = hasher;
        _hashSize = hasher.HashSize;
        _levels.Add(new HashStore(_hashSize));
    }

    /// <summary>The strategy that hashes this log's leaves and nodes; verify its proofs with the same one.</summary>
    public MerkleTreeHasher Hasher { get; }

    /// <summary>Number of leaves appended so far; the largest tree size roots and proofs can be asked for.</summary>
    public long Size => _levels[0].Count;

    /// <summary>Bytes of hash storage currently allocated (about 2 x <see cref="Size"/> x hash size).</summary>
    public long StorageBytes
    {
        get => _levels.Sum(level => level.AllocatedBytes);
    }

    /// <summary>Hashes <paramref name="leafData"/> as a leaf and appends it.</summary>
    /// <param name="leafData">The leaf's bytes before hashing (any length); the log keeps only the hash.</param>
    /// <returns>The new leaf's 0-based index (the old <see cref="Size"/>).</returns>
    public long Append(ReadOnlySpan<byte> leafData)
    {
        Span<byte> hash = stackalloc byte[_hashSize];
        Hasher.HashLeaf(leafData, hash);
        return AppendLeafHashCore(hash);
    }

    /// <summary>Appends a leaf whose hash the caller computed with <see cref="Hasher"/>.</summary>
    /// <param name="leafHash">The leaf hash, <see cref="MerkleTreeHasher.HashSize"/> bytes.</param>
    /// <returns>The new leaf's 0-based index (the old <see cref="Size"/>).</returns>
    /// <exception cref="ArgumentException">The hash has the wrong size.</exception>
    public long AppendLeafHash(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != _hashSize)
        {
            throw new ArgumentException($"A leaf hash must be {_hashSize} bytes; got {leafHash.Length}.", nameof(leafHash));
        }

        return AppendLeafHashCore(leafHash);
    }

    /// <summary>
    /// Appends many leaves at once; leaves and new interior nodes are hashed in batches (multi-buffer
    /// SHA-256 where the CPU allows), which is much faster than appending one at a time.
    /// </summary>
    /// <param name="leaves">The leaves' bytes before hashing, in order; empty appends nothing.</param>
    /// <returns>The index of the first appended leaf (the old <see cref="Size"/>).</returns>
    public long AppendRange(ReadOnlySpan<ReadOnlyMemory<byte>> leaves)
    {
        var first = Size;
        while (!leaves.IsEmpty)
        {
            var store = _levels[0];
            var span = store.Reserve(Math.Min(leaves.Length, BatchSize), out var reserved);
            Hasher.HashLeavesBatchCore(leaves.Slice(0, reserved), span);
            store.Commit(reserved);
            leaves = leaves.Slice(reserved);
            BuildParents();
        }

        return first;
    }

    /// <summary>Appends many leaves at once (see <see cref="AppendRange(ReadOnlySpan{ReadOnlyMemory{byte}})"/>).</summary>
    /// <param name="leaves">The leaves' bytes before hashing, in order; enumerated once.</param>
    /// <returns>The index of the first appended leaf (the old <see cref="Size"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="leaves"/> or one of its elements is null (whole batches of 4096 leaves enumerated before it may already be appended).</exception>
    public long AppendRange(IEnumerable<byte[]> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        var first = Size;
        var batch = new ReadOnlyMemory<byte>[BatchSize];
        var count = 0;
        foreach (var leaf in leaves)
        {
            ArgumentNullException.ThrowIfNull(leaf, nameof(leaves));
            batch[count++] = leaf;
            if (count == BatchSize)
            {
                AppendRange(batch.AsSpan(0, count));
                count = 0;
            }
        }

        AppendRange(batch.AsSpan(0, count));
        return first;
    }

    /// <summary>The stored hash of leaf <paramref name="leafIndex"/>.</summary>
    /// <param name="leafIndex">0-based leaf index, below <see cref="Size"/>.</param>
    /// <returns>A new array of <see cref="MerkleTreeHasher.HashSize"/> bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">No such leaf.</exception>
    public byte[] GetLeafHash(long leafIndex)
    {
        if (leafIndex < 0 || leafIndex >= Size)
        {
            throw new ArgumentOutOfRangeException(nameof(leafIndex), leafIndex, $"The log has {Size} leaves.");
        }

        return _levels[0][leafIndex].ToArray();
    }

    /// <summary>The root of the whole log (RFC 9162 MTH of all leaves).</summary>
    /// <returns>A new array of <see cref="MerkleTreeHasher.HashSize"/> bytes.</returns>
    /// <exception cref="InvalidOperationException">The log is empty and the strategy defines no empty root.</exception>
    public byte[] GetRoot() => GetRoot(Size);

    /// <summary>The root the log had when it held <paramref name="treeSize"/> leaves.</summary>
    /// <param name="treeSize">0 to <see cref="Size"/>.</param>
    /// <returns>A new array of <see cref="MerkleTreeHasher.HashSize"/> bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="treeSize"/> is negative or beyond <see cref="Size"/>.</exception>
    /// <exception cref="InvalidOperationException">Size 0 and the strategy defines no empty root.</exception>
    public byte[] GetRoot(long treeSize)
    {
        var root = new byte[_hashSize];
        GetRoot(treeSize, root);
        return root;
    }

    /// <summary>Writes the root at <paramref name="treeSize"/> into <paramref name="destination"/>.</summary>
    /// <param name="treeSize">0 to <see cref="Size"/>.</param>
    /// <param name="destination">At least <see cref="MerkleTreeHasher.HashSize"/> bytes.</param>
    /// <returns>The number of bytes written: always <see cref="MerkleTreeHasher.HashSize"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="treeSize"/> is negative or beyond <see cref="Size"/>.</exception>
    /// <exception cref="ArgumentException">The destination is too small.</exception>
    /// <exception cref="InvalidOperationException">Size 0 and the strategy defines no empty root.</exception>
    public int GetRoot(long treeSize, Span<byte> destination)
    {
        CheckTreeSize(treeSize, nameof(treeSize));
        if (destination.Length < _hashSize)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; a root needs {_hashSize}.", nameof(destination));
        }

        if (treeSize == 0)
        {
            if (!Hasher.TryWriteEmptyRoot(destination))
            {
                throw new InvalidOperationException($"{Hasher.GetType().Name} defines no root for the empty tree; append a leaf first.");
            }

            return _hashSize;
        }

        SubtreeHash(0, treeSize, destination.Slice(0, _hashSize));
        return _hashSize;
    }

    /// <summary>
    /// The RFC 9162 section 2.1.3.1 inclusion proof (audit path) of leaf <paramref name="leafIndex"/> in
    /// the tree of size <paramref name="treeSize"/>: the hashes bottom-up, concatenated.
    /// </summary>
    /// <param name="leafIndex">0-based leaf index, below <paramref name="treeSize"/>.</param>
    /// <param name="treeSize">1 to <see cref="Size"/>.</param>
    /// <returns><see cref="MerkleProofVerifier.InclusionProofLength"/> hashes, back to back.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The index or size is out of range.</exception>
    public byte[] GetInclusionProof(long leafIndex, long treeSize)
    {
        CheckInclusionArguments(leafIndex, treeSize);
        var proof = new byte[MerkleProofVerifier.InclusionProofLength(leafIndex, treeSize) * _hashSize];
        WriteInclusionProof(leafIndex, treeSize, proof);
        return proof;
    }

    /// <summary>
    /// The RFC 9162 section 2.1.4.1 consistency proof between the trees of sizes
    /// <paramref name="firstSize"/> and <paramref name="secondSize"/>: the hashes, concatenated.
    /// Empty when the sizes are equal.
    /// </summary>
    /// <param name="firstSize">1 to <paramref name="secondSize"/>.</param>
    /// <param name="secondSize">Up to <see cref="Size"/>.</param>
    /// <returns><see cref="MerkleProofVerifier.ConsistencyProofLength"/> hashes, back to back.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range (a consistency proof from size 0 is undefined).</exception>
    public byte[] GetConsistencyProof(long firstSize, long secondSize)
    {
        CheckConsistencyArguments(firstSize, secondSize);
        var proof = new byte[MerkleProofVerifier.ConsistencyProofLength(firstSize, secondSize) * _hashSize];
        WriteConsistencyProof(firstSize, secondSize, proof);
        return proof;
    }

    /// <summary>Writes the inclusion proof of <see cref="GetInclusionProof"/> into <paramref name="destination"/> if it fits.</summary>
    /// <param name="leafIndex">0-based leaf index, below <paramref name="treeSize"/>.</param>
    /// <param name="treeSize">1 to <see cref="Size"/>.</param>
    /// <param name="destination">Receives the proof in its first <paramref name="bytesWritten"/> bytes (<see cref="MerkleProofVerifier.InclusionProofLength"/> hashes).</param>
    /// <param name="bytesWritten">The proof length in bytes, or 0 when it does not fit.</param>
    /// <returns>False when <paramref name="destination"/> is too small.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The index or size is out of range.</exception>
    public bool TryGetInclusionProof(long leafIndex, long treeSize, Span<byte> destination, out int bytesWritten)
    {
        CheckInclusionArguments(leafIndex, treeSize);
        return TryWriteProof(consistency: false, leafIndex, treeSize, destination, out bytesWritten);
    }

    /// <summary>Writes the consistency proof of <see cref="GetConsistencyProof"/> into <paramref name="destination"/> if it fits.</summary>
    /// <param name="firstSize">1 to <paramref name="secondSize"/>.</param>
    /// <param name="secondSize">Up to <see cref="Size"/>.</param>
    /// <param name="destination">Receives the proof in its first <paramref name="bytesWritten"/> bytes (<see cref="MerkleProofVerifier.ConsistencyProofLength"/> hashes).</param>
    /// <param name="bytesWritten">The proof length in bytes, or 0 when it does not fit.</param>
    /// <returns>False when <paramref name="destination"/> is too small.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public bool TryGetConsistencyProof(long firstSize, long secondSize, Span<byte> destination, out int bytesWritten)
    {
        CheckConsistencyArguments(firstSize, secondSize);
        return TryWriteProof(consistency: true, firstSize, secondSize, destination, out bytesWritten);
    }

    private bool TryWriteProof(bool consistency, long first, long second, Span<byte> destination, out int bytesWritten)
    {
        var hashes = consistency ? MerkleProofVerifier.ConsistencyProofLength(first, second) : MerkleProofVerifier.InclusionProofLength(first, second);
        bytesWritten = 0;
        if (destination.Length < hashes * _hashSize)
        {
            return false;
        }

        bytesWritten = hashes * _hashSize;
        if (consistency)
        {
            WriteConsistencyProof(first, second, destination.Slice(0, bytesWritten));
        }
        else
        {
            WriteInclusionProof(first, second, destination.Slice(0, bytesWritten));
        }

        return true;
    }

    private void WriteInclusionProof(long leafIndex, long treeSize, Span<byte> proof)
    {
        // PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])   for m < k
        // PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k]) for m >= k   (RFC 9162 section 2.1.3.1)
        // Walk top-down and fill from the end, so the result reads bottom-up.
        long start = 0, size = treeSize, m = leafIndex;
        var slot = proof.Length / _hashSize;
        while (size > 1)
        {
            Descend(ref start, ref size, ref m, leftWhenEqual: false, proof.Slice(--slot * _hashSize, _hashSize));
        }
    }

    private void WriteConsistencyProof(long firstSize, long secondSize, Span<byte> proof)
    {
        // SUBPROOF(m, D[m], true) = {} ; SUBPROOF(m, D[m], false) = {MTH(D[m])}
        // m <= k: SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
        // m > k:  SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])   (RFC 9162 section 2.1.4.1)
        long start = 0, size = secondSize, m = firstSize;
        var complete = true;
        var slot = proof.Length / _hashSize;
        while (m != size)
        {
            if (Descend(ref start, ref size, ref m, leftWhenEqual: true, proof.Slice(--slot * _hashSize, _hashSize)))
            {
                complete = false;
            }
        }

        if (!complete)
        {
            SubtreeHash(start, size, proof.Slice(--slot * _hashSize, _hashSize));
        }
    }

    /// <summary>
    /// One step down RFC 9162's recursion over D[start:start+size] with k the largest power of two
    /// below size: when m lies left (m &lt; k, or m &lt;= k for consistency proofs) the sibling is
    /// MTH(D[k:n]) and the window shrinks to D[0:k]; otherwise the sibling is MTH(D[0:k]) and the window
    /// moves to D[k:n]. Returns true when it moved right.
    /// </summary>
    private bool Descend(ref long start, ref long size, ref long m, bool leftWhenEqual, Span<byte> sibling)
    {
        var k = BitMath.LargestPowerOfTwoBelow(size);
        if (m < k || (leftWhenEqual && m == k))
        {
            SubtreeHash(start + k, size - k, sibling);
            size = k;
            return false;
        }

        SubtreeHash(start, k, sibling);
        start += k;
        m -= k;
        size -= k;
        return true;
    }

    private long AppendLeafHashCore(ReadOnlySpan<byte> leafHash)
    {
        var index = Size;
        _levels[0].Add(leafHash);

        // Every time a level gains the right child of a pair, the pair's parent is complete.
        Span<byte> parent = stackalloc byte[_hashSize];
        var position = index;
        for (var level = 0; (position & 1) == 1; level++)
        {
            var store = _levels[level];
            Hasher.HashChildren(store[position - 1], level == 0, store[position], level == 0, parent);
            Level(level + 1).Add(parent);
            position >>= 1;
        }

        return index;
    }

    /// <summary>Adds every parent that became complete, level by level, in batches.</summary>
    private void BuildParents()
    {
        for (var level = 0; ; level++)
        {
            var children = _levels[level];
            var parents = Level(level + 1);
            var target = children.Count / 2;
            if (parents.Count >= target)
            {
                return;
            }

            while (parents.Count < target)
            {
                var firstChild = parents.Count * 2;
                var available = (int)Math.Min(target - parents.Count, HashStore.ContiguousFrom(firstChild) / 2);
                var span = parents.Reserve(available, out var reserved);
                Hasher.HashChildrenBatchCore(children.Range(firstChild, reserved * 2), reserved, level == 0, span);
                parents.Commit(reserved);
            }
        }
    }

    private HashStore Level(int level)
    {
        if (level == _levels.Count)
        {
            _levels.Add(new HashStore(_hashSize));
        }

        return _levels[level];
    }

    /// <summary>
    /// MTH(D[start:start+size]) for a subtree that RFC 9162's recursion produces: <paramref name="start"/>
    /// is a multiple of the largest power of two not above <paramref name="size"/>, so the subtree is a
    /// run of stored complete subtrees of decreasing size, folded right to left.
    /// </summary>
    internal void SubtreeHash(long start, long size, Span<byte> destination)
    {
        var pieces = BitMath.PopCount((ulong)size);
        if (pieces == 1)
        {
            var level = BitMath.Log2((ulong)size);
            _levels[level][start >> level].CopyTo(destination);
            return;
        }

        // Rightmost piece first (the smallest), then fold each larger piece on the left.
        Span<byte> accumulator = stackalloc byte[_hashSize];
        Span<byte> scratch = stackalloc byte[_hashSize];
        var end = start + size;
        var lowest = BitMath.TrailingZeroCount((ulong)size);
        var pieceStart = end - (1L << lowest);
        _levels[lowest][pieceStart >> lowest].CopyTo(accumulator);
        var accumulatorIsLeaf = lowest == 0;
        var remaining = (ulong)size & ~(1UL << lowest);
        while (remaining != 0)
        {
            var level = BitMath.TrailingZeroCount(remaining);
            pieceStart -= 1L << level;
            Hasher.HashChildren(_levels[level][pieceStart >> level], level == 0, accumulator, accumulatorIsLeaf, scratch);
            scratch.CopyTo(accumulator);
            accumulatorIsLeaf = false;
            remaining &= remaining - 1;
        }

        accumulator.CopyTo(destination);
    }

    private void CheckInclusionArguments(long leafIndex, long treeSize)
    {
        CheckTreeSize(treeSize, nameof(treeSize));
        if (leafIndex < 0 || leafIndex >= treeSize)
        {
            throw new ArgumentOutOfRangeException(nameof(leafIndex), leafIndex, $"The leaf index must be below the tree size {treeSize}.");
        }
    }

    private void CheckConsistencyArguments(long firstSize, long secondSize)
    {
        CheckTreeSize(secondSize, nameof(secondSize));
        if (firstSize < 1 || firstSize > secondSize)
        {
            throw new ArgumentOutOfRangeException(nameof(firstSize), firstSize, $"The first size must be 1 to the second size {secondSize}.");
        }
    }

    private void CheckTreeSize(long treeSize, string name)
    {
        if (treeSize < 0 || treeSize > Size)
        {
            throw new ArgumentOutOfRangeException(name, treeSize, $"The tree size must be 0 to the log size {Size}.");
        }
    }
}
