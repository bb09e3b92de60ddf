namespace Pki.KeyTransparency.Directory;

/// <summary>Why a key transparency directory structure or proof was rejected.</summary>
internal enum DirectoryProofFailure
{
    /// <summary>No specific reason was given.</summary>
    None = 0,

    /// <summary>The bytes are not a valid TLS presentation language encoding of the structure (truncated, trailing bytes, a bad enum or presence octet).</summary>
    Malformed,

    /// <summary>A hash, key, commitment or opening has the wrong size for the cipher suite.</summary>
    SizeMismatch,

    /// <summary>The proof has fewer or more elements than the search keys, leaves and retained values require.</summary>
    ProofLengthMismatch,

    /// <summary>A search result contradicts itself or another result (depth out of range, terminal leaf outside the searched prefix, disagreeing terminals).</summary>
    InconsistentResult,

    /// <summary>The root computed from the proof differs from the expected root.</summary>
    RootMismatch,

    /// <summary>A head value the verifier retained from an earlier tree differs from the one the proof recomputes.</summary>
    RetainedValueMismatch,

    /// <summary>A leaf index or tree size is out of range.</summary>
    TreeSizeInvalid,

    /// <summary>A commitment does not open to the label, version and value given.</summary>
    CommitmentMismatch,

    /// <summary>A VRF proof does not verify for the label and version.</summary>
    VrfProofInvalid,

    /// <summary>A tree head signature does not verify under the configured public key.</summary>
    SignatureInvalid,

    /// <summary>The cipher suite code point is reserved or not one this library implements.</summary>
    UnsupportedCipherSuite,

    /// <summary>A log entry's timestamp is smaller than one to its left, or larger than one to its right (section 12.3).</summary>
    TimestampsNotMonotonic,

    /// <summary>A binary ladder contradicts the version the response claims (a greater version exists, or the target is missing).</summary>
    LadderMismatch,

    /// <summary>The proofs show that the requested label version does not exist; a search response may not carry a negative result (section 13.1).</summary>
    NegativeResult,

    /// <summary>The rightmost log entry is older than the configuration's <c>max_behind</c> allows (section 4.2).</summary>
    TreeHeadStale,

    /// <summary>The rightmost log entry is further ahead of the user's clock than <c>max_ahead</c> allows (section 4.2).</summary>
    TreeHeadAhead,

    /// <summary>The new tree head does not extend the last one the user verified: a smaller or equal tree, or a root that the retained full subtrees do not lead to.</summary>
    ForkDetected,

    /// <summary>The requested version is only reachable through expired log entries, with no unexpired distinguished entry to vouch for it (section 7.2).</summary>
    VersionExpired,

    /// <summary>A label owner's ladder shows a version of the label the owner did not make, or lacks one it made (section 8.3).</summary>
    UnexpectedVersion,
}
