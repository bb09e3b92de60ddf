namespace Pki.KeyTransparency.Directory;

/// <summary>The terminal node of a prefix tree search (draft-ietf-keytrans-protocol section 12.2), a <c>uint8</c> on the wire.</summary>
internal enum PrefixSearchResultType : byte
{
    /// <summary>A leaf for the searched key.</summary>
    Inclusion = 1,

    /// <summary>A leaf for another key; the leaf is in the result since it cannot be inferred.</summary>
    NonInclusionLeaf = 2,

    /// <summary>The stand-in leaf of a parent that lacks the searched child.</summary>
    NonInclusionParent = 3,
}

/// <summary>
/// A prefix tree leaf (section 12.2):
/// <code>
/// struct {
///   opaque vrf_output[VRF.Nh];
///   opaque commitment[Hash.Nh];
/// } PrefixLeaf;
/// </code>
/// </summary>
/// <param name="VrfOutput">The search key, <see cref="KeyTransparencyCipherSuite.VrfOutputSize"/> bytes.</param>
/// <param name="Commitment">The commitment to the label's value at that version, <see cref="KeyTransparencyCipherSuite.HashSize"/> bytes.</param>
internal sealed record PrefixLeaf(byte[] VrfOutput, byte[] Commitment)
{
    /// <summary>The leaf's value, <c>Hash(0x02 || vrf_output || commitment)</c> (section 11.9).</summary>
    /// <returns>32 bytes.</returns>
    public byte[] Value()
    {
        var message = new byte[1 + VrfOutput.Length + Commitment.Length];
        message[0] = 0x02;
        VrfOutput.CopyTo(message, 1);
        Commitment.CopyTo(message, 1 + VrfOutput.Length);
        return KeyTransparencyCipherSuite.Hash(message);
    }
}

/// <summary>
/// Where one search ended (section 12.2):
/// <code>
/// struct {
///   PrefixSearchResultType result_type;
///   select (PrefixSearchResult.result_type) {
///     case nonInclusionLeaf:
///       PrefixLeaf leaf;
///   };
///   uint8 depth;
/// } PrefixSearchResult;
/// </code>
/// </summary>
/// <param name="Type">The kind of terminal node.</param>
/// <param name="Depth">The terminal node's depth (root 0); for <see cref="PrefixSearchResultType.NonInclusionParent"/> the depth of the missing child.</param>
/// <param name="Leaf">The other key's leaf, exactly for <see cref="PrefixSearchResultType.NonInclusionLeaf"/>.</param>
internal sealed record PrefixSearchResult(PrefixSearchResultType Type, int Depth, PrefixLeaf? Leaf = null);

/// <summary>
/// A batched prefix tree search proof (section 12.2):
/// <code>
/// struct {
///   PrefixSearchResult results&lt;0..2^8-1&gt;;
///   HashValue elements&lt;0..2^16-1&gt;;
/// } PrefixProof;
/// </code>
/// </summary>
/// <param name="Results">One result per searched key, in the order requested.</param>
/// <param name="Elements">The fewest node values that hash together with the terminal leaves into the root, left to right; all-zero for a missing node.</param>
internal sealed record PrefixProof(IReadOnlyList<PrefixSearchResult> Results, IReadOnlyList<byte[]> Elements)
{
    /// <summary>Encodes the proof.</summary>
    /// <returns>The TLS encoding.</returns>
    /// <exception cref="ArgumentException">
    /// More than 255 results, a depth outside 0..255 (the draft's <c>uint8 depth</c> cannot state depth
    /// 256, which two 256-bit keys sharing 255 bits would need), or a leaf that does not match its type.
    /// </exception>
    public byte[] Encode()
    {
        var writer = new TlsWriter(3 + (Results.Count * 66) + (Elements.Count * KeyTransparencyCipherSuite.HashSize));
        Write(writer);
        return writer.ToArray();
    }

    /// <summary>Writes the proof (inside a larger structure).</summary>
    /// <param name="writer">The destination.</param>
    /// <exception cref="ArgumentException">As <see cref="Encode"/>.</exception>
    public void Write(TlsWriter writer)
    {
        writer.WriteCount(Results.Count, 1, "PrefixProof.results");
        for (var i = 0; i < Results.Count; i++)
        {
            var result = Results[i];
            if (result.Depth is < 0 or > 255)
            {
                throw new ArgumentException($"PrefixProof.results[{i}].depth is {result.Depth}; a uint8 holds 0 to 255.");
            }

            if ((result.Type == PrefixSearchResultType.NonInclusionLeaf) != result.Leaf is not null)
            {
                throw new ArgumentException($"PrefixProof.results[{i}] is {result.Type}; a leaf goes with nonInclusionLeaf and only with it.");
            }

            writer.WriteUInt8((byte)result.Type);
            if (result.Leaf is { } leaf)
            {
                writer.WriteFixed(leaf.VrfOutput);
                writer.WriteFixed(leaf.Commitment);
            }

            writer.WriteUInt8((byte)result.Depth);
        }

        HashVector.Write(writer, Elements, "PrefixProof.elements");
    }

    /// <summary>Decodes a proof.</summary>
    /// <param name="encoded">The encoding, nothing after it.</param>
    /// <returns>The proof.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.Malformed"/>: truncated, trailing bytes or an unknown result type.</exception>
    public static PrefixProof Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new TlsReader(encoded, nameof(PrefixProof));
        var proof = Read(ref reader);
        reader.End();
        return proof;
    }

    /// <summary>Reads a proof from inside a larger structure.</summary>
    /// <param name="reader">The source.</param>
    /// <returns>The proof.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.Malformed"/>.</exception>
    public static PrefixProof Read(ref TlsReader reader)
    {
        var count = reader.ReadCount(1, "results");
        var results = new PrefixSearchResult[count];
        for (var i = 0; i < count; i++)
        {
            var field = $"results[{i}]";
            var type = reader.ReadUInt8(field + ".result_type");
            if (type is < 1 or > 3)
            {
                throw reader.Fail(field + ".result_type", $"is {type}; only inclusion(1), nonInclusionLeaf(2) and nonInclusionParent(3) are defined");
            }

            PrefixLeaf? leaf = null;
            if (type == (byte)PrefixSearchResultType.NonInclusionLeaf)
            {
                leaf = new PrefixLeaf(
                    reader.ReadFixed(KeyTransparencyCipherSuite.VrfOutputSize, field + ".leaf.vrf_output"),
                    reader.ReadFixed(KeyTransparencyCipherSuite.HashSize, field + ".leaf.commitment"));
            }

            results[i] = new PrefixSearchResult((PrefixSearchResultType)type, reader.ReadUInt8(field + ".depth"), leaf);
        }

        return new PrefixProof(results, HashVector.Read(ref reader, "elements"));
    }
}
