namespace Pki.KeyTransparency.Directory;

/// <summary>
/// A search (draft-ietf-keytrans-protocol section 13.1):
/// <code>
/// struct {
///   optional&lt;uint64&gt; last;
///   opaque label&lt;0..2^8-1&gt;;
///   optional&lt;uint32&gt; version;
/// } SearchRequest;
/// </code>
/// </summary>
/// <param name="Last">The tree size of the last tree head the user verified; null for none.</param>
/// <param name="Label">The label.</param>
/// <param name="Version">The version wanted; null for the greatest.</param>
internal sealed record SearchRequest(ulong? Last, byte[] Label, uint? Version)
{
    /// <summary>Encodes the request.</summary>
    /// <returns>The TLS encoding.</returns>
    /// <exception cref="ArgumentException">The label is longer than 255 bytes.</exception>
    public byte[] Encode()
    {
        var writer = new TlsWriter(Label.Length + 16);
        writer.WriteOptionalUInt64(Last);

        writer.WriteOpaque(Label, 1, "SearchRequest.label");
        writer.WriteOptionalUInt32(Version);

        return writer.ToArray();
    }

    /// <summary>Decodes a request.</summary>
    /// <param name="encoded">The encoding, nothing after it.</param>
    /// <returns>The request.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.Malformed"/>.</exception>
    public static SearchRequest Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new TlsReader(encoded, nameof(SearchRequest));
        ulong? last = reader.ReadPresence("last") ? reader.ReadUInt64("last") : null;
        var label = reader.ReadOpaque(1, "label");
        uint? version = reader.ReadPresence("version") ? reader.ReadUInt32("version") : null;
        reader.End();
        return new SearchRequest(last, label, version);
    }
}

/// <summary>
/// A tree head as presented to users (section 11.4): <c>same</c> when the log keeps the head the user
/// advertised, or <c>updated</c> with a new <see cref="TreeHead"/>. (No <c>AuditorTreeHead</c>: Third-Party
/// Auditing is not implemented.)
/// </summary>
/// <param name="TreeHead">The new head; null for <c>head_type = same</c>.</param>
internal sealed record FullTreeHead(TreeHead? TreeHead)
{
    private const byte Same = 1;
    private const byte Updated = 2;

    /// <summary>Writes the structure (no <c>AuditorTreeHead</c>).</summary>
    /// <param name="writer">The destination.</param>
    public void Write(TlsWriter writer)
    {
        if (TreeHead is { } head)
        {
            writer.WriteUInt8(Updated);
            writer.WriteUInt64(head.TreeSize);
            writer.WriteOpaque(head.Signature, 2, "TreeHead.signature");
        }
        else
        {
            writer.WriteUInt8(Same);
        }
    }

    /// <summary>Reads the structure.</summary>
    /// <param name="reader">The source.</param>
    /// <returns>The head.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.Malformed"/>.</exception>
    public static FullTreeHead Read(ref TlsReader reader)
    {
        var headType = reader.ReadUInt8("full_tree_head.head_type");
        if (headType is not (Same or Updated))
        {
            throw reader.Fail("full_tree_head.head_type", $"is {headType}; only same(1) and updated(2) are defined");
        }

        return new FullTreeHead(headType == Updated ? new TreeHead(reader.ReadUInt64("tree_head.tree_size"), reader.ReadOpaque(2, "tree_head.signature")) : null);
    }
}

/// <summary>
/// One version of the label's binary ladder (section 13.1):
/// <code>
/// struct {
///   opaque proof[VRF.Np];
///   optional&lt;HashValue&gt; commitment;
/// } BinaryLadderStep;
/// </code>
/// </summary>
/// <param name="Proof">The VRF proof for the label-version pair.</param>
/// <param name="Commitment">The commitment to that version; absent for versions that do not exist and for the target version.</param>
internal sealed record BinaryLadderStep(byte[] Proof, byte[]? Commitment);

