namespace Pki.KeyTransparency.TreeHeads;

/// <summary>The signature algorithm of a <see cref="SignedTreeHead"/>; the value is its code in the encoding.</summary>
public enum TreeHeadSignatureAlgorithm
{
    /// <summary>ECDSA over P-256 with SHA-256; the signature is IEEE P1363 <c>r || s</c>, 64 bytes.</summary>
    EcdsaP256Sha256 = 1,

    /// <summary>Ed25519 (RFC 8032, pure); the signature is 64 bytes.</summary>
    Ed25519 = 2,
}
