namespace Pki.KeyTransparency.Directory;

/// <summary>
/// One entry of a user's monitoring map (sections 8.2 and 13.2):
/// <code>
/// struct {
///   uint64 position;
///   uint32 version;
/// } MonitorMapEntry;
/// </code>
/// </summary>
/// <param name="Position">The log entry.</param>
/// <param name="Version">The greatest version of the label proven to exist there.</param>
internal sealed record MonitorMapEntry(ulong Position, uint Version);

/// <summary>
/// A request to monitor label versions the user looked up (section 13.2):
/// <code>
/// struct {
///   optional&lt;uint64&gt; last;
///
///   opaque label&lt;0..2^8-1&gt;;
///   MonitorMapEntry entries&lt;0..2^8-1&gt;;
/// } ContactMonitorRequest;
/// </code>
/// </summary>
/// <param name="Last">The size of the last tree head the user verified; null for none.</param>
/// <param name="Label">The label.</param>
/// <param name="Entries">The monitoring map, ascending by position.</param>
internal sealed record ContactMonitorRequest(ulong? Last, byte[] Label, IReadOnlyList<MonitorMapEntry> Entries)
{
    /// <summary>Encodes the request.</summary>
    /// <returns>The TLS encoding.</returns>
    /// <exception cref="ArgumentException">The label is longer than 255 bytes, or there are more than 255 entries.</exception>
    public byte[] Encode()
    {
        var writer = new TlsWriter(Label.Length + 16 + (12 * Entries.Count));
        writer.WriteOptionalUInt64(Last);

        writer.WriteOpaque(Label, 1, "ContactMonitorRequest.label");
        writer.WriteCount(Entries.Count, 1, "ContactMonitorRequest.entries");
        foreach (var entry in Entries)
        {
            writer.WriteUInt64(entry.Position);
            writer.WriteUInt32(entry.Version);
        }

        return writer.ToArray();
    }

    /// <summary>Decodes a request.</summary>
    /// <param name="encoded">The encoding, nothing after it.</param>
    /// <returns>The request.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.Malformed"/>.</exception>
    public static ContactMonitorRequest Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new TlsReader(encoded, nameof(ContactMonitorRequest));
        ulong? last = reader.ReadPresence("last") ? reader.ReadUInt64("last") : null;
        var label = reader.ReadOpaque(1, "label");
        var entries = new MonitorMapEntry[reader.ReadCount(1, "entries")];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new MonitorMapEntry(reader.ReadUInt64($"entries[{i}].position"), reader.ReadUInt32($"entries[{i}].version"));
        }

        reader.End();
        return new ContactMonitorRequest(last, label, entries);
    }
}

/// <summary>
/// The answers that are a tree head and one combined tree proof: <c>ContactMonitorResponse</c> (section 13.2,
/// the proof field is <c>monitor</c>) and <c>DistinguishedResponse</c> (section 13.6, <c>distinguished</c>):
/// <code>
/// struct {
///   FullTreeHead full_tree_head;
///   CombinedTreeProof monitor;
/// } ContactMonitorResponse;
/// </code>
/// </summary>
/// <param name="FullTreeHead">The tree head.</param>
/// <param name="Proof">The update of the user's view followed by the operation's algorithm (section 8.2 or 10.1).</param>
internal sealed record CombinedTreeResponse(FullTreeHead FullTreeHead, CombinedTreeProof Proof)
{
    /// <summary>Encodes the response.</summary>
    /// <returns>The TLS encoding.</returns>
    /// <exception cref="ArgumentException">A vector is too long, or an element has the wrong size.</exception>
    public byte[] Encode()
    {
        var writer = new TlsWriter();
        FullTreeHead.Write(writer);
        Proof.Write(writer);
        return writer.ToArray();
    }

    /// <summary>Decodes a response.</summary>
    /// <param name="encoded">The encoding, nothing after it.</param>
    /// <returns>The response.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.Malformed"/>.</exception>
    public static CombinedTreeResponse Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new TlsReader(encoded, nameof(CombinedTreeResponse));
        var head = FullTreeHead.Read(ref reader);
        var monitor = CombinedTreeProof.Read(ref reader);
        reader.End();
        return new CombinedTreeResponse(head, monitor);
    }
}

