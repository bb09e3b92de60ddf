using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;

namespace Pki.Smime.Internal;

/// <summary>DER encodings of the extension values the builder and the test hierarchy write (RFC 5280 section 4.2).</summary>
internal static class ExtensionEncoder
{
    public const int DigitalSignature = 1 << 7;
    public const int KeyEncipherment = 1 << 5;
    public const int KeyAgreement = 1 << 3;
    public const int KeyCertSign = 1 << 2;
    public const int CrlSign = 1 << 1;

    public static DraftExtension KeyUsage(int bits, bool critical = true) =>
        new(Oids.KeyUsage, critical, new KeyUsage(bits).GetEncoded(Asn1Encodable.Der));

    public static DraftExtension ExtendedKeyUsage(IEnumerable<string> purposes, bool critical = false) =>
        new(Oids.ExtendedKeyUsage, critical, Sequence(purposes.Select(p => (Asn1Encodable)new DerObjectIdentifier(p))));

    public static DraftExtension BasicConstraints(bool ca, int? pathLength) =>
        new(Oids.BasicConstraints, true, (pathLength is { } length ? new BasicConstraints(length) : new BasicConstraints(ca)).GetEncoded(Asn1Encodable.Der));

    /// <summary>certificatePolicies: the given policies, the first with an optional CPS qualifier.</summary>
    public static DraftExtension CertificatePolicies(IEnumerable<string> policyOids, Uri? cps, bool critical = false)
    {
        var policies = new List<Asn1Encodable>();
        foreach (var oid in policyOids)
        {
            if (policies.Count == 0 && cps is not null)
            {
                var qualifier = new DerSequence(new DerObjectIdentifier(Oids.QualifierCps), new DerIA5String(cps.AbsoluteUri));
                policies.Add(new DerSequence(new DerObjectIdentifier(oid), new DerSequence(qualifier)));
            }
            else
            {
                policies.Add(new DerSequence(new DerObjectIdentifier(oid)));
            }
        }

        return new(Oids.CertificatePolicies, critical, Sequence(policies));
    }

    /// <summary>cRLDistributionPoints with one distribution point whose fullName holds the URIs.</summary>
    public static DraftExtension CrlDistributionPoints(params string[] uris)
    {
        var fullName = new DerTaggedObject(false, 0, new DerSequence(uris.Select(u => (Asn1Encodable)Uri(u)).ToArray()));
        var point = new DerSequence(new DerTaggedObject(true, 0, fullName));
        return new(Oids.CrlDistributionPoints, false, new DerSequence(point).GetEncoded(Asn1Encodable.Der));
    }

    /// <summary>authorityInformationAccess with the given (method, URI) pairs.</summary>
    public static DraftExtension AuthorityInformationAccess(IEnumerable<(string Method, string Uri)> entries) =>
        new(Oids.AuthorityInfoAccess, false, Sequence(entries.Select(e => (Asn1Encodable)new DerSequence(new DerObjectIdentifier(e.Method), Uri(e.Uri)))));

    /// <summary>authorityKeyIdentifier with keyIdentifier only (7.1.2.3 g).</summary>
    public static DraftExtension AuthorityKeyIdentifier(byte[] keyIdentifier) =>
        new(Oids.AuthorityKeyIdentifier, false, new DerSequence(new DerTaggedObject(false, 0, new DerOctetString(keyIdentifier))).GetEncoded(Asn1Encodable.Der));

    public static DraftExtension SubjectKeyIdentifier(byte[] keyIdentifier) =>
        new(Oids.SubjectKeyIdentifier, false, new DerOctetString(keyIdentifier).GetEncoded(Asn1Encodable.Der));

    /// <summary>subjectAltName with rfc822Name and SmtpUTF8Mailbox entries (7.1.4.2.1, RFC 9598 section 3).</summary>
    public static DraftExtension SubjectAltName(IEnumerable<(bool SmtpUtf8, string Value)> mailboxes, bool critical)
    {
        var names = mailboxes.Select(m => m.SmtpUtf8
            ? (Asn1Encodable)new DerTaggedObject(false, 0, new DerSequence(new DerObjectIdentifier(Oids.SmtpUtf8Mailbox), new DerTaggedObject(true, 0, new DerUtf8String(m.Value))))
            : new DerTaggedObject(false, 1, new DerIA5String(m.Value)));
        return new(Oids.SubjectAltName, critical, Sequence(names));
    }

    /// <summary>
    /// The key identifier of RFC 7093 section 2 method 1: the leftmost 160 bits of the SHA-256 hash of
    /// the subjectPublicKey BIT STRING value.
    /// </summary>
    public static byte[] KeyIdentifier(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        var spki = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(subjectPublicKeyInfo.ToArray()));
        var key = DerBitString.GetInstance(spki[1]).GetBytes();
#if NET8_0_OR_GREATER
        var hash = SHA256.HashData(key);
#else
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(key);
#endif
        return hash.AsSpan(0, 20).ToArray();
    }

    private static DerTaggedObject Uri(string uri) => new(false, 6, new DerIA5String(uri));

    private static byte[] Sequence(IEnumerable<Asn1Encodable> elements) => new DerSequence(elements.ToArray()).GetEncoded(Asn1Encodable.Der);
}
