using System.Buffers.Text;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Security.Certificates;
using Org.BouncyCastle.X509;
using X509Certificate = Org.BouncyCastle.X509.X509Certificate;

namespace Pki.Ari;

/// <summary>
/// The RFC 9773 section 4.1 certificate identifier:
/// <code>
/// base64url(AKI keyIdentifier) "." base64url(serial number DER content octets)
/// </code>
/// both unpadded. The serial keeps its leading 0x00 octet when DER has one (e.g. <c>AIdlQyE</c>
/// for serial 0x0087654321), because the bytes are the INTEGER's content, not the number.
/// </summary>
public sealed record AriCertId
{
    private AriCertId(byte[] keyIdentifier, byte[] serial)
    {
        KeyIdentifier = keyIdentifier;
        SerialNumber = serial;
        Value = Base64Url.EncodeToString(keyIdentifier) + "." + Base64Url.EncodeToString(serial);
    }

    /// <summary>The issuer's key identifier (the certificate's Authority Key Identifier keyIdentifier).</summary>
    public ReadOnlyMemory<byte> KeyIdentifier { get; }

    /// <summary>The serial number's DER content octets (big-endian, two's complement).</summary>
    public ReadOnlyMemory<byte> SerialNumber { get; }

    /// <summary>The CertID text used in <c>renewalInfo/{CertID}</c> and in <c>replaces</c>.</summary>
    public string Value { get; }

    /// <summary>The CertID of a certificate.</summary>
    /// <exception cref="AriException">The certificate has no Authority Key Identifier with a keyIdentifier, or is not valid DER.</exception>
    public static AriCertId FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return FromDer(certificate.RawData);
    }

    /// <summary>The CertID of a DER certificate.</summary>
    /// <exception cref="AriException">No Authority Key Identifier keyIdentifier, or not a certificate.</exception>
    public static AriCertId FromDer(ReadOnlySpan<byte> certificateDer)
    {
        X509Certificate parsed;
        try
        {
            parsed = new X509CertificateParser().ReadCertificate(certificateDer.ToArray())
                ?? throw new AriException("The data holds no certificate.");
        }
        catch (Exception ex) when (ex is CertificateException or IOException or ArgumentException or InvalidCastException)
        {
            throw new AriException("The data is not a DER X.509 certificate: " + ex.Message, ex);
        }

        var extension = parsed.GetExtensionValue(X509Extensions.AuthorityKeyIdentifier);
        if (extension is null)
        {
            throw new AriException($"Certificate '{parsed.SubjectDN}' (serial {parsed.SerialNumber.ToString(16)}) has no Authority Key Identifier extension, so it has no RFC 9773 CertID.");
        }

        byte[]? keyIdentifier;
        try
        {
            keyIdentifier = AuthorityKeyIdentifier.GetInstance(Asn1Object.FromByteArray(extension.GetOctets())).KeyIdentifier?.GetOctets();
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidCastException)
        {
            throw new AriException($"Certificate '{parsed.SubjectDN}' has a malformed Authority Key Identifier extension.", ex);
        }

        if (keyIdentifier is null || keyIdentifier.Length == 0)
        {
            throw new AriException($"Certificate '{parsed.SubjectDN}' has an Authority Key Identifier without a keyIdentifier, so it has no RFC 9773 CertID.");
        }

        // BigInteger.ToByteArray is the minimal two's-complement encoding: the DER INTEGER content octets.
        return new AriCertId(keyIdentifier, parsed.SerialNumber.ToByteArray());
    }

    /// <summary>Parses CertID text.</summary>
    /// <exception cref="AriException">Not two non-empty unpadded base64url parts joined by one dot.</exception>
    public static AriCertId Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == value.Length - 1 || value.IndexOf('.', dot + 1) >= 0)
        {
            throw new AriException($"'{value}' is not a CertID: expected two base64url parts joined by one '.'.");
        }

        var keyIdentifier = DecodePart(value, value.Substring(0, dot), "keyIdentifier");
        var serial = DecodePart(value, value.Substring(dot + 1), "serial number");
        return new AriCertId(keyIdentifier, serial);
    }

    private static byte[] DecodePart(string value, string part, string what)
    {
        if (part.Contains('=', StringComparison.Ordinal) || !Base64Url.IsValid(part.AsSpan()))
        {
            throw new AriException($"'{value}' is not a CertID: its {what} part is not unpadded base64url.");
        }

        var bytes = Base64Url.DecodeFromChars(part.AsSpan());
        if (bytes.Length == 0)
        {
            throw new AriException($"'{value}' is not a CertID: its {what} part is empty.");
        }

        return bytes;
    }

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <inheritdoc />
    public bool Equals(AriCertId? other) => other is not null && Value == other.Value;

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);
}

/// <summary>An ARI operation failed: a certificate without CertID, malformed CertID text, bad options.</summary>
public sealed class AriException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AriException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public AriException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public AriException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
