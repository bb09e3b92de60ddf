using System.Formats.Asn1;
using System.Numerics;

namespace Pki.Smime.Internal;

/// <summary>One extension of a draft: OID, criticality and the DER of its value.</summary>
internal sealed record DraftExtension(string Oid, bool Critical, byte[] Value);

/// <summary>
/// The fields of a to-be-signed certificate before encoding. The builder fills it from validated input;
/// tests change single fields to produce certificates that break exactly one rule.
/// </summary>
/// <remarks>
/// <code>
/// TBSCertificate ::= SEQUENCE {
///   version         [0] EXPLICIT Version DEFAULT v1,
///   serialNumber        CertificateSerialNumber,
///   signature           AlgorithmIdentifier,
///   issuer              Name,
///   validity            Validity,
///   subject             Name,
///   subjectPublicKeyInfo SubjectPublicKeyInfo,
///   issuerUniqueID  [1] IMPLICIT UniqueIdentifier OPTIONAL,
///   subjectUniqueID [2] IMPLICIT UniqueIdentifier OPTIONAL,
///   extensions      [3] EXPLICIT Extensions OPTIONAL }
/// </code>
/// </remarks>
internal sealed class CertificateDraft
{
    public int Version { get; set; } = 2;

    public BigInteger Serial { get; set; } = BigInteger.One;

    public byte[] SignatureAlgorithm { get; set; } = [];

    /// <summary>The outer <c>signatureAlgorithm</c>; null means the same as <see cref="SignatureAlgorithm"/>.</summary>
    public byte[]? OuterSignatureAlgorithm { get; set; }

    public byte[] Issuer { get; set; } = [];

    public DateTime NotBefore { get; set; }

    public DateTime NotAfter { get; set; }

    /// <summary>Encode both dates as GeneralizedTime regardless of year (only to test the encoding rule).</summary>
    public bool ForceGeneralizedTime { get; set; }

    public byte[] Subject { get; set; } = [];

    public byte[] SubjectPublicKeyInfo { get; set; } = [];

    public byte[]? IssuerUniqueId { get; set; }

    public byte[]? SubjectUniqueId { get; set; }

    private List<DraftExtension> _extensions = [];

    public List<DraftExtension> Extensions => _extensions;

    /// <summary>Replaces the extension with the same OID (or adds it at the end).</summary>
    public void Set(DraftExtension extension)
    {
        var index = Extensions.FindIndex(e => e.Oid == extension.Oid);
        if (index >= 0)
        {
            Extensions[index] = extension;
        }
        else
        {
            Extensions.Add(extension);
        }
    }

    /// <summary>Removes the extension with the given OID.</summary>
    public void Remove(string oid) => Extensions.RemoveAll(e => e.Oid == oid);

    public DraftExtension? Find(string oid) => Extensions.Find(e => e.Oid == oid);

    public CertificateDraft Clone()
    {
        var copy = (CertificateDraft)MemberwiseClone();
        copy._extensions = [.. _extensions];
        return copy;
    }

    /// <summary>The DER <c>TBSCertificate</c>; encoded fields (names, key, algorithm) are copied as bytes.</summary>
    public byte[] EncodeTbs()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            if (Version != 0)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                {
                    writer.WriteInteger(Version);
                }
            }

            writer.WriteInteger(Serial);
            writer.WriteEncodedValue(SignatureAlgorithm);
            writer.WriteEncodedValue(Issuer);
            using (writer.PushSequence())
            {
                WriteTime(writer, NotBefore);
                WriteTime(writer, NotAfter);
            }

            writer.WriteEncodedValue(Subject);
            writer.WriteEncodedValue(SubjectPublicKeyInfo);
            if (IssuerUniqueId is not null)
            {
                writer.WriteBitString(IssuerUniqueId, 0, new Asn1Tag(TagClass.ContextSpecific, 1));
            }

            if (SubjectUniqueId is not null)
            {
                writer.WriteBitString(SubjectUniqueId, 0, new Asn1Tag(TagClass.ContextSpecific, 2));
            }

            if (Extensions.Count > 0)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3, isConstructed: true)))
                using (writer.PushSequence())
                {
                    foreach (var extension in Extensions)
                    {
                        using (writer.PushSequence())
                        {
                            writer.WriteObjectIdentifier(extension.Oid);
                            if (extension.Critical)
                            {
                                writer.WriteBoolean(true);
                            }

                            writer.WriteOctetString(extension.Value);
                        }
                    }
                }
            }
        }

        return writer.Encode();
    }

    /// <summary>The DER <c>Certificate</c> for an encoded TBS and a signature value.</summary>
    public byte[] EncodeCertificate(byte[] tbs, byte[] signature)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER, initialCapacity: tbs.Length + signature.Length + 64);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(tbs);
            writer.WriteEncodedValue(OuterSignatureAlgorithm ?? SignatureAlgorithm);
            writer.WriteBitString(signature);
        }

        return writer.Encode();
    }

    // RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, both without fractions.
    private void WriteTime(AsnWriter writer, DateTime time)
    {
        var value = new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc));
        if (ForceGeneralizedTime || time.Year < 1950 || time.Year > 2049)
        {
            writer.WriteGeneralizedTime(value, omitFractionalSeconds: true);
        }
        else
        {
            writer.WriteUtcTime(value, twoDigitYearMax: 2049);
        }
    }
}
