using System.Buffers.Binary;
using System.Text;

namespace Pki.KeyTransparency.TreeHeads;

/// <summary>
/// A log's signed statement of its size, root and time. Encoding (big-endian, TLS presentation
/// language):
/// <code>
/// struct {
///   uint8  version;                  // 1
///   uint8  signature_algorithm;      // TreeHeadSignatureAlgorithm: 1 ECDSA P-256 SHA-256, 2 Ed25519
///   uint64 tree_size;
///   uint64 timestamp;                // milliseconds since the Unix epoch
///   opaque root_hash&lt;1..2^8-1&gt;;    // one length byte, then the root
/// } TreeHeadTBS;
///
/// struct {
///   TreeHeadTBS tbs;
///   opaque signature&lt;1..2^16-1&gt;;   // two length bytes, then the signature
/// } SignedTreeHead;
/// </code>
/// The signature covers <c>"Pki.KeyTransparency.TreeHead.v1" || 0x00 || TreeHeadTBS</c>, so it cannot be
/// replayed as a signature over any other structure.
/// </summary>
public sealed class SignedTreeHead
{
    /// <summary>The encoding version this class writes and reads.</summary>
    public const byte Version = 1;

    /// <summary>The signature size of both algorithms.</summary>
    public const int SignatureSize = 64;

    private const int FixedHeaderSize = 1 + 1 + 8 + 8 + 1;
    private static readonly byte[] Context = Encoding.ASCII.GetBytes("Pki.KeyTransparency.TreeHead.v1\0");
    private readonly byte[] _rootHash;
    private readonly byte[] _signature;

    /// <summary>Creates a signed tree head from its parts (use <see cref="TreeHeadSigner"/> to produce one).</summary>
    /// <param name="treeSize">Number of leaves, at least 0.</param>
    /// <param name="rootHash">The root, 1 to 255 bytes.</param>
    /// <param name="timestamp">When the head was signed (millisecond precision).</param>
    /// <param name="algorithm">The signature algorithm.</param>
    /// <param name="signature">The signature.</param>
    /// <exception cref="ArgumentException">A part is out of range.</exception>
    public SignedTreeHead(long treeSize, ReadOnlySpan<byte> rootHash, DateTimeOffset timestamp, TreeHeadSignatureAlgorithm algorithm, ReadOnlySpan<byte> signature)
    {
        if (treeSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(treeSize), treeSize, "The tree size is negative.");
        }

        if (rootHash.Length is < 1 or > 255)
        {
            throw new ArgumentException($"The root hash must be 1 to 255 bytes; got {rootHash.Length}.", nameof(rootHash));
        }

        if (!IsKnown(algorithm))
        {
            throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown tree head signature algorithm.");
        }

