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
internal sealed record SearchRequest(ulong? Last, byte[] Label, uint? Version);

/// <summary>
/// A tree head as presented to users (section 11.4): <c>same</c> when the log keeps the head the user
/// advertised, or <c>updated</c> with a new <see cref="TreeHead"/>. (No <c>AuditorTreeHead</c>: Third-Party
/// Auditing is not implemented.)
/// </summary>
/// <param name="TreeHead">The new head; null for <c>head_type = same</c>.</param>
internal sealed record FullTreeHead(TreeHead? TreeHead);

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
internal sealed record SearchResponse(FullTreeHead FullTreeHead, uint? Version, byte[] Opening, UpdateValue Value, IReadOnlyList<BinaryLadderStep> BinaryLadder, CombinedTreeProof Search);
