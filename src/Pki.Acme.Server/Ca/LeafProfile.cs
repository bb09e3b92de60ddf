using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pki.Acme;

namespace Pki.Acme.Server;

/// <summary>
/// The subscriber (leaf) certificate profile of the CA/Browser Forum TLS Baseline Requirements 7.1.2.7
/// (domain validated): what every certificate the embedded CA issues contains.
/// </summary>
internal static class LeafProfile
{
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>CA/Browser Forum domain-validated reserved policy identifier (TLS BR 7.1.6.1).</summary>
    public const string DomainValidatedPolicyOid = "2.23.140.1.2.1";

    public const string CertificatePoliciesOid = "2.5.29.32";

    /// <summary>The serial length: 16 bytes, of which 126 bits are random (TLS BR 7.1: at least 64 bits from a CSPRNG).</summary>
    public const int SerialLength = 16;

    /// <summary>
    /// A fresh serial: 16 bytes from <see cref="RandomNumberGenerator"/>, the top bit cleared (a positive
    /// INTEGER) and the next one set (so DER keeps all 16 bytes and the hex form has a stable length).
    /// </summary>
    public static byte[] NewSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(SerialLength);
        serial[0] = (byte)((serial[0] & 0x3F) | 0x40);
        return serial;
    }

    /// <summary>certificatePolicies with one PolicyInformation without qualifiers per OID (RFC 5280 4.2.1.4).</summary>
    public static X509Extension CertificatePolicies(params string[] policies)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var policy in policies)
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(policy);
                }
            }
        }

        return new X509Extension(CertificatePoliciesOid, writer.Encode(), critical: false);
    }

    /// <summary>Builds and signs the leaf for <paramref name="publicKey"/> under <paramref name="issuer"/>.</summary>
    public static X509Certificate2 Build(
        PublicKey publicKey,
        IReadOnlyList<AcmeIdentifier> identifiers,
        AcmeServerProfileOptions profile,
        CaAuthority issuer,
        Uri publicationUrl,
        byte[] serial,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter)
    {
        // TLS BR 7.1.2.7.2: commonName is NOT RECOMMENDED, so by default the subject is empty and the SAN critical
        // (RFC 5280 4.2.1.6). With IncludeCommonName it is the first identifier (BR 7.1.4.3: one of the SAN values),
        // unless that does not fit the 64-character ub-common-name.
        var first = identifiers[0].Value;
        var emptySubject = !profile.IncludeCommonName || first.Length > 64;
        X500DistinguishedName subject;
        if (emptySubject)
        {
            subject = new X500DistinguishedName(new byte[] { 0x30, 0x00 });
        }
        else
        {
            var builder = new X500DistinguishedNameBuilder();
            builder.AddCommonName(first);
            subject = builder.Build();
        }

        var request = new CertificateRequest(subject, publicKey, issuer.Hash);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var identifier in identifiers)
        {
            if (identifier.Type == AcmeIdentifier.IpType)
            {
                names.AddIpAddress(IPAddress.Parse(identifier.Value));
            }
            else
            {
                names.AddDnsName(identifier.Value);
            }
        }

        // TLS BR 7.1.2.7.6 (subscriber certificate extensions), in the order the table lists them.
        request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(null, [CaUrls.IntermediateCertificate(publicationUrl)], false));
        request.CertificateExtensions.Add(issuer.AuthorityKeyIdentifier);
        request.CertificateExtensions.Add(CertificatePolicies(DomainValidatedPolicyOid));
        var usages = new OidCollection { new Oid(ServerAuthOid) };
        if (profile.IncludeClientAuth)
        {
            usages.Add(new Oid(ClientAuthOid));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        request.CertificateExtensions.Add(names.Build(critical: emptySubject));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        if (profile.IncludeCrlDistributionPoint)
        {
            request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([CaUrls.IntermediateCrl(publicationUrl)], false));
        }

        // TLS BR 7.1.2.7.11: digitalSignature for RSA and ECDSA alike; keyEncipherment (RSA key transport, TLS 1.2 RSA
        // key exchange) is only permitted for RSA and pkilint warns when both are set.
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));

        return request.Create(issuer.Certificate.SubjectName, issuer.Signer, notBefore, notAfter, serial);
    }
}
