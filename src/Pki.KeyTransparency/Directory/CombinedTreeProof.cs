namespace Pki.KeyTransparency.Directory;

/// <summary>
/// The data a user needs to run the combined tree algorithms (draft-ietf-keytrans-protocol section 12.3),
/// in the order the algorithms ask for it:
/// <code>
/// struct {
///   uint64 timestamps&lt;0..2^8-1&gt;;
///   PrefixProof prefix_proofs&lt;0..2^8-1&gt;;
///   HashValue prefix_roots&lt;0..2^8-1&gt;;
///
///   InclusionProof inclusion;
/// } CombinedTreeProof;
/// </code>
/// </summary>
/// <param name="Timestamps">Timestamps (milliseconds) of the log entries, the first time each is needed.</param>
/// <param name="PrefixProofs">One search proof per series of lookups, in the order they are made.</param>
/// <param name="PrefixRoots">Prefix tree roots of entries with a timestamp here but no proof, left to right.</param>
/// <param name="Inclusion">The log tree proof for those entries, from the user's retained full subtrees.</param>
internal sealed record CombinedTreeProof(IReadOnlyList<ulong> Timestamps, IReadOnlyList<PrefixProof> PrefixProofs, IReadOnlyList<byte[]> PrefixRoots, LogTreeInclusionProof Inclusion)
{
    /// <summary>Writes the structure (vector lengths count elements, section 2.1.2).</summary>
    /// <param name="writer">The destination.</param>
    /// <exception cref="ArgumentException">A vector holds more than 255 elements, or an element has the wrong size.</exception>
    public void Write(TlsWriter writer)
    {
        writer.WriteCount(Timestamps.Count, 1, "CombinedTreeProof.timestamps");
        foreach (var timestamp in Timestamps)
        {
            writer.WriteUInt64(timestamp);
        }

        writer.WriteCount(PrefixProofs.Count, 1, "CombinedTreeProof.prefix_proofs");
        foreach (var proof in PrefixProofs)
        {
            proof.Write(writer);
        }

        writer.WriteCount(PrefixRoots.Count, 1, "CombinedTreeProof.prefix_roots");
        for (var i = 0; i < PrefixRoots.Count; i++)
        {
            if (PrefixRoots[i].Length != KeyTransparencyCipherSuite.HashSize)
            {
                throw new ArgumentException($"CombinedTreeProof.prefix_roots[{i}] is {PrefixRoots[i].Length} bytes; a HashValue is {KeyTransparencyCipherSuite.HashSize}.");
            }

            writer.WriteFixed(PrefixRoots[i]);
        }

        HashVector.Write(writer, Inclusion.Elements, "CombinedTreeProof.inclusion.elements");
    }

    /// <summary>Reads the structure.</summary>
    /// <param name="reader">The source.</param>
    /// <returns>The proof.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.Malformed"/>.</exception>
    public static CombinedTreeProof Read(ref TlsReader reader)
    {
        var timestamps = new ulong[reader.ReadCount(1, "timestamps")];
        for (var i = 0; i < timestamps.Length; i++)
        {
            timestamps[i] = reader.ReadUInt64($"timestamps[{i}]");
        }

        var proofs = new PrefixProof[reader.ReadCount(1, "prefix_proofs")];
        for (var i = 0; i < proofs.Length; i++)
        {
            proofs[i] = PrefixProof.Read(ref reader);
        }

        var roots = new byte[reader.ReadCount(1, "prefix_roots")][];
        for (var i = 0; i < roots.Length; i++)
        {
            roots[i] = reader.ReadFixed(KeyTransparencyCipherSuite.HashSize, $"prefix_roots[{i}]");
        }

        return new CombinedTreeProof(timestamps, proofs, roots, new LogTreeInclusionProof(HashVector.Read(ref reader, "inclusion.elements")));
    }
}
