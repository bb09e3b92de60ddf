using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pki.Acme;

/// <summary>The result of an issuance: the certificate key (unless the caller brought a CSR) and the verified chains, the chosen one first in line.</summary>
public sealed class AcmeIssuedCertificate
{
    internal AcmeIssuedCertificate(string? privateKeyPem, AcmeCertificateChain chain, IReadOnlyList<AcmeCertificateChain> chains, Uri orderUri)
    {
        PrivateKeyPem = privateKeyPem;
        Chain = chain;
        AllChains = chains;
        OrderUri = orderUri;
    }

    /// <summary>The certificate key as PKCS#8 PEM; null when the caller supplied the CSR. A secret: store it with care.</summary>
    public string? PrivateKeyPem { get; }

    /// <summary>The chain chosen by <see cref="AcmeIssuanceRequest.PreferredChain"/> (the CA's default when none matched), leaf first; verified by <see cref="AcmeCertificateVerifier"/>.</summary>
    public AcmeCertificateChain Chain { get; }

    /// <summary>The chosen chain as PEM, leaf first.</summary>
    public string ChainPem => Chain.Pem;

    /// <summary>Every chain the CA offered that passed <see cref="AcmeCertificateVerifier"/>, the default first.</summary>
    public IReadOnlyList<AcmeCertificateChain> AllChains { get; }

    /// <summary>The order URL (RFC 8555 section 7.4), e.g. to find the order again or to report it.</summary>
    public Uri OrderUri { get; }

    /// <summary>A new <see cref="X509Certificate2"/> of the leaf with its private key, ready for Kestrel or SslStream; the caller disposes it.</summary>
    /// <exception cref="InvalidOperationException">The certificate was issued for a caller-supplied CSR, so <see cref="PrivateKeyPem"/> is null.</exception>
    /// <exception cref="AcmeConfigurationException">The key is not one PKCS#8 EC or RSA key (it cannot be, unless the PEM was replaced).</exception>
    public X509Certificate2 LoadCertificateWithKey()
    {
        if (PrivateKeyPem is null)
        {
            throw new InvalidOperationException("The certificate was issued for a caller-supplied CSR: its key is not here.");
        }

#if NET8_0_OR_GREATER
        return X509Certificate2.CreateFromPem(Chain.Pem.AsSpan(), PrivateKeyPem.AsSpan());
#else
        using var leaf = Chain.LoadLeaf();
        AsymmetricAlgorithm key;
        try
        {
            key = PrivateKeyCodec.ImportPem(PrivateKeyPem);
        }
        catch (PrivateKeyFormatException ex)
        {
            throw new AcmeConfigurationException("The issued certificate's key cannot be loaded: " + ex.Message, ex);
        }

        using (key)
        {
            return key switch
            {
                ECDsa ec => leaf.CopyWithPrivateKey(ec),
                RSA rsa => leaf.CopyWithPrivateKey(rsa),
                _ => throw new AcmeConfigurationException($"The issued certificate's key is a {key.GetType().Name}, neither ECDSA nor RSA."),
            };
        }
#endif
    }
}
