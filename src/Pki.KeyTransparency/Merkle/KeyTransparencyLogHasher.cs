using System.Security.Cryptography;
using System.Buffers.Binary;

namespace Pki.KeyTransparency.Merkle;

/// <summary>
/// The key transparency protocol's log tree hashing (draft-ietf-keytrans-protocol, "Log Tree") with
/// SHA-256. A leaf's value is <c>Hash(LogEntry)</c>, where <c>LogEntry</c> is
/// <c>uint64 timestamp || opaque prefix_tree[Nh]</c> (see <see cref="EncodeLogEntry"/>); a parent's value is
/// <c>Hash(hashContent(left) || hashContent(right))</c> with <c>hashContent(leaf) = 0x00 || value</c> and
/// <c>hashContent(parent) = 0x01 || value</c>. The protocol defines no empty tree, so a log using this
/// strategy has no root at size 0.
/// </summary>
public sealed class KeyTransparencyLogHasher : MerkleTreeHasher
{
    /// <summary>Size in bytes of every hash of this strategy: 32 (SHA-256, the protocol's <c>Hash.Nh</c>).</summary>
    public const int Sha256HashSize = 32;

    /// <summary>Size of an encoded <c>LogEntry</c>: 8-byte timestamp plus a <c>Hash.Nh</c> prefix tree root.</summary>
    public const int LogEntrySize = 8 + Sha256HashSize;

    private const byte LeafTag = 0x00;
    private const byte ParentTag = 0x01;

    private KeyTransparencyLogHasher()
        : base(Sha256HashSize)
    {
    }

    /// <summary>The one instance to use; the strategy is stateless and thread-safe.</summary>
    public static KeyTransparencyLogHasher Sha256 { get; } = new();

    /// <inheritdoc />
    public override bool HasEmptyRoot => false;

    /// <summary>
    /// Encodes a <c>LogEntry</c> (TLS presentation language):
    /// <code>
    /// struct {
    ///   uint64 timestamp;              // milliseconds since the Unix epoch, big-endian
    ///   opaque prefix_tree[Hash.Nh];   // root of the prefix tree after this update
    /// } LogEntry;
    /// </code>
    /// </summary>
    /// <param name="timestampMilliseconds">Milliseconds since the Unix epoch.</param>
    /// <param name="prefixTreeRoot">The prefix tree root, <see cref="Sha256HashSize"/> bytes.</param>
    /// <returns>The <see cref="LogEntrySize"/>-byte encoding, the leaf input of this strategy.</returns>
    /// <exception cref="ArgumentException">The prefix tree root is not 32 bytes.</exception>
    public static byte[] EncodeLogEntry(ulong timestampMilliseconds, ReadOnlySpan<byte> prefixTreeRoot)
    {
        if (prefixTreeRoot.Length != Sha256HashSize)
        {
            throw new ArgumentException($"The prefix tree root must be {Sha256HashSize} bytes; got {prefixTreeRoot.Length}.", nameof(prefixTreeRoot));
        }

        var entry = new byte[LogEntrySize];
        BinaryPrimitives.WriteUInt64BigEndian(entry, timestampMilliseconds);
        prefixTreeRoot.CopyTo(entry.AsSpan(8));
        return entry;
    }

    /// <inheritdoc />
    protected override void HashLeafCore(ReadOnlySpan<byte> leafData, Span<byte> destination) =>
        SHA256.HashData(leafData, destination);

    /// <inheritdoc />
    protected override void HashChildrenCore(ReadOnlySpan<byte> left, bool leftIsLeaf, ReadOnlySpan<byte> right, bool rightIsLeaf, Span<byte> destination)
    {
        // parent.value = Hash(hashContent(parent.leftChild) || hashContent(parent.rightChild))
        Span<byte> message = stackalloc byte[2 + (2 * Sha256HashSize)];
        message[0] = leftIsLeaf ? LeafTag : ParentTag;
        left.CopyTo(message.Slice(1));
        message[1 + Sha256HashSize] = rightIsLeaf ? LeafTag : ParentTag;
        right.CopyTo(message.Slice(2 + Sha256HashSize));
        SHA256.HashData(message, destination);
    }

    /// <inheritdoc />
    protected override void WriteEmptyRootCore(Span<byte> destination) =>
        throw new NotSupportedException("The key transparency log tree has no empty root.");

    /// <inheritdoc />
    protected internal override void HashChildrenBatchCore(ReadOnlySpan<byte> children, int count, bool childrenAreLeaves, Span<byte> destination)
    {
        var tag = childrenAreLeaves ? LeafTag : ParentTag;
        Sha256Batch.HashPairs(children, count, tag, tag, destination);
    }

    /// <inheritdoc />
    protected internal override void HashLeavesBatchCore(ReadOnlySpan<ReadOnlyMemory<byte>> leaves, Span<byte> destination) =>
        Sha256Batch.HashLeaves(leaves, -1, destination);
}