/// <summary>
/// A request to walk the recently issued distinguished log entries (section 13.6):
/// <code>
/// struct {
///   optional&lt;uint64&gt; last;
///   optional&lt;uint64&gt; stop;
/// } DistinguishedRequest;
/// </code>
/// </summary>
/// <param name="Last">The size of the last tree head the user verified; null for none.</param>
/// <param name="Stop">The stopping position (section 10.1); null for none.</param>
internal sealed record DistinguishedRequest(ulong? Last, ulong? Stop)
{
    /// <summary>Encodes the request.</summary>
    /// <returns>The TLS encoding.</returns>
    public byte[] Encode()
    {
        var writer = new TlsWriter(18);
        writer.WriteOptionalUInt64(Last);
        writer.WriteOptionalUInt64(Stop);

        return writer.ToArray();
    }

    /// <summary>Decodes a request.</summary>
    /// <param name="encoded">The encoding, nothing after it.</param>
    /// <returns>The request.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.Malformed"/>.</exception>
    public static DistinguishedRequest Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new TlsReader(encoded, nameof(DistinguishedRequest));
        ulong? last = reader.ReadPresence("last") ? reader.ReadUInt64("last") : null;
        ulong? stop = reader.ReadPresence("stop") ? reader.ReadUInt64("stop") : null;
        reader.End();
        return new DistinguishedRequest(last, stop);
    }
}

/// <summary>
/// A label owner's request to initialize its state (section 13.3); the wire encoding is not implemented:
/// <code>
/// struct {
///   optional&lt;uint64&gt; last;
///
///   opaque label&lt;0..2^8-1&gt;;
///   uint64 start;
/// } OwnerInitRequest;
/// </code>
/// </summary>
/// <param name="Last">The size of the last tree head the user verified; null for none.</param>
/// <param name="Label">The label.</param>
/// <param name="Start">The starting position: an unexpired distinguished log entry.</param>
internal sealed record OwnerInitRequest(ulong? Last, byte[] Label, ulong Start);

/// <summary>
/// The answer to an <see cref="OwnerInitRequest"/> (section 13.3); the wire encoding is not implemented:
/// <code>
/// struct {
///   FullTreeHead full_tree_head;
///
///   uint32 greatest_versions&lt;0..2^8-1&gt;;
///   BinaryLadderStep binary_ladder&lt;0..2^16-1&gt;;
///   CombinedTreeProof init;
/// } OwnerInitResponse;
/// </code>
/// </summary>
/// <param name="FullTreeHead">The tree head.</param>
/// <param name="GreatestVersions">The label's greatest version in each entry of section 8.3 step 1, until the label does not exist.</param>
/// <param name="BinaryLadder">The VRF proofs (and commitments of existing versions) of version 0 and of every search ladder version for the greatest versions, ascending by version.</param>
/// <param name="Init">The update of the user's view followed by the first algorithm of section 8.3.</param>
internal sealed record OwnerInitResponse(FullTreeHead FullTreeHead, IReadOnlyList<uint> GreatestVersions, IReadOnlyList<BinaryLadderStep> BinaryLadder, CombinedTreeProof Init);

/// <summary>
/// A label owner's monitoring request (section 13.4); the answer is a <see cref="CombinedTreeResponse"/>
/// (<c>OwnerMonitorResponse</c>). The wire encoding is not implemented:
/// <code>
/// struct {
///   optional &lt;uint64&gt; last;
///
///   opaque label&lt;0..2^8-1&gt;;
///   MonitorMapEntry entries&lt;0..2^8-1&gt;;
///   uint64 start;
///   optional&lt;uint32&gt; greatest_version;
/// } OwnerMonitorRequest;
/// </code>
/// </summary>
/// <param name="Last">The size of the last tree head the user verified; null for none.</param>
/// <param name="Label">The label.</param>
/// <param name="Entries">The owner's monitoring map; always empty here, as label updates (section 9) are not implemented.</param>
/// <param name="Start">The rightmost distinguished log entry the owner verified.</param>
/// <param name="GreatestVersion">The greatest version of the label the owner knows; null for none.</param>
internal sealed record OwnerMonitorRequest(ulong? Last, byte[] Label, IReadOnlyList<MonitorMapEntry> Entries, ulong Start, uint? GreatestVersion);
