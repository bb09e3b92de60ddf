using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Pki.Smime.Internal;

/// <summary>DER encodings of the extension values the builder and the test hierarchy write (RFC 5280 section 4.2).</summary>
internal static class ExtensionEncoder
{
    public const int DigitalSignature = 1 << 7;
    public const int KeyEncipherment = 1 << 5;
    public const int KeyAgreement = 1 << 3;
    public const int KeyCertSign = 1 << 2;
    public const int CrlSign = 1 << 1;

    private static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0);
    private static readonly Asn1Tag Context0Constructed = new(TagClass.ContextSpecific, 0, isConstructed: true);

    /// <summary>
    /// keyUsage as a named bit list (RFC 5280 section 4.2.1.3): bit 0 (digitalSignature) is the top bit of
    /// the first octet, bit 8 (decipherOnly) the top bit of the second; DER drops trailing zero bits.
    /// </summary>
    public static DraftExtension KeyUsage(int bits, bool critical = true)
    {
        var octets = new[] { (byte)(bits & 0xFF), (byte)((bits >> 8) & 0xFF) };
        var length = octets[1] != 0 ? 2 : octets[0] != 0 ? 1 : 0;
        var unused = 0;
        if (length > 0)
        {
            var last = octets[length - 1];
            while ((last & (1 << unused)) == 0)
            {
                unused++;
            }
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteBitString(octets.AsSpan(0, length), unused);
        return new(Oids.KeyUsage, critical, writer.Encode());
    }

    public static DraftExtension ExtendedKeyUsage(IEnumerable<string> purposes, bool critical = false)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var purpose in purposes)
            {
                writer.WriteObjectIdentifier(purpose);
            }
        }

        return new(Oids.ExtendedKeyUsage, critical, writer.Encode());
    }

    /// <summary>basicConstraints: cA (DEFAULT FALSE, so omitted when false) and an optional pathLenConstraint; always critical.</summary>
    public static DraftExtension BasicConstraints(bool ca, int? pathLength)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            if (ca || pathLength is not null)
            {
                writer.WriteBoolean(true);
            }

            if (pathLength is { } length)
            {
                writer.WriteInteger(length);
            }
        }

        return new(Oids.BasicConstraints, true, writer.Encode());
    }

    /// <summary>certificatePolicies: the given policies, the first with an optional CPS qualifier.</summary>
    public static DraftExtension CertificatePolicies(IEnumerable<string> policyOids, Uri? cps, bool critical = false)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            var first = true;
            foreach (var oid in policyOids)
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(oid);
                    if (first && cps is not null)
                    {
                        using (writer.PushSequence())
                        using (writer.PushSequence())
                        {
                            writer.WriteObjectIdentifier(Oids.QualifierCps);
                            writer.WriteCharacterString(UniversalTagNumber.IA5String, cps.AbsoluteUri);
                        }
                    }
                }

                first = false;
            }
        }

        return new(Oids.CertificatePolicies, critical, writer.Encode());
    }

    /// <summary>cRLDistributionPoints with one distribution point whose fullName holds the URIs.</summary>
    public static DraftExtension CrlDistributionPoints(params string[] uris)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence(Context0Constructed)) // distributionPoint [0] EXPLICIT DistributionPointName
        using (writer.PushSequence(Context0Constructed)) // fullName [0] IMPLICIT GeneralNames
        {
            foreach (var uri in uris)
            {
                WriteUri(writer, uri);
            }
        }

        return new(Oids.CrlDistributionPoints, false, writer.Encode());
    }

    /// <summary>authorityInformationAccess with the given (method, URI) pairs.</summary>
    public static DraftExtension AuthorityInformationAccess(IEnumerable<(string Method, string Uri)> entries)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var (method, uri) in entries)
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(method);
                    WriteUri(writer, uri);
                }
            }
        }

        return new(Oids.AuthorityInfoAccess, false, writer.Encode());
    }

    /// <summary>authorityKeyIdentifier with keyIdentifier only (7.1.2.3 g).</summary>
    public static DraftExtension AuthorityKeyIdentifier(byte[] keyIdentifier)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteOctetString(keyIdentifier, Context0);
        }

        return new(Oids.AuthorityKeyIdentifier, false, writer.Encode());
    }

    public static DraftExtension SubjectKeyIdentifier(byte[] keyIdentifier)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(keyIdentifier);
        return new(Oids.SubjectKeyIdentifier, false, writer.Encode());
    }

    /// <summary>subjectAltName with rfc822Name and SmtpUTF8Mailbox entries (7.1.4.2.1, RFC 9598 section 3).</summary>
    public static DraftExtension SubjectAltName(IEnumerable<(bool SmtpUtf8, string Value)> mailboxes, bool critical)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var (smtpUtf8, value) in mailboxes)
            {
                if (!smtpUtf8)
                {
                    writer.WriteCharacterString(UniversalTagNumber.IA5String, value, new Asn1Tag(TagClass.ContextSpecific, 1));
                    continue;
                }

                // otherName [0] IMPLICIT SEQUENCE { type-id, value [0] EXPLICIT UTF8String }
                using (writer.PushSequence(Context0Constructed))
                {
                    writer.WriteObjectIdentifier(Oids.SmtpUtf8Mailbox);
                    using (writer.PushSequence(Context0Constructed))
                    {
                        writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
                    }
                }
            }
        }

        return new(Oids.SubjectAltName, critical, writer.Encode());
    }

    /// <summary>
    /// The key identifier of RFC 7093 section 2 method 1: the leftmost 160 bits of the SHA-256 hash of
    /// the subjectPublicKey BIT STRING value.
    /// </summary>
    public static byte[] KeyIdentifier(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        var spki = new AsnReader(subjectPublicKeyInfo.ToArray(), AsnEncodingRules.DER).ReadSequence();
        spki.ReadEncodedValue(); // algorithm
        var key = spki.ReadBitString(out _);
        return SHA256.HashData(key).AsSpan(0, 20).ToArray();
    }

    private static void WriteUri(AsnWriter writer, string uri) =>
        writer.WriteCharacterString(UniversalTagNumber.IA5String, uri, new Asn1Tag(TagClass.ContextSpecific, 6));
}
