using System.Security.Cryptography;
using Pki.Shared.Edwards25519;
using Bc25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace Pki.KeyTransparency.TreeHeads;

/// <summary>Why a signed tree head did not verify.</summary>
public enum TreeHeadVerificationFailure
{
    /// <summary>The signature verified under the verifier's key.</summary>
    None = 0,

    /// <summary>The head names another algorithm than the verifier's key.</summary>
    AlgorithmMismatch,

    /// <summary>The signature does not verify under the key.</summary>
    SignatureInvalid,
}

/// <summary>The outcome of <see cref="TreeHeadVerifier.Verify"/>.</summary>
/// <param name="Failure">Why it failed, or <see cref="TreeHeadVerificationFailure.None"/> when the signature verified.</param>
/// <param name="Message">A sentence for logs saying what was wrong (or that the signature is valid), naming the algorithms and tree size.</param>
public sealed record TreeHeadVerificationResult(TreeHeadVerificationFailure Failure, string Message)
{
    /// <summary>True when the signature verified; the head's size, root and time can then be trusted as the log's statement.</summary>
    public bool IsValid => Failure == TreeHeadVerificationFailure.None;
}

/// <summary>Verifies signed tree heads under one public key (ECDSA P-256 or Ed25519).</summary>
public sealed class TreeHeadVerifier : IDisposable
{
    private const string P256Oid = "1.2.840.10045.3.1.7";
    private readonly ECDsa? _ecdsa;
    private readonly byte[]? _ed25519;

    private TreeHeadVerifier(TreeHeadSignatureAlgorithm algorithm, ECDsa? ecdsa, byte[]? ed25519)
    {
        Algorithm = algorithm;
        _ecdsa = ecdsa;
        _ed25519 = ed25519;
    }

    /// <summary>The algorithm of the verifier's key; heads signed with another one fail with <see cref="TreeHeadVerificationFailure.AlgorithmMismatch"/>.</summary>
    public TreeHeadSignatureAlgorithm Algorithm { get; }

    /// <summary>Creates a verifier from a DER SubjectPublicKeyInfo of a P-256 key.</summary>
    /// <param name="subjectPublicKeyInfo">The DER SubjectPublicKeyInfo (e.g. <see cref="TreeHeadSigner.PublicKey"/>), with nothing after it.</param>
    /// <returns>A verifier that owns an <see cref="ECDsa"/> key: dispose it when done.</returns>
    /// <exception cref="ArgumentException">The bytes are not a P-256 public key.</exception>
    public static TreeHeadVerifier CreateEcdsaP256(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out var read);
            if (read != subjectPublicKeyInfo.Length)
            {
                throw new ArgumentException($"{subjectPublicKeyInfo.Length - read} bytes follow the SubjectPublicKeyInfo.", nameof(subjectPublicKeyInfo));
            }

            CheckP256(key, nameof(subjectPublicKeyInfo));
            return new TreeHeadVerifier(TreeHeadSignatureAlgorithm.EcdsaP256Sha256, key, null);
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new ArgumentException($"The bytes are not a DER SubjectPublicKeyInfo of an EC key: {e.Message}", nameof(subjectPublicKeyInfo), e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Creates a verifier from a 32-byte RFC 8032 Ed25519 public key.</summary>
    /// <param name="publicKey">The 32-byte RFC 8032 encoding (e.g. <see cref="TreeHeadSigner.PublicKey"/>); copied.</param>
    /// <returns>A verifier (disposing it is harmless but not required for Ed25519).</returns>
    /// <exception cref="ArgumentException">The key is not 32 bytes, does not decode, or is of small order.</exception>
    public static TreeHeadVerifier CreateEd25519(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != Bc25519.PublicKeySize)
        {
            throw new ArgumentException($"An Ed25519 public key is {Bc25519.PublicKeySize} bytes; got {publicKey.Length}.", nameof(publicKey));
        }

        if (!EdwardsPoint.TryDecode(publicKey, out var point))
        {
            throw new ArgumentException("The Ed25519 public key does not decode to a curve point (RFC 8032 section 5.1.3).", nameof(publicKey));
        }

        if (point.MultiplyByCofactor().IsIdentity())
        {
            throw new ArgumentException("The Ed25519 public key is a point of small order.", nameof(publicKey));
        }

        return new TreeHeadVerifier(TreeHeadSignatureAlgorithm.Ed25519, null, publicKey.ToArray());
    }

    /// <summary>Checks the head's signature over its size, root, time and algorithm.</summary>
    /// <param name="treeHead">A decoded head (<see cref="SignedTreeHead.Decode"/>).</param>
    /// <returns>Valid, or the typed reason it is not; a bad signature is a result, not an exception.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="treeHead"/> is null.</exception>
    public TreeHeadVerificationResult Verify(SignedTreeHead treeHead)
    {
        ArgumentNullException.ThrowIfNull(treeHead);
        if (treeHead.Algorithm != Algorithm)
        {
            return new(TreeHeadVerificationFailure.AlgorithmMismatch, $"The tree head is signed with {treeHead.Algorithm}; the key is {Algorithm}.");
        }

        var data = treeHead.CreateSignedData();
        var signature = treeHead.Signature;
        bool valid;
        if (_ecdsa is not null)
        {
            valid = signature.Length == SignedTreeHead.SignatureSize && _ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256);
        }
        else
        {
            valid = signature.Length == Bc25519.SignatureSize && Bc25519.Verify(signature.ToArray(), 0, _ed25519!, 0, data, 0, data.Length);
        }

        return valid
            ? new(TreeHeadVerificationFailure.None, "The tree head signature is valid.")
            : new(TreeHeadVerificationFailure.SignatureInvalid, $"The {Algorithm} signature over tree size {treeHead.TreeSize} does not verify under this key.");
    }

    /// <summary>Disposes the ECDSA key of a P-256 verifier (nothing to release for Ed25519).</summary>
    public void Dispose() => _ecdsa?.Dispose();

    internal static void CheckP256(ECDsa key, string name)
    {
        var curve = key.ExportParameters(false).Curve;
        if (!curve.IsNamed || curve.Oid?.Value != P256Oid && !string.Equals(curve.Oid?.FriendlyName, "nistP256", StringComparison.OrdinalIgnoreCase) && !string.Equals(curve.Oid?.FriendlyName, "ECDSA_P256", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The ECDSA key must be on P-256; it is on {curve.Oid?.FriendlyName ?? curve.Oid?.Value ?? "an explicit curve"} ({key.KeySize} bits).", name);
        }
    }
}