/// <summary>
/// The answer to a <see cref="SearchRequest"/> (section 13.1):
/// <code>
/// struct {
///   FullTreeHead full_tree_head;
///   select (SearchRequest.version) {
///     case absent:
///       uint32 version;
///   };
///   opaque opening[Nc];
///   UpdateValue value;
///   BinaryLadderStep binary_ladder&lt;0..2^8-1&gt;;
///   CombinedTreeProof search;
/// } SearchResponse;
/// </code>
/// </summary>
/// <param name="FullTreeHead">The tree head.</param>
/// <param name="Version">The greatest version, present exactly when the request named no version.</param>
/// <param name="Opening">The commitment opening of the target version.</param>
/// <param name="Value">The label's value at the target version.</param>
/// <param name="BinaryLadder">One step per version of <see cref="BinaryLadder.Versions"/> for the target version.</param>
/// <param name="Search">The update of the user's view followed by the search.</param>
internal sealed record SearchResponse(FullTreeHead FullTreeHead, uint? Version, byte[] Opening, UpdateValue Value, IReadOnlyList<BinaryLadderStep> BinaryLadder, CombinedTreeProof Search)
{
    /// <summary>Encodes the response for a log in Contact Monitoring mode (no <c>AuditorTreeHead</c>).</summary>
    /// <param name="config">The log's configuration (the mode and <c>VRF.Np</c>).</param>
    /// <returns>The TLS encoding.</returns>
    /// <exception cref="ArgumentException">A field has the wrong size, or a vector is too long.</exception>
    public byte[] Encode(LogConfiguration config)
    {
        var writer = new TlsWriter();
        FullTreeHead.Write(writer);

        if (Version is { } version)
        {
            writer.WriteUInt32(version);
        }

        if (Opening.Length != KeyTransparencyCipherSuite.OpeningSize)
        {
            throw new ArgumentException($"SearchResponse.opening is {KeyTransparencyCipherSuite.OpeningSize} bytes (Nc); got {Opening.Length}.");
        }

        writer.WriteFixed(Opening);
        Value.Write(writer, config.Mode);
        writer.WriteCount(BinaryLadder.Count, 1, "SearchResponse.binary_ladder");
        for (var i = 0; i < BinaryLadder.Count; i++)
        {
            var step = BinaryLadder[i];
            if (step.Proof.Length != config.CipherSuite.VrfProofSize || step.Commitment is { Length: not KeyTransparencyCipherSuite.HashSize })
            {
                throw new ArgumentException($"binary_ladder[{i}] has a {step.Proof.Length}-byte proof and a {step.Commitment?.Length ?? 0}-byte commitment; {config.CipherSuite.Name} needs {config.CipherSuite.VrfProofSize} and {KeyTransparencyCipherSuite.HashSize}.");
            }

            writer.WriteFixed(step.Proof);
            writer.WriteUInt8(step.Commitment is null ? (byte)0 : (byte)1);
            if (step.Commitment is { } commitment)
            {
                writer.WriteFixed(commitment);
            }
        }

        Search.Write(writer);
        return writer.ToArray();
    }

    /// <summary>Decodes a response to <paramref name="request"/>.</summary>
    /// <param name="encoded">The encoding, nothing after it.</param>
    /// <param name="config">The log's configuration.</param>
    /// <param name="request">The request answered (whether <c>version</c> is present depends on it).</param>
    /// <returns>The response.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.Malformed"/>.</exception>
    public static SearchResponse Decode(ReadOnlySpan<byte> encoded, LogConfiguration config, SearchRequest request)
    {
        var reader = new TlsReader(encoded, nameof(SearchResponse));
        var head = FullTreeHead.Read(ref reader);
        uint? version = request.Version is null ? reader.ReadUInt32("version") : null;
        var opening = reader.ReadFixed(KeyTransparencyCipherSuite.OpeningSize, "opening");
        var value = reader.ReadOpaque(4, "value.value");
        var signature = config.Mode == DeploymentMode.ThirdPartyManagement ? reader.ReadOpaque(2, "value.suffix.signature") : null;
        var steps = new BinaryLadderStep[reader.ReadCount(1, "binary_ladder")];
        for (var i = 0; i < steps.Length; i++)
        {
            var proof = reader.ReadFixed(config.CipherSuite.VrfProofSize, $"binary_ladder[{i}].proof");
            steps[i] = new BinaryLadderStep(proof, reader.ReadPresence($"binary_ladder[{i}].commitment") ? reader.ReadFixed(KeyTransparencyCipherSuite.HashSize, $"binary_ladder[{i}].commitment") : null);
        }

        var search = CombinedTreeProof.Read(ref reader);
        reader.End();
        return new SearchResponse(head, version, opening, new UpdateValue(value, signature), steps, search);
    }
}
