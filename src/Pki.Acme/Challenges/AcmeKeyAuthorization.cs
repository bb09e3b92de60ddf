using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Pki.Acme;

/// <summary>The values a challenge response is made of (RFC 8555 section 8.1 and 8.4); pure functions, thread-safe.</summary>
public static class AcmeKeyAuthorization
{
    /// <summary>The key authorization <c>token || '.' || base64url(Thumbprint(accountKey))</c> (section 8.1): what http-01 serves and what dns-01 and tls-alpn-01 hash.</summary>
    /// <exception cref="ArgumentException"><paramref name="token"/> is null or empty.</exception>
    public static string Compute(AcmeKey accountKey, string token)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        ArgumentException.ThrowIfNullOrEmpty(token);
        return token + "." + accountKey.Thumbprint;
    }

    /// <summary>The dns-01 TXT record value for a key authorization: base64url(SHA-256(key authorization)), unpadded (section 8.4).</summary>
    /// <exception cref="ArgumentException"><paramref name="keyAuthorization"/> is null or empty.</exception>
    public static string ComputeDns01TxtValue(string keyAuthorization)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyAuthorization);
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(keyAuthorization)));
    }
}
