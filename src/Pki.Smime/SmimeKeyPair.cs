using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using Pki.Smime.Internal;

namespace Pki.Smime;

/// <summary>The RSA signature schemes of section 7.1.3.2.1.</summary>
public enum SmimeRsaSignatureScheme
{
    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256.</summary>
    Pkcs1Sha256 = 1,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-384.</summary>
    Pkcs1Sha384 = 2,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-512.</summary>
    Pkcs1Sha512 = 3,

    /// <summary>RSASSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt.</summary>
    PssSha256 = 4,

    /// <summary>RSASSA-PSS with SHA-384, MGF1-SHA-384, 48-byte salt.</summary>
    PssSha384 = 5,

    /// <summary>RSASSA-PSS with SHA-512, MGF1-SHA-512, 64-byte salt.</summary>
    PssSha512 = 6,
}

/// <summary>
/// A signing key: RSA or ECDSA through <c>System.Security.Cryptography</c>, Ed25519 through BouncyCastle.
/// It signs with the section 7.1.3.2 algorithm that fits it. The private key never appears in
/// <see cref="ToString"/> or in exception messages.
/// </summary>
public sealed class SmimeKeyPair : IDisposable
{
    private readonly AsymmetricAlgorithm? _dotnetKey;
    private readonly Ed25519PrivateKeyParameters? _ed25519;
    private readonly bool _ownsKey;
    private readonly HashAlgorithmName _hash;
    private readonly RSASignaturePadding? _rsaPadding;
    private readonly byte[] _signatureAlgorithm;
    private bool _disposed;

    private SmimeKeyPair(AsymmetricAlgorithm? dotnetKey, Ed25519PrivateKeyParameters? ed25519, bool ownsKey, SmimePublicKey publicKey,
        HashAlgorithmName hash, RSASignaturePadding? rsaPadding, byte[] signatureAlgorithm)
    {
        _dotnetKey = dotnetKey;
        _ed25519 = ed25519;
        _ownsKey = ownsKey;
        PublicKey = publicKey;
        _hash = hash;
        _rsaPadding = rsaPadding;
        _signatureAlgorithm = signatureAlgorithm;
    }

    /// <summary>The key algorithm; for an issuing CA it also fixes the signature algorithm (section 7.1.3.2).</summary>
    public SmimeKeyAlgorithm Algorithm => PublicKey.Algorithm;

    /// <summary>The public half, to put in a certificate request or compare with a CA certificate.</summary>
    public SmimePublicKey PublicKey { get; }

    /// <summary>The DER signature <c>AlgorithmIdentifier</c> this key signs with (section 7.1.3.2).</summary>
    internal byte[] SignatureAlgorithm => _signatureAlgorithm;

    /// <summary>Generates a new key (RSA: 2048 bits unless <paramref name="rsaKeySize"/> says otherwise).</summary>
    /// <param name="algorithm">The key type; <see cref="SmimeKeyAlgorithm.Ed448"/> is not supported.</param>
    /// <param name="rsaKeySize">RSA modulus size in bits (2048 or more, a multiple of 8).</param>
    /// <exception cref="ArgumentOutOfRangeException">An unsupported algorithm or RSA size.</exception>
    public static SmimeKeyPair Generate(SmimeKeyAlgorithm algorithm, int rsaKeySize = 2048)
    {
        switch (algorithm)
        {
            case SmimeKeyAlgorithm.Rsa:
                if (rsaKeySize < 2048 || rsaKeySize % 8 != 0)
                {
                    throw new ArgumentOutOfRangeException(nameof(rsaKeySize), rsaKeySize, "RSA keys must be at least 2048 bits and a multiple of 8 (section 6.1.5).");
                }

                return Create(RSA.Create(rsaKeySize), ownsKey: true, SmimeRsaSignatureScheme.Pkcs1Sha256);
            case SmimeKeyAlgorithm.EcP256:
                return Create(ECDsa.Create(ECCurve.NamedCurves.nistP256), ownsKey: true, SmimeRsaSignatureScheme.Pkcs1Sha256);
            case SmimeKeyAlgorithm.EcP384:
                return Create(ECDsa.Create(ECCurve.NamedCurves.nistP384), ownsKey: true, SmimeRsaSignatureScheme.Pkcs1Sha256);
            case SmimeKeyAlgorithm.EcP521:
                return Create(ECDsa.Create(ECCurve.NamedCurves.nistP521), ownsKey: true, SmimeRsaSignatureScheme.Pkcs1Sha256);
            case SmimeKeyAlgorithm.Ed25519:
                return FromEd25519(new Ed25519PrivateKeyParameters(new SecureRandom()));
            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Key generation supports Rsa, EcP256, EcP384, EcP521 and Ed25519.");
        }
    }

    /// <summary>Wraps an RSA key; the caller keeps ownership (disposing this object does not dispose it).</summary>
    /// <param name="rsa">The key, 2048 bits or more.</param>
    /// <param name="scheme">The section 7.1.3.2.1 signature scheme.</param>
    public static SmimeKeyPair FromRsa(RSA rsa, SmimeRsaSignatureScheme scheme = SmimeRsaSignatureScheme.Pkcs1Sha256)
    {
        ArgumentNullException.ThrowIfNull(rsa);
        if (!Enum.IsDefined(scheme))
        {
            throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Not an RSA signature scheme of section 7.1.3.2.1.");
        }

        return Create(rsa, ownsKey: false, scheme);
    }

