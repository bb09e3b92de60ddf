using System.Security.Cryptography;
namespace Pki.KeyTransparency.Merkle;

/// <summary>
/// RFC 9162 section 2.1.1 Merkle Tree Hash with SHA-256:
/// <c>MTH({}) = SHA-256()</c>, leaf <c>SHA-256(0x00 || d)</c>, node <c>SHA-256(0x01 || left || right)</c>.
/// </summary>
public sealed class Rfc9162TreeHasher : MerkleTreeHasher
{
    /// <summary>The leaf prefix, 0x00 (RFC 9162 section 2.1.1).</summary>
    public const byte LeafPrefix = 0x00;

    /// <summary>The interior node prefix, 0x01 (RFC 9162 section 2.1.1).</summary>
    public const byte NodePrefix = 0x01;

    /// <summary>Size in bytes of every hash of this strategy: 32, a SHA-256 digest.</summary>
    public const int Sha256HashSize = 32;

    private static readonly byte[] EmptyRoot = CreateEmptyRoot();

    private Rfc9162TreeHasher()
        : base(Sha256HashSize)
    {
    }

    /// <summary>The one instance to use; the strategy is stateless and thread-safe.</summary>
    public static Rfc9162TreeHasher Sha256 { get; } = new();

    /// <inheritdoc />
    public override bool HasEmptyRoot => true;

    /// <inheritdoc />
    protected override void HashLeafCore(ReadOnlySpan<byte> leafData, Span<byte> destination) =>
        Sha256Batch.HashLeaf(leafData, LeafPrefix, destination);

    /// <inheritdoc />
    protected override void HashChildrenCore(ReadOnlySpan<byte> left, bool leftIsLeaf, ReadOnlySpan<byte> right, bool rightIsLeaf, Span<byte> destination)
    {
        // "MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))" (RFC 9162 section 2.1.1).
        Span<byte> message = stackalloc byte[1 + (2 * Sha256HashSize)];
        message[0] = NodePrefix;
        left.CopyTo(message.Slice(1));
        right.CopyTo(message.Slice(1 + Sha256HashSize));
        SHA256.HashData(message, destination);
    }

    /// <inheritdoc />
    protected override void WriteEmptyRootCore(Span<byte> destination) => EmptyRoot.CopyTo(destination);

    /// <inheritdoc />
    protected internal override void HashChildrenBatchCore(ReadOnlySpan<byte> children, int count, bool childrenAreLeaves, Span<byte> destination) =>
        Sha256Batch.HashPairs(children, count, NodePrefix, -1, destination);

    /// <inheritdoc />
    protected internal override void HashLeavesBatchCore(ReadOnlySpan<ReadOnlyMemory<byte>> leaves, Span<byte> destination) =>
        Sha256Batch.HashLeaves(leaves, LeafPrefix, destination);

    private static byte[] CreateEmptyRoot()
    {
        var root = new byte[Sha256HashSize];
        SHA256.HashData(ReadOnlySpan<byte>.Empty, root);
        return root;
    }
}
