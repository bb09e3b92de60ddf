using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Pki.Acme.Internal;
using Pki.Shared.Edwards25519;

namespace Pki.Acme;

/// <summary>JWS algorithms an <see cref="AcmeKey"/> can use (RFC 7518, RFC 8037).</summary>
public enum AcmeKeyAlgorithm
{
    /// <summary>ECDSA P-256 with SHA-256.</summary>
    ES256,

    /// <summary>ECDSA P-384 with SHA-384.</summary>
    ES384,

    /// <summary>ECDSA P-521 with SHA-512.</summary>
    ES512,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256; keys of at least 2048 bits.</summary>
    RS256,

    /// <summary>Ed25519 (RFC 8037).</summary>
    EdDSA,
}

/// <summary>
/// A key that signs ACME requests (an account key, or a certificate key when revoking with it).
/// The JWS algorithm follows from the key. Import and export as PKCS#8 PEM so applications can
/// persist it. <see cref="ToString"/> shows the algorithm and the RFC 7638 thumbprint, never key material.
/// </summary>
public abstract class AcmeKey : IDisposable
{
    /// <summary>The smallest RSA key accepted.</summary>
    public const int MinimumRsaKeySize = 2048;

    private byte[]? _jwk;
    private string? _thumbprint;

    private protected AcmeKey()
    {
    }

    /// <summary>The JWS <c>alg</c> value (ES256, ES384, ES512, RS256, EdDSA).</summary>
    public abstract string Algorithm { get; }

    /// <summary>The RFC 7638 JWK thumbprint (SHA-256, base64url), as used in key authorizations.</summary>
    public string Thumbprint => _thumbprint ??= Base64Url.EncodeToString(SHA256.HashData(JwkJson.Span));

    /// <summary>The public key as a JWK with only the required members in lexicographic order (RFC 7638 section 3).</summary>
    public ReadOnlyMemory<byte> JwkJson => _jwk ??= BuildJwk();

    internal abstract int MaxSignatureSize { get; }

    /// <summary>Creates a new random account key; the caller owns (disposes) it. Export it with <see cref="ExportPkcs8Pem"/> to use the account again.</summary>
    /// <param name="algorithm">The JWS algorithm.</param>
    /// <param name="rsaKeySize">RSA modulus size for <see cref="AcmeKeyAlgorithm.RS256"/> (at least 2048).</param>
    public static AcmeKey Create(AcmeKeyAlgorithm algorithm = AcmeKeyAlgorithm.ES256, int rsaKeySize = 2048) => algorithm switch
    {
        AcmeKeyAlgorithm.ES256 => new EcdsaAcmeKey(ECDsa.Create(ECCurve.NamedCurves.nistP256), ownsKey: true),
        AcmeKeyAlgorithm.ES384 => new EcdsaAcmeKey(ECDsa.Create(ECCurve.NamedCurves.nistP384), ownsKey: true),
        AcmeKeyAlgorithm.ES512 => new EcdsaAcmeKey(ECDsa.Create(ECCurve.NamedCurves.nistP521), ownsKey: true),
        AcmeKeyAlgorithm.RS256 => rsaKeySize >= MinimumRsaKeySize
            ? new RsaAcmeKey(RSA.Create(rsaKeySize), ownsKey: true)
            : throw new AcmeConfigurationException($"RSA keys must have at least {MinimumRsaKeySize} bits; {rsaKeySize} was asked for."),
        AcmeKeyAlgorithm.EdDSA => new Ed25519AcmeKey(Ed25519PrivateKey.Generate()),
        _ => throw new AcmeConfigurationException($"Unknown key algorithm {algorithm}."),
    };

    /// <summary>Wraps an ECDSA key (P-256, P-384 or P-521). The caller keeps ownership of <paramref name="key"/>.</summary>
    /// <exception cref="AcmeConfigurationException">The curve is not one JWS defines.</exception>
    public static AcmeKey FromECDsa(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new EcdsaAcmeKey(key, ownsKey: false);
    }

    /// <summary>Wraps an RSA key of at least 2048 bits. The caller keeps ownership of <paramref name="key"/>.</summary>
    /// <exception cref="AcmeConfigurationException">The key is shorter than 2048 bits.</exception>
    public static AcmeKey FromRsa(RSA key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new RsaAcmeKey(key, ownsKey: false);
    }