    /// <summary>Wraps an ECDSA key on P-256, P-384 or P-521; the caller keeps ownership.</summary>
    /// <param name="ecdsa">A P-256, P-384 or P-521 key; it signs with SHA-256, SHA-384 or SHA-512 to match its curve.</param>
    public static SmimeKeyPair FromECDsa(ECDsa ecdsa)
    {
        ArgumentNullException.ThrowIfNull(ecdsa);
        return Create(ecdsa, ownsKey: false, SmimeRsaSignatureScheme.Pkcs1Sha256);
    }

    /// <summary>Takes a raw 32-byte Ed25519 private key (RFC 8032 seed).</summary>
    /// <param name="privateKey">The 32-byte RFC 8032 private key (seed); it is copied, so the caller may clear its buffer.</param>
    /// <exception cref="ArgumentException">The key is not 32 bytes.</exception>
    public static SmimeKeyPair FromEd25519PrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != Ed25519PrivateKeyParameters.KeySize)
        {
            throw new ArgumentException($"An Ed25519 private key is {Ed25519PrivateKeyParameters.KeySize} bytes, not {privateKey.Length}.", nameof(privateKey));
        }

        return FromEd25519(new Ed25519PrivateKeyParameters(privateKey.ToArray()));
    }

    /// <summary>Signs <paramref name="data"/> with this key's section 7.1.3.2 algorithm; ECDSA signatures are DER (RFC 3279).</summary>
    internal byte[] Sign(byte[] data)
    {
#if NET8_0_OR_GREATER
        ObjectDisposedException.ThrowIf(_disposed, this);
#else
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(SmimeKeyPair));
        }
#endif
        switch (_dotnetKey)
        {
            case RSA rsa:
                return rsa.SignData(data, _hash, _rsaPadding!);
            case ECDsa ecdsa:
#if NET8_0_OR_GREATER
                return ecdsa.SignData(data, _hash, DSASignatureFormat.Rfc3279DerSequence);
#else
                return EcdsaSignatureEncoding.ToDer(ecdsa.SignData(data, _hash));
#endif
            default:
                var signer = new Ed25519Signer();
                signer.Init(true, _ed25519);
                signer.BlockUpdate(data, 0, data.Length);
                return signer.GenerateSignature();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            if (_ownsKey)
            {
                _dotnetKey?.Dispose();
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"SmimeKeyPair({Algorithm})";

    private static SmimeKeyPair FromEd25519(Ed25519PrivateKeyParameters key) =>
        new(null, key, ownsKey: true, SmimePublicKey.FromEd25519(key.GeneratePublicKey().GetEncoded()),
            default, null, AlgorithmIdentifiers.Ed25519);

    private static SmimeKeyPair Create(AsymmetricAlgorithm key, bool ownsKey, SmimeRsaSignatureScheme scheme)
    {
        SmimePublicKey publicKey;
        try
        {
            publicKey = SmimePublicKey.FromKey(key);
        }
        catch
        {
            if (ownsKey)
            {
                key.Dispose();
            }

            throw;
        }

        if (key is RSA)
        {
            var (hash, padding, encoding) = scheme switch
            {
                SmimeRsaSignatureScheme.Pkcs1Sha384 => (HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1, AlgorithmIdentifiers.RsaPkcs1Sha384),
                SmimeRsaSignatureScheme.Pkcs1Sha512 => (HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1, AlgorithmIdentifiers.RsaPkcs1Sha512),
                SmimeRsaSignatureScheme.PssSha256 => (HashAlgorithmName.SHA256, RSASignaturePadding.Pss, AlgorithmIdentifiers.RsaPssSha256),
                SmimeRsaSignatureScheme.PssSha384 => (HashAlgorithmName.SHA384, RSASignaturePadding.Pss, AlgorithmIdentifiers.RsaPssSha384),
                SmimeRsaSignatureScheme.PssSha512 => (HashAlgorithmName.SHA512, RSASignaturePadding.Pss, AlgorithmIdentifiers.RsaPssSha512),
                _ => (HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, AlgorithmIdentifiers.RsaPkcs1Sha256),
            };
            return new SmimeKeyPair(key, null, ownsKey, publicKey, hash, padding, encoding);
        }

        var (ecHash, ecEncoding) = publicKey.Algorithm switch
        {
            SmimeKeyAlgorithm.EcP384 => (HashAlgorithmName.SHA384, AlgorithmIdentifiers.EcdsaSha384),
            SmimeKeyAlgorithm.EcP521 => (HashAlgorithmName.SHA512, AlgorithmIdentifiers.EcdsaSha512),
            _ => (HashAlgorithmName.SHA256, AlgorithmIdentifiers.EcdsaSha256),
        };
        return new SmimeKeyPair(key, null, ownsKey, publicKey, ecHash, null, ecEncoding);
    }
}
