namespace Pki.KeyTransparency.Merkle;

/// <summary>
/// How a Merkle log hashes its leaves and interior nodes. The log's shape (RFC 9162 section 2.1:
/// the left subtree holds the largest power of two smaller than the size), its storage and its proofs
/// are the same for every strategy; only the node encoding differs.
/// </summary>
/// <remarks>
/// Implementations MUST be deterministic and thread-safe, MUST always write exactly
/// <see cref="HashSize"/> bytes, and MUST NOT keep references to the spans they are given.
/// Two strategies ship: <see cref="Rfc9162TreeHasher"/> (certificate transparency, RFC 9162) and
/// <see cref="KeyTransparencyLogHasher"/> (the key transparency protocol's log tree).
/// </remarks>
public abstract class MerkleTreeHasher
{
    /// <summary>Creates a strategy whose hashes are <paramref name="hashSize"/> bytes long.</summary>
    /// <param name="hashSize">Output size in bytes, 1 to 64.</param>
    protected MerkleTreeHasher(int hashSize)
    {
        if (hashSize is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(hashSize), hashSize, "A Merkle hash is 1 to 64 bytes long.");
        }

        HashSize = hashSize;
    }

    /// <summary>Size in bytes of every leaf, node and root hash.</summary>
    public int HashSize { get; }

    /// <summary>
    /// True when the strategy defines a root for the empty tree (RFC 9162: the hash of the empty
    /// string); false when a tree of size 0 has no root.
    /// </summary>
    public abstract bool HasEmptyRoot { get; }

    /// <summary>Hashes a leaf's input into a new array.</summary>
    /// <param name="leafData">The leaf input (for RFC 9162, the entry itself).</param>
    /// <returns>The leaf hash, <see cref="HashSize"/> bytes.</returns>
    public byte[] HashLeaf(ReadOnlySpan<byte> leafData)
    {
        var result = new byte[HashSize];
        HashLeafCore(leafData, result);
        return result;
    }

    /// <summary>Hashes a leaf's input into <paramref name="destination"/>.</summary>
    /// <param name="leafData">The leaf's bytes before hashing, any length (for RFC 9162, the entry itself).</param>
    /// <param name="destination">At least <see cref="HashSize"/> bytes.</param>
    /// <returns>The number of bytes written, always <see cref="HashSize"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    public int HashLeaf(ReadOnlySpan<byte> leafData, Span<byte> destination)
    {
        if (!TryHashLeaf(leafData, destination, out var written))
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; a leaf hash needs {HashSize}.", nameof(destination));
        }

        return written;
    }

    /// <summary>Hashes a leaf's input into <paramref name="destination"/> if it is large enough.</summary>
    /// <param name="leafData">The leaf's bytes before hashing, any length.</param>
    /// <param name="destination">Receives the hash in its first <see cref="HashSize"/> bytes; left untouched when shorter.</param>
    /// <param name="bytesWritten"><see cref="HashSize"/> on success, 0 otherwise.</param>
    /// <returns>False when <paramref name="destination"/> is shorter than <see cref="HashSize"/>.</returns>
    public bool TryHashLeaf(ReadOnlySpan<byte> leafData, Span<byte> destination, out int bytesWritten)
    {
        if (destination.Length < HashSize)
        {
            bytesWritten = 0;
            return false;
        }

        HashLeafCore(leafData, destination.Slice(0, HashSize));
        bytesWritten = HashSize;
        return true;
    }

    /// <summary>Hashes two sibling subtree hashes into their parent's hash.</summary>
    /// <param name="left">The left child's hash, <see cref="HashSize"/> bytes.</param>
    /// <param name="leftIsLeaf">True when the left child is a single leaf (a subtree of size 1).</param>
    /// <param name="right">The right child's hash, <see cref="HashSize"/> bytes.</param>
    /// <param name="rightIsLeaf">True when the right child is a single leaf.</param>
    /// <param name="destination">At least <see cref="HashSize"/> bytes; may overlap neither input.</param>
    /// <exception cref="ArgumentException">A child hash has the wrong size or the destination is too small.</exception>
    public void HashChildren(ReadOnlySpan<byte> left, bool leftIsLeaf, ReadOnlySpan<byte> right, bool rightIsLeaf, Span<byte> destination)
    {
        CheckHash(left, nameof(left));
        CheckHash(right, nameof(right));
        if (destination.Length < HashSize)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; a node hash needs {HashSize}.", nameof(destination));
        }

        HashChildrenCore(left, leftIsLeaf, right, rightIsLeaf, destination.Slice(0, HashSize));
    }

    /// <summary>Writes the root of the empty tree, if the strategy defines one.</summary>
    /// <param name="destination">At least <see cref="HashSize"/> bytes.</param>
    /// <returns>False when <see cref="HasEmptyRoot"/> is false or the destination is too small.</returns>
    public bool TryWriteEmptyRoot(Span<byte> destination)
    {
        if (!HasEmptyRoot || destination.Length < HashSize)
        {
            return false;
        }

        WriteEmptyRootCore(destination.Slice(0, HashSize));
        return true;
    }

    /// <summary>Hashes one leaf input; <paramref name="destination"/> is exactly <see cref="HashSize"/> bytes.</summary>
    /// <param name="leafData">The leaf's bytes before hashing, any length.</param>
    /// <param name="destination">Exactly <see cref="HashSize"/> bytes.</param>
    protected abstract void HashLeafCore(ReadOnlySpan<byte> leafData, Span<byte> destination);

    /// <summary>Hashes two children; all spans are exactly <see cref="HashSize"/> bytes.</summary>
    /// <param name="left">The left child's hash.</param>
    /// <param name="leftIsLeaf">True when the left child is a leaf.</param>
    /// <param name="right">The right child's hash.</param>
    /// <param name="rightIsLeaf">True when the right child is a leaf.</param>
    /// <param name="destination">Exactly <see cref="HashSize"/> bytes.</param>
    protected abstract void HashChildrenCore(ReadOnlySpan<byte> left, bool leftIsLeaf, ReadOnlySpan<byte> right, bool rightIsLeaf, Span<byte> destination);

    /// <summary>Writes the empty tree's root; called only when <see cref="HasEmptyRoot"/> is true.</summary>
    /// <param name="destination">Exactly <see cref="HashSize"/> bytes.</param>
    protected abstract void WriteEmptyRootCore(Span<byte> destination);

    /// <summary>
    /// Hashes <paramref name="count"/> independent sibling pairs. <paramref name="children"/> holds the
    /// pairs back to back (left, right, left, right...), each hash <see cref="HashSize"/> bytes;
    /// <paramref name="destination"/> receives the parents back to back. Overriding this lets a strategy
    /// hash many nodes at once (the SHA-256 strategies use multi-buffer SIMD).
    /// </summary>
    /// <param name="children">2 x <paramref name="count"/> hashes.</param>
    /// <param name="count">Number of parents to compute.</param>
    /// <param name="childrenAreLeaves">True when every child is a single leaf.</param>
    /// <param name="destination"><paramref name="count"/> hashes.</param>
    protected internal virtual void HashChildrenBatchCore(ReadOnlySpan<byte> children, int count, bool childrenAreLeaves, Span<byte> destination)
    {
        var size = HashSize;
        for (var i = 0; i < count; i++)
        {
            var pair = children.Slice(2 * i * size, 2 * size);
            HashChildrenCore(pair.Slice(0, size), childrenAreLeaves, pair.Slice(size, size), childrenAreLeaves, destination.Slice(i * size, size));
        }
    }

    /// <summary>
    /// Hashes many leaf inputs into <paramref name="destination"/> (back to back). Overriding this lets
    /// a strategy hash many leaves at once.
    /// </summary>
    /// <param name="leaves">The leaves' bytes before hashing, in order.</param>
    /// <param name="destination"><c>leaves.Length</c> hashes.</param>
    protected internal virtual void HashLeavesBatchCore(ReadOnlySpan<ReadOnlyMemory<byte>> leaves, Span<byte> destination)
    {
        var size = HashSize;
        for (var i = 0; i < leaves.Length; i++)
        {
            HashLeafCore(leaves[i].Span, destination.Slice(i * size, size));
        }
    }

    private void CheckHash(ReadOnlySpan<byte> hash, string name)
    {
        if (hash.Length != HashSize)
        {
            throw new ArgumentException($"A child hash must be {HashSize} bytes; got {hash.Length}.", name);
        }
    }
}
