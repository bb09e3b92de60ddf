namespace Pki.KeyTransparency.Merkle;

/// <summary>Why a Merkle proof did not verify.</summary>
public enum MerkleProofFailure
{
    /// <summary>The proof verified (or an exception was created without a specific reason).</summary>
    None = 0,

    /// <summary>The leaf index is negative or not below the tree size.</summary>
    LeafIndexOutOfRange,

    /// <summary>A tree size is negative, or the first size of a consistency proof exceeds the second.</summary>
    TreeSizeInvalid,

    /// <summary>A consistency proof from the empty tree was presented; RFC 9162 defines none.</summary>
    ConsistencyFromEmptyTree,

    /// <summary>The proof is not a whole number of hashes.</summary>
    MalformedProof,

    /// <summary>The proof has more or fewer hashes than the index and sizes require.</summary>
    ProofLengthMismatch,

    /// <summary>A leaf hash or root given to the verifier has the wrong size.</summary>
    HashSizeMismatch,

    /// <summary>The root computed from an inclusion proof differs from the expected root.</summary>
    RootMismatch,

    /// <summary>The first tree's root computed from a consistency proof differs from the one given.</summary>
    FirstRootMismatch,

    /// <summary>The second tree's root computed from a consistency proof differs from the one given.</summary>
    SecondRootMismatch,
}
