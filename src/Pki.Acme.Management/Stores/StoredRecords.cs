using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pki.Acme.Management;

/// <summary>The store layout: one place that names every key.</summary>
internal static class StoreKeys
{
    public static string Account(string issuer) => $"accounts/{issuer}.json";

    public static string Current(string certificate) => $"certificates/{certificate}/current.json";

    public static string Pending(string certificate) => $"certificates/{certificate}/pending.json";

    public static string Lease(string certificate) => "certificate-" + certificate;
}

/// <summary>An account key and where it is registered (secret).</summary>
internal sealed record StoredAccount
{
    public string Directory { get; init; } = string.Empty;

    public string KeyPem { get; init; } = string.Empty;

    public string? Location { get; init; }
}

/// <summary>The certificate in use: key and chain in one record, written atomically, so they never disagree (secret).</summary>
internal sealed record StoredCertificate
{
    public string Issuer { get; init; } = string.Empty;

    public string Directory { get; init; } = string.Empty;

    public string OrderUri { get; init; } = string.Empty;

    public IReadOnlyList<string> Identifiers { get; init; } = [];

    public string KeyPem { get; init; } = string.Empty;

    public string ChainPem { get; init; } = string.Empty;

    public DateTimeOffset StoredAt { get; init; }
}

/// <summary>
/// An issuance in flight: its key is saved before any CA sees an order, and the order URL as soon as
/// the order exists, so a restarted process resumes the order or starts again with the same key (secret).
/// </summary>
internal sealed record PendingIssuance
{
    public IReadOnlyList<string> Identifiers { get; init; } = [];

    public string KeyPem { get; init; } = string.Empty;

    public string? Issuer { get; init; }

    public string? OrderUri { get; init; }

    public DateTimeOffset StartedAt { get; init; }
}

[JsonSourceGenerationOptions(WriteIndented = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StoredAccount))]
[JsonSerializable(typeof(StoredCertificate))]
[JsonSerializable(typeof(PendingIssuance))]
internal sealed partial class StoreJsonContext : JsonSerializerContext
{
}

internal static class StoreJson
{
    public static T Deserialize<T>(byte[] bytes, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string key)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, type) ?? throw new CertificateStoreException($"The store entry '{key}' is empty (null).");
        }
        catch (JsonException ex)
        {
            // The message names the entry only: the content holds private keys.
            throw new CertificateStoreException($"The store entry '{key}' is not readable JSON (at byte {ex.BytePositionInLine}, line {ex.LineNumber}).", ex);
        }
    }
}
