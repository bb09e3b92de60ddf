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

    /// <summary>The DER certificate.</summary>
    public ReadOnlyMemory<byte> RawData => _der;

    /// <summary>The profile it was issued under.</summary>
    public SmimeProfile Profile { get; }

    /// <summary>The serial number in upper-case hex, as <c>X509Certificate2.SerialNumber</c> shows it.</summary>
    public string SerialNumber { get; }

    /// <summary>Start of validity.</summary>
    public DateTimeOffset NotBefore { get; }

    /// <summary>End of validity (inclusive).</summary>
    public DateTimeOffset NotAfter { get; }

    /// <summary>The pre-issuance lint report of the to-be-signed content (section 4.3.1.2).</summary>
    public SmimeLintReport Lint { get; }

    /// <summary>The certificate as PEM text.</summary>
    public string ToPem() => PemCodec.Encode("CERTIFICATE", _der);
}
