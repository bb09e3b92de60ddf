namespace Pki.KeyTransparency.Vrf;

/// <summary>Why a VRF key or proof was rejected.</summary>
public enum VrfFailure
{
    /// <summary>Nothing was wrong (a valid result), or an exception was created without a specific reason.</summary>
    None = 0,

    /// <summary>The private key has the wrong length or is not a valid scalar.</summary>
    PrivateKeyInvalid,

    /// <summary>The public key has the wrong length, a bad prefix or a non-canonical encoding, or is not on the curve.</summary>
    PublicKeyInvalid,

    /// <summary>The public key is of small order (RFC 9381 section 5.4.5).</summary>
    PublicKeySmallOrder,

    /// <summary>The proof is not <see cref="IVrf.ProofSize"/> bytes.</summary>
    ProofLengthInvalid,

    /// <summary>The proof's point Gamma does not decode to a curve point.</summary>
    ProofPointInvalid,

    /// <summary>The proof's scalar s is not below the group order q.</summary>
    ProofScalarOutOfRange,

    /// <summary>The recomputed challenge differs from the proof's: the proof is not for this key and input.</summary>
    ChallengeMismatch,

    /// <summary>The key pair was created by another suite than the one asked to use it.</summary>
    WrongSuite,
}
