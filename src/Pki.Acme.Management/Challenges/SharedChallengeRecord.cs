using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Pki.Acme.Management;

/// <summary>
/// What the shared challenge stores keep in the <see cref="ICertificateStore"/>: a small JSON object
/// with the key authorization (public: the CA fetches it over plain HTTP), the identifier for
/// tls-alpn-01, and an expiry after which no instance answers with it (a crashed instance never
/// cleans up). Key authorizations are checked as RFC 8555 section 8.1 shapes them, before writing and
/// after reading.
/// </summary>
internal sealed record SharedChallengeRecord(string KeyAuthorization, DateTimeOffset ExpiresAt, string? IdentifierType = null, string? IdentifierValue = null)
{
    /// <summary>Longest token accepted: a store key segment (128 characters) less the <c>t-</c> prefix.</summary>
    public const int MaxTokenLength = 126;

    private const int MaxThumbprintLength = 128;

    public byte[] Encode()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("keyAuthorization", KeyAuthorization);
            writer.WriteString("expiresAt", ExpiresAt.UtcDateTime);
            if (IdentifierType is not null)
            {
                writer.WriteString("identifierType", IdentifierType);
                writer.WriteString("identifierValue", IdentifierValue);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The record, or null (with the reason) when the bytes are not one.</summary>
    public static SharedChallengeRecord? TryDecode(byte[] bytes, out string reason)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("keyAuthorization", out var keyAuthorization) || keyAuthorization.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("expiresAt", out var expiresAt) || !expiresAt.TryGetDateTimeOffset(out var expires))
            {
                reason = "it lacks keyAuthorization or expiresAt";
                return null;
            }

            string? type = null;
            string? value = null;
            if (root.TryGetProperty("identifierType", out var typeElement))
            {
                type = typeElement.ValueKind == JsonValueKind.String ? typeElement.GetString() : null;
                value = root.TryGetProperty("identifierValue", out var valueElement) && valueElement.ValueKind == JsonValueKind.String ? valueElement.GetString() : null;
                if (type is null || value is null)
                {
                    reason = "its identifier is incomplete";
                    return null;
                }
            }

            reason = string.Empty;
            return new SharedChallengeRecord(keyAuthorization.GetString()!, expires, type, value);
        }
        catch (JsonException ex)
        {
            reason = "it is not JSON: " + ex.Message;
            return null;
        }
    }

    /// <summary>True for an RFC 8555 token: base64url (section 8.3), short enough for a store key.</summary>
    public static bool IsToken(string? token) =>
        token is { Length: > 0 and <= MaxTokenLength } && token.All(IsBase64UrlChar);

    /// <summary>True when <paramref name="keyAuthorization"/> is <c>token "." base64url(thumbprint)</c> (RFC 8555 section 8.1).</summary>
    public static bool IsKeyAuthorization(string? keyAuthorization, string? token = null)
    {
        if (keyAuthorization is null)
        {
            return false;
        }

        var dot = keyAuthorization.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !IsToken(keyAuthorization[..dot]) || (token is not null && !string.Equals(keyAuthorization[..dot], token, StringComparison.Ordinal)))
        {
            return false;
        }

        var thumbprint = keyAuthorization[(dot + 1)..];
        return thumbprint.Length is > 0 and <= MaxThumbprintLength && thumbprint.All(IsBase64UrlChar);
    }

    /// <summary>Lower-case hex of SHA-256 of the UTF-8 bytes of <paramref name="text"/>: a store key segment for any name.</summary>
    public static string HashForKey(string text)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        var hex = new StringBuilder(digest.Length * 2);
        foreach (var b in digest)
        {
            hex.Append("0123456789abcdef"[b >> 4]).Append("0123456789abcdef"[b & 0xF]);
        }

        return hex.ToString();
    }

    private static bool IsBase64UrlChar(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';
}

// Source-generated log messages of the shared challenge stores. Key authorizations are public (the
// CA fetches them over plain HTTP), tokens too; no key material is logged.
internal static partial class SharedChallengeLog
{
    [LoggerMessage(150, LogLevel.Warning, "Looking up {What} in the shared store did not finish within {Timeout}; answering as if it were absent")]
    public static partial void LookupTimedOut(ILogger logger, string what, TimeSpan timeout);

    [LoggerMessage(151, LogLevel.Warning, "Looking up {What} in the shared store failed; answering as if it were absent")]
    public static partial void LookupFailed(ILogger logger, Exception exception, string what);

    [LoggerMessage(152, LogLevel.Warning, "The shared store holds an unusable record for {What}: {Reason}; answering as if it were absent")]
    public static partial void BadRecord(ILogger logger, string what, string reason);

    [LoggerMessage(153, LogLevel.Debug, "Published {What} to the shared store until {ExpiresAt}")]
    public static partial void Published(ILogger logger, string what, DateTimeOffset expiresAt);
}