    /// <summary>Imports a PKCS#8 private key in PEM form (<c>-----BEGIN PRIVATE KEY-----</c>): EC, RSA or Ed25519.</summary>
    /// <exception cref="AcmeConfigurationException">The text holds no PKCS#8 key, or the key's type is not supported. The message never contains key material.</exception>
    public static AcmeKey ImportPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        List<byte[]> blocks;
        try
        {
            blocks = PemCodec.DecodeAll(pem, "PRIVATE KEY");
        }
        catch (FormatException ex)
        {
            throw new AcmeConfigurationException("The private key PEM is malformed: " + ex.Message, ex);
        }

        if (blocks.Count != 1)
        {
            var labels = string.Join(", ", PemCodec.Labels(pem).Distinct());
            throw new AcmeConfigurationException(
                $"Expected exactly one '-----BEGIN PRIVATE KEY-----' (PKCS#8) block; found {blocks.Count}" +
                (labels.Length > 0 ? $" (labels present: {labels}; convert other formats with 'openssl pkcs8 -topk8 -nocrypt')." : "."));
        }

        try
        {
            return ImportPkcs8(blocks[0]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blocks[0]);
        }
    }

    /// <summary>Imports a DER PKCS#8 private key: EC (P-256/384/521), RSA (2048 bits or more) or Ed25519.</summary>
    /// <exception cref="AcmeConfigurationException">Not a PKCS#8 key, or an unsupported key type.</exception>
    public static AcmeKey ImportPkcs8(ReadOnlySpan<byte> pkcs8)
    {
        string oid;
        try
        {
            oid = PrivateKeyCodec.ReadAlgorithm(pkcs8);
        }
        catch (PrivateKeyFormatException ex)
        {
            throw new AcmeConfigurationException("The data is not a DER PKCS#8 PrivateKeyInfo.", ex);
        }

        switch (oid)
        {
            case PrivateKeyCodec.EcPublicKeyOid or PrivateKeyCodec.RsaEncryptionOid:
                AsymmetricAlgorithm key;
                try
                {
                    key = PrivateKeyCodec.ImportEcOrRsa(pkcs8);
                }
                catch (PrivateKeyFormatException ex)
                {
                    throw new AcmeConfigurationException(ex.Message, ex);
                }

                return key is ECDsa ec ? new EcdsaAcmeKey(ec, ownsKey: true) : new RsaAcmeKey((RSA)key, ownsKey: true);
            case PrivateKeyCodec.Ed25519Oid:
                // .NET has no Ed25519: the seed is read here (RFC 8410) and signs with Pki.Shared.Edwards25519.
                return new Ed25519AcmeKey(ImportEd25519(pkcs8));

            default:
                throw new AcmeConfigurationException($"Unsupported private key algorithm {oid}: use EC P-256/P-384/P-521, RSA or Ed25519.");
        }
    }

    private static Ed25519PrivateKey ImportEd25519(ReadOnlySpan<byte> pkcs8)
    {
        Span<byte> seed = stackalloc byte[Ed25519.SeedSize];
        try
        {
            var publicKey = PrivateKeyCodec.ReadEd25519Seed(pkcs8, seed);
            var key = new Ed25519PrivateKey(seed);
            if (publicKey is not null && !publicKey.AsSpan().SequenceEqual(key.PublicKey))
            {
                key.Dispose();
                throw new AcmeConfigurationException("The Ed25519 private key could not be imported: its publicKey field is not the public key of its private key.");
            }

            return key;
        }
        catch (PrivateKeyFormatException ex)
        {
            throw new AcmeConfigurationException("The Ed25519 private key could not be imported: " + ex.Message, ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>Exports the private key as DER PKCS#8. Treat the result as a secret.</summary>
    public abstract byte[] ExportPkcs8();

    /// <summary>Exports the private key as PKCS#8 PEM (<c>-----BEGIN PRIVATE KEY-----</c>). Treat the result as a secret.</summary>
    public string ExportPkcs8Pem()
    {
        var der = ExportPkcs8();
        try
        {
            return PemCodec.Encode("PRIVATE KEY", der);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    /// <summary>Signs <paramref name="data"/> as the JWS algorithm requires; returns the signature length.</summary>
    internal abstract int Sign(ReadOnlySpan<byte> data, Span<byte> destination);

    /// <summary>Writes the required JWK members in lexicographic order.</summary>
    private protected abstract void WriteJwkMembers(Utf8JsonWriter writer);

    private byte[] BuildJwk()
    {
        using var stream = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            WriteJwkMembers(writer);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>The algorithm and thumbprint; never key material.</summary>
    public override string ToString() => $"{Algorithm} key {Thumbprint}";

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the underlying .NET key when this instance owns it (keys wrapped with <c>ownsKey: false</c> stay the caller's).</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

internal sealed class EcdsaAcmeKey : AcmeKey
{
    private readonly ECDsa _key;
    private readonly bool _ownsKey;
    private readonly HashAlgorithmName _hash;
    private readonly int _fieldBytes;

    public EcdsaAcmeKey(ECDsa key, bool ownsKey)
    {
        _key = key;
        _ownsKey = ownsKey;
        (Algorithm, _hash, _fieldBytes, Curve) = key.KeySize switch
        {
            256 => ("ES256", HashAlgorithmName.SHA256, 32, "P-256"),
            384 => ("ES384", HashAlgorithmName.SHA384, 48, "P-384"),
            521 => ("ES512", HashAlgorithmName.SHA512, 66, "P-521"),
            _ => throw new AcmeConfigurationException($"ECDSA keys must be on P-256, P-384 or P-521; this one has {key.KeySize} bits."),
        };
    }

    public override string Algorithm { get; }

    public string Curve { get; }

    public ECDsa Key => _key;

    internal override int MaxSignatureSize => 2 * _fieldBytes;

    internal override int Sign(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        // TrySignData produces the IEEE P1363 r||s form JWS requires (RFC 7518 section 3.4).
        if (!_key.TrySignData(data, destination, _hash, out var written))
        {
            throw new CryptographicException("The signature did not fit its buffer.");
        }

        return written;
    }

    public override byte[] ExportPkcs8() => _key.ExportPkcs8PrivateKey();

    private protected override void WriteJwkMembers(Utf8JsonWriter writer)
    {
        var p = _key.ExportParameters(includePrivateParameters: false);
        writer.WriteString("crv", Curve);
        writer.WriteString("kty", "EC");
        writer.WriteString("x", Base64Url.EncodeToString(p.Q.X));
        writer.WriteString("y", Base64Url.EncodeToString(p.Q.Y));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsKey)
        {
            _key.Dispose();
        }

        base.Dispose(disposing);
    }
}

internal sealed class RsaAcmeKey : AcmeKey
{
    private readonly RSA _key;
    private readonly bool _ownsKey;

    public RsaAcmeKey(RSA key, bool ownsKey)
    {
        if (key.KeySize < MinimumRsaKeySize)
        {
            if (ownsKey)
            {
                key.Dispose();
            }

            throw new AcmeConfigurationException($"RSA keys must have at least {MinimumRsaKeySize} bits; this one has {key.KeySize}.");
        }

        _key = key;
        _ownsKey = ownsKey;
    }

    public override string Algorithm => "RS256";

    public RSA Key => _key;

    internal override int MaxSignatureSize => (_key.KeySize + 7) / 8;

    internal override int Sign(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (!_key.TrySignData(data, destination, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, out var written))
        {
            throw new CryptographicException("The signature did not fit its buffer.");
        }

        return written;
    }

    public override byte[] ExportPkcs8() => _key.ExportPkcs8PrivateKey();

    private protected override void WriteJwkMembers(Utf8JsonWriter writer)
    {
        var p = _key.ExportParameters(includePrivateParameters: false);
        writer.WriteString("e", Base64Url.EncodeToString(TrimLeadingZeros(p.Exponent!)));
        writer.WriteString("kty", "RSA");
        writer.WriteString("n", Base64Url.EncodeToString(TrimLeadingZeros(p.Modulus!)));
    }

    private static ReadOnlySpan<byte> TrimLeadingZeros(byte[] value)
    {
        var span = value.AsSpan();
        while (span.Length > 1 && span[0] == 0)
        {
            span = span[1..];
        }

        return span;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsKey)
        {
            _key.Dispose();
        }

        base.Dispose(disposing);
    }
}

internal sealed class Ed25519AcmeKey : AcmeKey
{
    private readonly Ed25519PrivateKey _key;

    public Ed25519AcmeKey(Ed25519PrivateKey key) => _key = key;

    public override string Algorithm => "EdDSA";

    internal override int MaxSignatureSize => Ed25519.SignatureSize;

    internal override int Sign(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        _key.Sign(data, destination);
        return Ed25519.SignatureSize;
    }

    public override byte[] ExportPkcs8()
    {
        Span<byte> seed = stackalloc byte[Ed25519.SeedSize];
        try
        {
            _key.ExportSeed(seed);
            return PrivateKeyCodec.WriteEd25519(seed, _key.PublicKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    private protected override void WriteJwkMembers(Utf8JsonWriter writer)
    {
        writer.WriteString("crv", "Ed25519");
        writer.WriteString("kty", "OKP");
        writer.WriteString("x", Base64Url.EncodeToString(_key.PublicKey));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _key.Dispose();
        }

        base.Dispose(disposing);
    }
}
