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

    /// <summary>Size in bytes of a signature from either algorithm: 64 (ECDSA P-256 as IEEE P1363 <c>r || s</c>, or Ed25519).</summary>
    public const int SignatureSize = 64;

    private const int FixedHeaderSize = 1 + 1 + 8 + 8 + 1;
    private static readonly byte[] Context = Encoding.ASCII.GetBytes("Pki.KeyTransparency.TreeHead.v1\0");
    private readonly byte[] _rootHash;
    private readonly byte[] _signature;

    /// <summary>Creates a signed tree head from its parts (use <see cref="TreeHeadSigner"/> to produce one).</summary>
    /// <param name="treeSize">Number of leaves, at least 0.</param>
    /// <param name="rootHash">The root, 1 to 255 bytes (copied).</param>
    /// <param name="timestamp">When the head was signed, not before the Unix epoch; truncated to the millisecond.</param>
    /// <param name="algorithm">The algorithm that made <paramref name="signature"/>; must be a defined <see cref="TreeHeadSignatureAlgorithm"/>.</param>
    /// <param name="signature">The signature over <see cref="CreateSignedData(long, ReadOnlySpan{byte}, DateTimeOffset, TreeHeadSignatureAlgorithm)"/>, 1 to 65535 bytes (copied; not checked here).</param>
    /// <exception cref="ArgumentException">A part is out of range (<see cref="ArgumentOutOfRangeException"/> for the size, algorithm and timestamp).</exception>
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

    /// <summary>Number of leaves the log had when it signed this head; the tree size to ask proofs for.</summary>
    public long TreeSize { get; }

    /// <summary>The root hash at <see cref="TreeSize"/>.</summary>
    public ReadOnlySpan<byte> RootHash => _rootHash;

    /// <summary>When the head was signed, to the millisecond.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The algorithm of <see cref="Signature"/>; a <see cref="TreeHeadVerifier"/> accepts only its own.</summary>
    public TreeHeadSignatureAlgorithm Algorithm { get; }

    /// <summary>The signature over <see cref="CreateSignedData()"/>.</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>The exact bytes the signature covers: the context string, 0x00, and the encoded TreeHeadTBS.</summary>
    /// <param name="treeSize">Number of leaves, at least 0.</param>
    /// <param name="rootHash">The root, 1 to 255 bytes.</param>
    /// <param name="timestamp">The signing time; only whole milliseconds since the Unix epoch are encoded.</param>
    /// <param name="algorithm">The algorithm that will sign; it is part of the signed bytes.</param>
    /// <returns>A new array to pass to the signing or verifying primitive.</returns>
    public static byte[] CreateSignedData(long treeSize, ReadOnlySpan<byte> rootHash, DateTimeOffset timestamp, TreeHeadSignatureAlgorithm algorithm)
    {
        var data = new byte[Context.Length + FixedHeaderSize + rootHash.Length];
        Context.CopyTo(data, 0);
        WriteTbs(data.AsSpan(Context.Length), treeSize, rootHash, timestamp.ToUnixTimeMilliseconds(), algorithm);
        return data;
    }

    /// <summary>The exact bytes <see cref="Signature"/> covers for this head (see the static overload).</summary>
    /// <returns>A new array to pass to the verifying primitive.</returns>
    public byte[] CreateSignedData() => CreateSignedData(TreeSize, _rootHash, Timestamp, Algorithm);

    /// <summary>Encodes the head (TreeHeadTBS then the signature).</summary>
    /// <returns>A new array in the wire format of the class summary; <see cref="Decode"/> reads it back.</returns>
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
    /// <param name="encoded">Exactly one encoded head, as written by <see cref="Encode"/>; trailing bytes are an error.</param>
    /// <returns>The decoded head, not yet trusted.</returns>
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
    /// <summary>Creates the exception with a generic message; <see cref="Offset"/> is 0.</summary>
    public SignedTreeHeadFormatException()
    {
    }

    /// <summary>Creates the exception with a message; <see cref="Offset"/> is 0.</summary>
    /// <param name="message">What is malformed.</param>
    public SignedTreeHeadFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause; <see cref="Offset"/> is 0.</summary>
    /// <param name="message">What is malformed.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public SignedTreeHeadFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the offset of the problem.</summary>
    /// <param name="message">What is malformed.</param>
    /// <param name="offset">0-based byte offset in the encoding where decoding failed.</param>
    public SignedTreeHeadFormatException(string message, int offset)
        : base(message) => Offset = offset;

    /// <summary>0-based byte offset in the encoding where decoding failed (0 when not known).</summary>
    public int Offset { get; }
}
