using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pki.Acme.Server;

/// <summary>One CA of the embedded hierarchy (the root or the intermediate): its certificate and, when known, its private key.</summary>
internal sealed class CaAuthority : IDisposable
{
    public CaAuthority(X509Certificate2 certificate, AsymmetricAlgorithm? key)
    {
        Certificate = certificate;
        Key = key;
        var ski = certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault();
        SubjectKeyIdentifier = ski is not null
            ? ski.SubjectKeyIdentifierBytes.ToArray()
            : new X509SubjectKeyIdentifierExtension(certificate.PublicKey, X509SubjectKeyIdentifierHashAlgorithm.Sha1, false).SubjectKeyIdentifierBytes.ToArray();
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>The private key (ECDsa or RSA), null when only the certificate was given (a root without its key).</summary>
    public AsymmetricAlgorithm? Key { get; }

    public byte[] SubjectKeyIdentifier { get; }

    public HashAlgorithmName Hash => HashFor(Key ?? (AsymmetricAlgorithm?)Certificate.GetECDsaPublicKey() ?? Certificate.GetRSAPublicKey()!);

    public X509AuthorityKeyIdentifierExtension AuthorityKeyIdentifier => X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(SubjectKeyIdentifier);

    /// <summary>The signature generator of <see cref="Key"/>: ECDSA, or RSA with PKCS#1 v1.5 (what the TLS BR 7.1.3.2 allow).</summary>
    public X509SignatureGenerator Signer => Key switch
    {
        ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        _ => throw new InvalidOperationException($"The CA '{Certificate.Subject}' has no private key here."),
    };

    /// <summary>SHA-384 for P-384 keys, SHA-256 otherwise (TLS BR 7.1.3.2).</summary>
    public static HashAlgorithmName HashFor(AsymmetricAlgorithm key) => key is ECDsa { KeySize: 384 } ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;

    public void Dispose()
    {
        Key?.Dispose();
        Certificate.Dispose();
    }
}
