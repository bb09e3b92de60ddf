using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Pki.Acme;

/// <summary>The tls-alpn-01 validation certificate and server names (RFC 8737 section 3, RFC 8738 section 6); stateless and thread-safe.</summary>
public static class TlsAlpn01Certificate
{
    /// <summary>The ALPN protocol name <c>acme-tls/1</c>.</summary>
    public const string AlpnProtocol = "acme-tls/1";

    /// <summary>The id-pe-acmeIdentifier extension OID (1.3.6.1.5.5.7.1.31).</summary>
    public const string AcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";

    /// <summary>The longest server name accepted (253 characters, RFC 1035 section 2.3.4 without the root dot).</summary>
    public const int MaxServerNameLength = 253;

    /// <summary>
    /// A new self-signed certificate (with its P-256 key; the caller disposes it) with the identifier
    /// as its only subjectAltName and a critical acmeIdentifier extension whose value is the DER
    /// OCTET STRING of SHA-256(key authorization), valid from 5 minutes ago for 7 days:
    /// <code>
    /// id-pe-acmeIdentifier OBJECT IDENTIFIER ::= { id-pe 31 }
    /// Authorization ::= OCTET STRING (SIZE (32))   -- SHA-256 digest of the key authorization
    /// </code>
    /// </summary>
    public static X509Certificate2 Create(AcmeIdentifier identifier, string keyAuthorization, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        ArgumentException.ThrowIfNullOrEmpty(keyAuthorization);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ACME tls-alpn-01 challenge", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        if (identifier.Type == AcmeIdentifier.IpType)
        {
            san.AddIpAddress(IPAddress.Parse(identifier.Value));
        }
        else
        {
            san.AddDnsName(identifier.Value);
        }

        request.CertificateExtensions.Add(san.Build(critical: false));
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(keyAuthorization));
        var value = new byte[2 + digest.Length];
        value[0] = 0x04; // OCTET STRING
        value[1] = (byte)digest.Length;
        digest.CopyTo(value, 2);
        request.CertificateExtensions.Add(new X509Extension(AcmeIdentifierOid, value, critical: true));
        var now = (timeProvider ?? TimeProvider.System).GetUtcNow();
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(7));
    }

    /// <summary>The TLS SNI name the CA sends for an identifier: the name itself in lower case, or for an IP address its reverse-DNS name (RFC 8738 section 6).</summary>
    /// <exception cref="ArgumentException">A wildcard identifier: tls-alpn-01 cannot validate wildcards (RFC 8737 section 3).</exception>
    public static string GetServerName(AcmeIdentifier identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        if (identifier.IsWildcard)
        {
            throw new ArgumentException($"The identifier '{identifier.Value}' is a wildcard: tls-alpn-01 cannot validate wildcards (RFC 8737 section 3).", nameof(identifier));
        }

        return identifier.Type == AcmeIdentifier.IpType
            ? ReverseDnsName.For(IPAddress.Parse(identifier.Value))
            : IdnName.ToLowerAscii(identifier.Value);
    }

    /// <summary>
    /// An SNI as <see cref="GetServerName"/> spells names (ASCII lower case, no final dot), or false
    /// when it cannot be a host name (empty, longer than <see cref="MaxServerNameLength"/>, or a
    /// character outside letters, digits, '-', '.', '_'): challenge stores refuse such names before
    /// they look anything up.
    /// </summary>
    public static bool TryNormalizeServerName(string? serverName, out string normalized)
    {
        normalized = string.Empty;
        if (string.IsNullOrEmpty(serverName))
        {
            return false;
        }

        var name = serverName!.TrimEnd('.');
        if (name.Length is 0 or > MaxServerNameLength)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '.' or '_'))
            {
                return false;
            }
        }

        normalized = IdnName.ToLowerAscii(name);
        return true;
    }
}
