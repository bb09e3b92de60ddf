using System.Buffers.Text;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

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
    private const string AuthorityKeyIdentifierOid = "2.5.29.35";

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
    /// <exception cref="AriException">The certificate has no Authority Key Identifier with a keyIdentifier, or its extension is malformed.</exception>
    public static AriCertId FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return FromParsed(certificate, certificate.RawData);
    }

    /// <summary>The CertID of a DER certificate.</summary>
    /// <exception cref="AriException">No Authority Key Identifier keyIdentifier, a malformed extension, or not a certificate.</exception>
    public static AriCertId FromDer(ReadOnlySpan<byte> certificateDer)
    {
        var der = certificateDer.ToArray();
        X509Certificate2 parsed;
        try
        {
#if NET9_0_OR_GREATER
            parsed = X509CertificateLoader.LoadCertificate(der);
#else
            parsed = new X509Certificate2(der);
#endif
        }
        catch (CryptographicException ex)
        {
            throw new AriException("The data is not a DER X.509 certificate: " + ex.Message, ex);
        }

        using (parsed)
        {
            return FromParsed(parsed, der);
        }
    }

    private static AriCertId FromParsed(X509Certificate2 certificate, byte[] der)
    {
        var serial = ReadSerialContent(der);
        var extension = certificate.Extensions[AuthorityKeyIdentifierOid];
        if (extension is null)
        {
            throw new AriException($"Certificate '{certificate.Subject}' (serial {certificate.SerialNumber}) has no Authority Key Identifier extension, so it has no RFC 9773 CertID.");
        }

        var keyIdentifier = ReadKeyIdentifier(extension.RawData, certificate.Subject);
        if (keyIdentifier is null || keyIdentifier.Length == 0)
        {
            throw new AriException($"Certificate '{certificate.Subject}' has an Authority Key Identifier without a keyIdentifier, so it has no RFC 9773 CertID.");
        }

        return new AriCertId(keyIdentifier, serial);
    }

    /// <summary>
    /// The keyIdentifier of an Authority Key Identifier extension value (RFC 5280 section 4.2.1.1), or null without one:
    /// <code>
    /// AuthorityKeyIdentifier ::= SEQUENCE {
    ///    keyIdentifier             [0] KeyIdentifier           OPTIONAL,   -- IMPLICIT OCTET STRING
    ///    authorityCertIssuer       [1] GeneralNames            OPTIONAL,
    ///    authorityCertSerialNumber [2] CertificateSerialNumber OPTIONAL  }
    /// </code>
    /// </summary>
    private static byte[]? ReadKeyIdentifier(byte[] extensionValue, string subject)
    {
        try
        {
            var reader = new AsnReader(extensionValue, AsnEncodingRules.DER);
            var aki = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var keyIdentifierTag = new Asn1Tag(TagClass.ContextSpecific, 0);
            var keyIdentifier = aki.HasData && aki.PeekTag().HasSameClassAndValue(keyIdentifierTag) ? aki.ReadOctetString(keyIdentifierTag) : null;
            while (aki.HasData)
            {
                _ = aki.ReadEncodedValue(); // authorityCertIssuer, authorityCertSerialNumber: not needed
            }

            return keyIdentifier;
        }
        catch (AsnContentException ex)
        {
            throw new AriException($"Certificate '{subject}' has a malformed Authority Key Identifier extension.", ex);
        }
    }

    /// <summary>The serial number's DER content octets, read from the TBSCertificate (RFC 5280 section 4.1): the bytes exactly as the CA wrote them.</summary>
    private static byte[] ReadSerialContent(byte[] der)
    {
        try
        {
            var tbs = new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadSequence();
            var version = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
            if (tbs.PeekTag().HasSameClassAndValue(version))
            {
                _ = tbs.ReadEncodedValue();
            }

            return tbs.ReadIntegerBytes().ToArray();
        }
        catch (AsnContentException ex)
        {
            throw new AriException("The data is not a DER X.509 certificate: " + ex.Message, ex);
        }
    }

    /// <summary>Parses the text form <c>base64url(AKI keyIdentifier) "." base64url(serial)</c> (RFC 9773 section 4.1), as found in a <c>replaces</c> field or renewalInfo URL.</summary>
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
    /// <summary>Creates the exception with the default message (for serializers; the library always gives one).</summary>
    public AriException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, which names the offending value (never a secret).</summary>
    public AriException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the failure that caused it.</summary>
    public AriException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
