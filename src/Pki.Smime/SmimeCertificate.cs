using Pki.Smime.Internal;

namespace Pki.Smime;

/// <summary>An issued S/MIME certificate with its pre-issuance lint report (no errors; warnings possible).</summary>
public sealed class SmimeCertificate
{
    private readonly byte[] _der;

    internal SmimeCertificate(byte[] der, SmimeProfile profile, string serialNumber, DateTimeOffset notBefore, DateTimeOffset notAfter, SmimeLintReport lint)
    {
        _der = der;
        Profile = profile;
        SerialNumber = serialNumber;
        NotBefore = notBefore;
        NotAfter = notAfter;
        Lint = lint;
    }

    /// <summary>The signed certificate in DER, ready for <c>X509CertificateLoader</c>, a CMS signer or a directory.</summary>
    public ReadOnlyMemory<byte> RawData => _der;

    /// <summary>The profile the certificate was built and linted against; its reserved policy OID is in certificatePolicies.</summary>
    public SmimeProfile Profile { get; }

    /// <summary>The serial number in upper-case hex, as <c>X509Certificate2.SerialNumber</c> shows it.</summary>
    public string SerialNumber { get; }

    /// <summary>notBefore: the builder's clock at issuance, truncated to whole seconds (UTC).</summary>
    public DateTimeOffset NotBefore { get; }

    /// <summary>notAfter, inclusive (RFC 5280 section 4.1.2.5): the certificate is still valid during this second.</summary>
    public DateTimeOffset NotAfter { get; }

    /// <summary>The pre-issuance lint report of the to-be-signed content (section 4.3.1.2).</summary>
    public SmimeLintReport Lint { get; }

    /// <summary>The certificate as one RFC 7468 <c>CERTIFICATE</c> PEM block (64-column base64, LF line ends).</summary>
    public string ToPem() => PemCodec.Encode("CERTIFICATE", _der);
}
