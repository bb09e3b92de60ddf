using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

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
    private static readonly byte[] CriticalTrue = [0x01, 0x01, 0xFF];

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

    /// <summary>The DER <c>TBSCertificate</c>; encoded fields are copied as bytes.</summary>
    public byte[] EncodeTbs()
    {
        var fields = new List<byte[]>(10);
        if (Version != 0)
        {
            fields.Add(new DerTaggedObject(true, 0, DerInteger.ValueOf(Version)).GetEncoded(Asn1Encodable.Der));
        }

        fields.Add(new DerInteger(Serial).GetEncoded(Asn1Encodable.Der));
        fields.Add(SignatureAlgorithm);
        fields.Add(Issuer);
        fields.Add(new DerSequence(EncodeTime(NotBefore), EncodeTime(NotAfter)).GetEncoded(Asn1Encodable.Der));
        fields.Add(Subject);
        fields.Add(SubjectPublicKeyInfo);
        if (IssuerUniqueId is not null)
        {
            fields.Add(new DerTaggedObject(false, 1, new DerBitString(IssuerUniqueId)).GetEncoded(Asn1Encodable.Der));
        }

        if (SubjectUniqueId is not null)
        {
            fields.Add(new DerTaggedObject(false, 2, new DerBitString(SubjectUniqueId)).GetEncoded(Asn1Encodable.Der));
        }

        if (Extensions.Count > 0)
        {
            var extensions = new byte[Extensions.Count][];
            for (var i = 0; i < extensions.Length; i++)
            {
                var extension = Extensions[i];
                var oid = new DerObjectIdentifier(extension.Oid).GetEncoded(Asn1Encodable.Der);
                var value = DerWriter.Wrap(DerWriter.OctetString, extension.Value);
                extensions[i] = extension.Critical
                    ? DerWriter.Wrap(DerWriter.Sequence, oid, CriticalTrue, value)
                    : DerWriter.Wrap(DerWriter.Sequence, oid, value);
            }

            fields.Add(DerWriter.Wrap(0xA3, DerWriter.Wrap(DerWriter.Sequence, extensions)));
        }

        return DerWriter.Wrap(DerWriter.Sequence, [.. fields]);
    }

    /// <summary>The DER <c>Certificate</c> for an encoded TBS and a signature value.</summary>
    public byte[] EncodeCertificate(byte[] tbs, byte[] signature) =>
        DerWriter.Wrap(DerWriter.Sequence, tbs, OuterSignatureAlgorithm ?? SignatureAlgorithm, DerWriter.BitStringOf(signature));

    private Asn1Encodable EncodeTime(DateTime time) =>
        ForceGeneralizedTime ? new DerGeneralizedTime(time) : new Time(time);
}
