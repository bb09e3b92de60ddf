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
internal sealed record CombinedTreeProof(IReadOnlyList<ulong> Timestamps, IReadOnlyList<PrefixProof> PrefixProofs, IReadOnlyList<byte[]> PrefixRoots, LogTreeInclusionProof Inclusion);
