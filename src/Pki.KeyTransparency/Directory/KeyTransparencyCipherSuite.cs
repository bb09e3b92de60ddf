using System.Security.Cryptography;
using Pki.KeyTransparency.TreeHeads;
using Pki.KeyTransparency.Vrf;

namespace Pki.KeyTransparency.Directory;

/// <summary>
/// A KT cipher suite (draft-ietf-keytrans-protocol section 11.1, registry in section 17.1): the hash, the
/// signature algorithm, the VRF, the commitment opening size <c>Nc</c> and the commitment key <c>Kc</c>.
/// The two registered suites share SHA-256, <c>Nc</c> = 16, <c>Kc</c> =
/// <c>d821f8790d97709796b4d7903357c3f5</c>, <c>Hash.Nh</c> = <c>VRF.Nh</c> = 32.
/// </summary>
internal sealed class KeyTransparencyCipherSuite
{
    /// <summary><c>Hash.Nh</c>: SHA-256 output size.</summary>
    public const int HashSize = 32;

    /// <summary><c>VRF.Nh</c>: the search key size (the Edwards25519 VRF output is truncated to it).</summary>
    public const int VrfOutputSize = 32;

    /// <summary><c>Nc</c>: the size of a commitment opening.</summary>
    public const int OpeningSize = 16;

    private static readonly byte[] Kc = [0xd8, 0x21, 0xf8, 0x79, 0x0d, 0x97, 0x70, 0x97, 0x96, 0xb4, 0xd7, 0x90, 0x33, 0x57, 0xc3, 0xf5];

    private KeyTransparencyCipherSuite(ushort id, string name, TreeHeadSignatureAlgorithm signature, int vrfProofSize)
    {
        Id = id;
        Name = name;
        SignatureAlgorithm = signature;
        VrfProofSize = vrfProofSize;
    }

    /// <summary>0x0001: ECDSA P-256 with SHA-256 (uncompressed public keys, <c>r || s</c> signatures) and ECVRF-P256-SHA256-TAI.</summary>
    public static KeyTransparencyCipherSuite P256 { get; } = new(0x0001, "KT_128_SHA256_P256", TreeHeadSignatureAlgorithm.EcdsaP256Sha256, EcVrfP256Sha256Tai.ProofLength);

    /// <summary>0x0002: Ed25519 and ECVRF-EDWARDS25519-SHA512-TAI with the output truncated to 32 bytes.</summary>
    public static KeyTransparencyCipherSuite Ed25519 { get; } = new(0x0002, "KT_128_SHA256_Ed25519", TreeHeadSignatureAlgorithm.Ed25519, EcVrfEdwards25519Sha512Tai.ProofLength);

    /// <summary>The suite's code point, the <c>CipherSuite</c> (<c>uint16</c>) on the wire.</summary>
    public ushort Id { get; }

    /// <summary>The registry name, e.g. <c>KT_128_SHA256_P256</c>.</summary>
    public string Name { get; }

    /// <summary>The signature algorithm of tree heads (and of a third party's signatures).</summary>
    public TreeHeadSignatureAlgorithm SignatureAlgorithm { get; }

    /// <summary><c>VRF.Np</c>: 81 for P-256, 80 for Edwards25519.</summary>
    public int VrfProofSize { get; }

    /// <summary><c>Kc</c>, the fixed HMAC key of commitments.</summary>
    public static ReadOnlySpan<byte> CommitmentKey => Kc;

    /// <summary>The suite for a code point.</summary>
    /// <param name="id">The <c>CipherSuite</c> value.</param>
    /// <returns><see cref="P256"/> or <see cref="Ed25519"/>.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.UnsupportedCipherSuite"/>: reserved, private use or unregistered.</exception>
    public static KeyTransparencyCipherSuite FromId(ushort id) => id switch
    {
        0x0001 => P256,
        0x0002 => Ed25519,
        _ => throw new DirectoryProofException(
            DirectoryProofFailure.UnsupportedCipherSuite,
            $"Cipher suite 0x{id:X4} is {(id == 0 ? "reserved" : id >= 0xF000 ? "in the private-use range" : "not registered")}; this library implements 0x0001 (KT_128_SHA256_P256) and 0x0002 (KT_128_SHA256_Ed25519)."),
    };

