namespace Pki.KeyTransparency.Directory;

/// <summary>
/// A batched log tree proof (draft-ietf-keytrans-protocol section 12.1): the fewest heads of balanced
/// subtrees, left to right, that let a verifier compute the root from the leaves it proves and the full
/// subtrees it retained.
/// <code>
/// opaque HashValue[Hash.Nh];
///
/// struct {
///   HashValue elements&lt;0..2^16-1&gt;;
/// } InclusionProof;
/// </code>
/// </summary>
/// <param name="Elements">The balanced subtree heads, left to right.</param>
internal sealed record LogTreeInclusionProof(IReadOnlyList<byte[]> Elements)
{
    /// <summary>Encodes the proof.</summary>
    /// <returns>The TLS encoding.</returns>
    public byte[] Encode()
    {
        var writer = new TlsWriter(2 + (Elements.Count * KeyTransparencyCipherSuite.HashSize));
        HashVector.Write(writer, Elements, "InclusionProof.elements");
        return writer.ToArray();
    }

    /// <summary>Decodes a proof.</summary>
    /// <param name="encoded">The encoding, nothing after it.</param>
    /// <returns>The proof.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.Malformed"/>.</exception>
    public static LogTreeInclusionProof Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new TlsReader(encoded, "InclusionProof");
        var elements = HashVector.Read(ref reader, "elements");
        reader.End();
        return new LogTreeInclusionProof(elements);
    }
}