        if (timestamp.ToUnixTimeMilliseconds() < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(timestamp), timestamp, "The timestamp is before the Unix epoch.");
        }

        if (signature.Length is < 1 or > ushort.MaxValue)
        {
            throw new ArgumentException($"The signature must be 1 to 65535 bytes; got {signature.Length}.", nameof(signature));
        }

        TreeSize = treeSize;
        _rootHash = rootHash.ToArray();
        Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(timestamp.ToUnixTimeMilliseconds());
        Algorithm = algorithm;
        _signature = signature.ToArray();
    }

    /// <summary>Number of leaves.</summary>
    public long TreeSize { get; }

    /// <summary>The root hash at <see cref="TreeSize"/>.</summary>
    public ReadOnlySpan<byte> RootHash => _rootHash;

    /// <summary>When the head was signed, to the millisecond.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The signature algorithm.</summary>
    public TreeHeadSignatureAlgorithm Algorithm { get; }

    /// <summary>The signature over <see cref="CreateSignedData()"/>.</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>The exact bytes the signature covers: the context string, 0x00, and the encoded TreeHeadTBS.</summary>
    /// <param name="treeSize">Number of leaves.</param>
    /// <param name="rootHash">The root, 1 to 255 bytes.</param>
    /// <param name="timestamp">The time (millisecond precision).</param>
    /// <param name="algorithm">The signature algorithm.</param>
    /// <returns>The signed data.</returns>
    public static byte[] CreateSignedData(long treeSize, ReadOnlySpan<byte> rootHash, DateTimeOffset timestamp, TreeHeadSignatureAlgorithm algorithm)
    {
        var data = new byte[Context.Length + FixedHeaderSize + rootHash.Length];
        Context.CopyTo(data, 0);
        WriteTbs(data.AsSpan(Context.Length), treeSize, rootHash, timestamp.ToUnixTimeMilliseconds(), algorithm);
        return data;
    }

    /// <summary>The signed data of this head.</summary>
    /// <returns>The signed data.</returns>
    public byte[] CreateSignedData() => CreateSignedData(TreeSize, _rootHash, Timestamp, Algorithm);

    /// <summary>Encodes the head (TreeHeadTBS then the signature).</summary>
    /// <returns>The encoding.</returns>
    public byte[] Encode()
    {
        var tbsLength = FixedHeaderSize + _rootHash.Length;
        var encoded = new byte[tbsLength + 2 + _signature.Length];
        WriteTbs(encoded, TreeSize, _rootHash, Timestamp.ToUnixTimeMilliseconds(), Algorithm);
        BinaryPrimitives.WriteUInt16BigEndian(encoded.AsSpan(tbsLength), (ushort)_signature.Length);
        _signature.CopyTo(encoded, tbsLength + 2);
        return encoded;
    }

    /// <summary>Decodes an encoded head; the signature is not checked (use <see cref="TreeHeadVerifier"/>).</summary>
    /// <param name="encoded">The encoding.</param>
    /// <returns>The head.</returns>
    /// <exception cref="SignedTreeHeadFormatException">The bytes are not a well-formed head; the offset says where.</exception>
    public static SignedTreeHead Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length < FixedHeaderSize)
        {
            throw new SignedTreeHeadFormatException($"A signed tree head is at least {FixedHeaderSize + 3} bytes; got {encoded.Length}.", encoded.Length);
        }

        if (encoded[0] != Version)
        {
            throw new SignedTreeHeadFormatException($"Unsupported signed tree head version {encoded[0]}; this library reads version {Version}.", 0);
        }

        var algorithm = (TreeHeadSignatureAlgorithm)encoded[1];
        if (!IsKnown(algorithm))
        {
            throw new SignedTreeHeadFormatException($"Unknown signature algorithm {encoded[1]} (1 is ECDSA P-256 SHA-256, 2 is Ed25519).", 1);
        }

        var size = BinaryPrimitives.ReadUInt64BigEndian(encoded.Slice(2));
        if (size > long.MaxValue)
        {
            throw new SignedTreeHeadFormatException($"The tree size {size} is out of range.", 2);
        }

        var milliseconds = BinaryPrimitives.ReadUInt64BigEndian(encoded.Slice(10));
        if (milliseconds > 253402300799999UL)
        {
            throw new SignedTreeHeadFormatException($"The timestamp {milliseconds} ms is after the year 9999.", 10);
        }

        var rootLength = encoded[18];
        if (rootLength == 0)
        {
            throw new SignedTreeHeadFormatException("The root hash is empty.", 18);
        }

        var signatureOffset = FixedHeaderSize + rootLength;
        if (encoded.Length < signatureOffset + 2)
        {
            throw new SignedTreeHeadFormatException($"The head ends inside the root hash or the signature length (needs {signatureOffset + 2} bytes, has {encoded.Length}).", encoded.Length);
        }

        var signatureLength = BinaryPrimitives.ReadUInt16BigEndian(encoded.Slice(signatureOffset));
        var end = signatureOffset + 2 + signatureLength;
        if (signatureLength == 0 || encoded.Length != end)
        {
            throw new SignedTreeHeadFormatException(
                encoded.Length > end ? $"{encoded.Length - end} bytes of trailing garbage after the signature." : $"The signature is declared as {signatureLength} bytes but {encoded.Length - signatureOffset - 2} follow.",
                Math.Min(end, encoded.Length));
        }

        return new SignedTreeHead(
            (long)size,
            encoded.Slice(FixedHeaderSize, rootLength),
            DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds),
            algorithm,
            encoded.Slice(signatureOffset + 2, signatureLength));
    }

    private static bool IsKnown(TreeHeadSignatureAlgorithm algorithm) =>
        algorithm is TreeHeadSignatureAlgorithm.EcdsaP256Sha256 or TreeHeadSignatureAlgorithm.Ed25519;

    private static void WriteTbs(Span<byte> destination, long treeSize, ReadOnlySpan<byte> rootHash, long milliseconds, TreeHeadSignatureAlgorithm algorithm)
    {
        if (treeSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(treeSize), treeSize, "The tree size is negative.");
        }

        if (rootHash.Length is < 1 or > 255)
        {
            throw new ArgumentException($"The root hash must be 1 to 255 bytes; got {rootHash.Length}.", nameof(rootHash));
        }

        if (milliseconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(milliseconds), milliseconds, "The timestamp is before the Unix epoch.");
        }

        destination[0] = Version;
        destination[1] = (byte)algorithm;
        BinaryPrimitives.WriteUInt64BigEndian(destination.Slice(2), (ulong)treeSize);
        BinaryPrimitives.WriteUInt64BigEndian(destination.Slice(10), (ulong)milliseconds);
        destination[18] = (byte)rootHash.Length;
        rootHash.CopyTo(destination.Slice(FixedHeaderSize));
    }
}

/// <summary>An encoded signed tree head is malformed.</summary>
public sealed class SignedTreeHeadFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public SignedTreeHeadFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The explanation.</param>
    public SignedTreeHeadFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">The explanation.</param>
    /// <param name="innerException">The cause.</param>
    public SignedTreeHeadFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the offset of the problem.</summary>
    /// <param name="message">The explanation.</param>
    /// <param name="offset">Byte offset where decoding failed.</param>
    public SignedTreeHeadFormatException(string message, int offset)
        : base(message) => Offset = offset;

    /// <summary>Byte offset where decoding failed.</summary>
    public int Offset { get; }
}
