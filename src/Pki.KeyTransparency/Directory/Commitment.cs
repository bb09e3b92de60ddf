using System.Security.Cryptography;
using static Pki.KeyTransparency.Merkle.MerkleProofVerifier;

namespace Pki.KeyTransparency.Directory;

/// <summary>
/// Commitments to a label's value (draft-ietf-keytrans-protocol section 11.6):
/// <c>commitment = HMAC(Kc, CommitmentValue)</c> with the suite hash and the suite's fixed key
/// <see cref="KeyTransparencyCipherSuite.CommitmentKey"/>, over
/// <code>
/// struct {
///   opaque opening[Nc];
///   opaque label&lt;0..2^8-1&gt;;
///   uint32 version;
///   UpdateValue update;
/// } CommitmentValue;
/// </code>
/// </summary>
internal static class Commitment
{
    /// <summary>A new random <c>Nc</c>-byte opening (the draft also allows deriving it from a secret key).</summary>
    /// <param name="random">The randomness source; null for the system generator.</param>
    /// <returns><see cref="KeyTransparencyCipherSuite.OpeningSize"/> bytes.</returns>
    public static byte[] NewOpening(RandomNumberGenerator? random = null)
    {
        var opening = new byte[KeyTransparencyCipherSuite.OpeningSize];
        if (random is null)
        {
            RandomNumberGenerator.Fill(opening);
        }
        else
        {
            random.GetBytes(opening);
        }

        return opening;
    }

    /// <summary>Encodes <c>CommitmentValue</c>.</summary>
    /// <param name="opening">The <c>Nc</c>-byte opening.</param>
    /// <param name="label">The label, at most 255 bytes.</param>
    /// <param name="version">The label's version.</param>
    /// <param name="update">The committed value.</param>
    /// <param name="mode">The log's deployment mode (decides <c>UpdateSuffix</c>).</param>
    /// <returns>The encoding the HMAC is computed over.</returns>
    /// <exception cref="ArgumentException">The opening is not <c>Nc</c> bytes, or the label is too long.</exception>
    public static byte[] EncodeValue(ReadOnlySpan<byte> opening, ReadOnlySpan<byte> label, uint version, UpdateValue update, DeploymentMode mode)
    {
        if (opening.Length != KeyTransparencyCipherSuite.OpeningSize)
        {
            throw new ArgumentException($"A commitment opening is {KeyTransparencyCipherSuite.OpeningSize} bytes (Nc); got {opening.Length}.", nameof(opening));
        }

        var writer = new TlsWriter(opening.Length + label.Length + update.Value.Length + 16);
        writer.WriteFixed(opening);
        writer.WriteOpaque(label, 1, nameof(label));
        writer.WriteUInt32(version);
        update.Write(writer, mode);
        return writer.ToArray();
    }

    /// <summary>Computes the commitment to <paramref name="update"/> as version <paramref name="version"/> of <paramref name="label"/>.</summary>
    /// <param name="opening">The <c>Nc</c>-byte opening.</param>
    /// <param name="label">The label, at most 255 bytes.</param>
    /// <param name="version">The label's version.</param>
    /// <param name="update">The committed value.</param>
    /// <param name="mode">The log's deployment mode.</param>
    /// <returns>The <see cref="KeyTransparencyCipherSuite.HashSize"/>-byte commitment.</returns>
    /// <exception cref="ArgumentException">The opening is not <c>Nc</c> bytes, or the label is too long.</exception>
    public static byte[] Compute(ReadOnlySpan<byte> opening, ReadOnlySpan<byte> label, uint version, UpdateValue update, DeploymentMode mode)
    {
        var value = EncodeValue(opening, label, version, update, mode);
#if NET8_0_OR_GREATER
        return HMACSHA256.HashData(KeyTransparencyCipherSuite.CommitmentKey, value);
#else
        using var hmac = new HMACSHA256(KeyTransparencyCipherSuite.CommitmentKey.ToArray());
        return hmac.ComputeHash(value);
#endif
    }

    /// <summary>Checks that <paramref name="commitment"/> opens to the given label, version and value.</summary>
    /// <param name="commitment">The commitment from the prefix tree.</param>
    /// <param name="opening">The opening the log revealed.</param>
    /// <param name="label">The label the user looked up.</param>
    /// <param name="version">The version the user looked up.</param>
    /// <param name="update">The value the log returned.</param>
    /// <param name="mode">The log's deployment mode.</param>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.CommitmentMismatch"/> or <see cref="DirectoryProofFailure.SizeMismatch"/>.</exception>
    public static void Verify(ReadOnlySpan<byte> commitment, ReadOnlySpan<byte> opening, ReadOnlySpan<byte> label, uint version, UpdateValue update, DeploymentMode mode)
    {
        if (commitment.Length != KeyTransparencyCipherSuite.HashSize || opening.Length != KeyTransparencyCipherSuite.OpeningSize)
        {
            throw new DirectoryProofException(
                DirectoryProofFailure.SizeMismatch,
                $"A commitment is {KeyTransparencyCipherSuite.HashSize} bytes and its opening {KeyTransparencyCipherSuite.OpeningSize}; got {commitment.Length} and {opening.Length}.");
        }

        var expected = Compute(opening, label, version, update, mode);
        if (!CryptographicOperations.FixedTimeEquals(expected, commitment))
        {
            throw new DirectoryProofException(
                DirectoryProofFailure.CommitmentMismatch,
                $"The commitment {Hex(commitment)} does not open to version {version} of the label with this opening and value (expected {Hex(expected)}).");
        }
    }
}
