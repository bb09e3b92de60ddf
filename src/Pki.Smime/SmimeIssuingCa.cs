using Pki.Smime.Internal;
using Pki.Smime.Linting;

namespace Pki.Smime;

/// <summary>
/// An S/MIME issuing CA: its certificate, its signing key and the URLs that go into the certificates
/// it issues (CRL distribution point, caIssuers, OCSP; section 7.1.2.3 b and c). The caller keeps
/// ownership of <see cref="Key"/>.
/// </summary>
public sealed class SmimeIssuingCa
{
    /// <summary>Creates the issuing CA after checking that the certificate is a CA certificate with a subjectKeyIdentifier whose public key is the key's.</summary>
    /// <param name="certificate">The CA certificate, DER or PEM.</param>
    /// <param name="key">The private key of the CA certificate; the caller keeps ownership and disposes it.</param>
    /// <param name="crlDistributionPoint">Absolute HTTP URL of the CA's CRL, written into every issued certificate (7.1.2.3 b).</param>
    /// <exception cref="SmimeFormatException">The certificate is malformed.</exception>
    /// <exception cref="ArgumentException">The certificate is not a CA certificate, has no subjectKeyIdentifier, or does not match the key.</exception>
    public SmimeIssuingCa(ReadOnlySpan<byte> certificate, SmimeKeyPair key, Uri crlDistributionPoint)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(crlDistributionPoint);
        if (!crlDistributionPoint.IsAbsoluteUri)
        {
            throw new ArgumentException($"The CRL distribution point '{crlDistributionPoint}' is not an absolute URI.", nameof(crlDistributionPoint));
        }

        var der = Pem.DerOrPem(certificate, "issuing CA certificate", "CERTIFICATE");
        Issuer = ParsedCertificate.ParseIssuer(der);
        if (!Issuer.IsCa)
        {
            throw new ArgumentException("The issuing CA certificate does not have basicConstraints cA=true.", nameof(certificate));
        }

        if (Issuer.SubjectKeyIdentifier is null)
        {
            throw new ArgumentException("The issuing CA certificate has no subjectKeyIdentifier, so authorityKeyIdentifier cannot be set (section 7.1.2.3 g).", nameof(certificate));
        }

        if (!Issuer.SubjectPublicKeyInfo.AsSpan().SequenceEqual(key.PublicKey.SubjectPublicKeyInfo.Span))
        {
            throw new ArgumentException("The signing key's public key is not the public key of the issuing CA certificate.", nameof(key));
        }

        Key = key;
        CrlDistributionPoint = crlDistributionPoint;
    }

    /// <summary>The CA certificate in DER; give it to <see cref="SmimeLintOptions.IssuerCertificate"/> to lint against this CA.</summary>
    public ReadOnlyMemory<byte> Certificate => Issuer.Certificate;

    /// <summary>The key that signs issued certificates; owned by the caller, not disposed here.</summary>
    public SmimeKeyPair Key { get; }

    /// <summary>HTTP URL of the CA's CRL (cRLDistributionPoints).</summary>
    public Uri CrlDistributionPoint { get; }

    /// <summary>HTTP URL of the CA certificate (AIA id-ad-caIssuers); SHOULD be set.</summary>
    public Uri? CaIssuers { get; init; }

    /// <summary>HTTP URL of the CA's OCSP responder (AIA id-ad-ocsp); optional.</summary>
    public Uri? Ocsp { get; init; }

    /// <summary>Optional HTTP(S) URL of the CPS, added as an id-qt-cps qualifier.</summary>
    public Uri? CpsUri { get; init; }

    /// <summary>CA policy OIDs documented in the CP/CPS, added after the reserved S/MIME policy.</summary>
    public IReadOnlyList<string> AdditionalPolicyOids { get; init; } = [];

    /// <summary>The issuer domain names this CA is known by in CAA <c>issuemail</c> records (RFC 9495).</summary>
    public IReadOnlyList<string> IssuerDomainNames { get; init; } = [];

    internal IssuerInfo Issuer { get; }
}