    /// <summary>A new instance of the suite's VRF.</summary>
    /// <param name="random">Randomness for key generation; null for the system generator.</param>
    /// <returns>ECVRF-P256-SHA256-TAI or ECVRF-EDWARDS25519-SHA512-TAI.</returns>
    public IVrf CreateVrf(RandomNumberGenerator? random = null) =>
        Id == 0x0001 ? new EcVrfP256Sha256Tai(random) : new EcVrfEdwards25519Sha512Tai(random);

    /// <summary>The suite hash (SHA-256) of <paramref name="data"/>.</summary>
    /// <param name="data">The bytes to hash.</param>
    /// <returns><see cref="HashSize"/> bytes.</returns>
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var hash = new byte[HashSize];
        SHA256.HashData(data, hash);
        return hash;
    }

    /// <summary>
    /// Encodes the VRF input of a label-version pair (section 11.7):
    /// <code>
    /// struct {
    ///   opaque label&lt;0..2^8-1&gt;;
    ///   uint32 version;
    /// } VrfInput;
    /// </code>
    /// </summary>
    /// <param name="label">The label, at most 255 bytes.</param>
    /// <param name="version">The version.</param>
    /// <returns>The encoding.</returns>
    /// <exception cref="ArgumentException">The label is longer than 255 bytes.</exception>
    public static byte[] EncodeVrfInput(ReadOnlySpan<byte> label, uint version)
    {
        var writer = new TlsWriter(label.Length + 5);
        writer.WriteOpaque(label, 1, nameof(label));
        writer.WriteUInt32(version);
        return writer.ToArray();
    }

    /// <summary>The search key of a label-version pair and its VRF proof, as the log computes them.</summary>
    /// <param name="vrf">This suite's VRF (<see cref="CreateVrf"/>).</param>
    /// <param name="keyPair">The log's VRF key pair.</param>
    /// <param name="label">The label, at most 255 bytes.</param>
    /// <param name="version">The version.</param>
    /// <returns>The <see cref="VrfOutputSize"/>-byte search key and the <see cref="VrfProofSize"/>-byte proof.</returns>
    /// <exception cref="ArgumentException">The VRF is not this suite's.</exception>
    public (byte[] SearchKey, byte[] Proof) ComputeSearchKey(IVrf vrf, VrfKeyPair keyPair, ReadOnlySpan<byte> label, uint version)
    {
        CheckVrf(vrf);
        var proof = vrf.Prove(keyPair, EncodeVrfInput(label, version));
        return (Truncate(vrf.ProofToHash(proof)), proof);
    }

    /// <summary>Verifies a VRF proof for a label-version pair and returns the search key it proves.</summary>
    /// <param name="vrf">This suite's VRF.</param>
    /// <param name="publicKey">The log's VRF public key (<c>Configuration.vrf_public_key</c>).</param>
    /// <param name="label">The label, at most 255 bytes.</param>
    /// <param name="version">The version.</param>
    /// <param name="proof">The VRF proof.</param>
    /// <returns>The <see cref="VrfOutputSize"/>-byte search key.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.VrfProofInvalid"/>, with the VRF's reason.</exception>
    public byte[] VerifySearchKey(IVrf vrf, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> label, uint version, ReadOnlySpan<byte> proof)
    {
        CheckVrf(vrf);
        var result = vrf.Verify(publicKey, EncodeVrfInput(label, version), proof);
        if (!result.IsValid)
        {
            throw new DirectoryProofException(DirectoryProofFailure.VrfProofInvalid, $"The {Name} VRF proof for version {version} of the label does not verify: {result.Message}");
        }

        return Truncate(result.Output.ToArray());
    }

    private void CheckVrf(IVrf vrf)
    {
        if (vrf.ProofSize != VrfProofSize)
        {
            throw new ArgumentException($"{Name} uses a VRF with {VrfProofSize}-byte proofs; {vrf.SuiteName} has {vrf.ProofSize}.", nameof(vrf));
        }
    }

    // Section 13.1: the Edwards25519 VRF output (64 bytes) is truncated to 32; the P-256 output is 32 already.
    private static byte[] Truncate(byte[] output) => output.Length == VrfOutputSize ? output : output.AsSpan(0, VrfOutputSize).ToArray();
}
