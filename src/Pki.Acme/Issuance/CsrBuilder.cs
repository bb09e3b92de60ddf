using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pki.Acme;

/// <summary>Builds the PKCS#10 request <see cref="AcmeCertificateIssuer"/> sends at finalization (RFC 8555 section 7.4); stateless and thread-safe.</summary>
public static class CsrBuilder
{
    /// <summary>
    /// A DER CSR signed by <paramref name="key"/> (ECDSA or RSA) with every identifier in
    /// subjectAltName and, when it fits in 64 characters, the first DNS name as subject CN.
    /// With no CN the subject is empty and subjectAltName is critical (RFC 5280 section 4.2.1.6).
    /// </summary>
    /// <exception cref="AcmeConfigurationException">An unsupported key (not ECDSA, or RSA under 2048 bits), or no identifiers.</exception>
    public static byte[] Build(AsymmetricAlgorithm key, IReadOnlyList<AcmeIdentifier> identifiers)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(identifiers);
        if (identifiers.Count == 0)
        {
            throw new AcmeConfigurationException("A CSR needs at least one identifier.");
        }

        var commonName = identifiers.FirstOrDefault(i => i.Type == AcmeIdentifier.DnsType && i.Value.Length <= 64)?.Value;
        var subject = commonName is null ? new X500DistinguishedName(string.Empty) : new X500DistinguishedName("CN=" + commonName);
        CertificateRequest request = key switch
        {
            ECDsa ec => new CertificateRequest(subject, ec, ec.KeySize switch { 384 => HashAlgorithmName.SHA384, 521 => HashAlgorithmName.SHA512, _ => HashAlgorithmName.SHA256 }),
            RSA rsa when rsa.KeySize >= 2048 => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            RSA rsa => throw new AcmeConfigurationException($"RSA certificate keys must have at least 2048 bits; this one has {rsa.KeySize}."),
            _ => throw new AcmeConfigurationException($"Certificate keys must be ECDSA or RSA, not {key.GetType().Name}."),
        };
        var san = new SubjectAlternativeNameBuilder();
        foreach (var identifier in identifiers)
        {
            if (identifier.Type == AcmeIdentifier.IpType)
            {
                san.AddIpAddress(IPAddress.Parse(identifier.Value));
            }
            else
            {
                san.AddDnsName(identifier.Value);
            }
        }

        // RFC 5280 section 4.2.1.6: with an empty subject, subjectAltName is critical.
        request.CertificateExtensions.Add(san.Build(critical: commonName is null));
        return request.CreateSigningRequest();
    }
}
