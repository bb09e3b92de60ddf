using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pki.Acme.Internal;

// Request bodies (the JWS payloads) of RFC 8555 section 7.

internal sealed record NewAccountPayload
{
    [JsonPropertyName("contact")]
    public IReadOnlyList<string>? Contact { get; init; }

    [JsonPropertyName("termsOfServiceAgreed")]
    public bool? TermsOfServiceAgreed { get; init; }

    [JsonPropertyName("onlyReturnExisting")]
    public bool? OnlyReturnExisting { get; init; }

    [JsonPropertyName("externalAccountBinding")]
    public JsonElement? ExternalAccountBinding { get; init; }
}

internal sealed record UpdateAccountPayload
{
    [JsonPropertyName("contact")]
    public IReadOnlyList<string>? Contact { get; init; }

    [JsonPropertyName("status")]
    public string? Status { get; init; }
}

internal sealed record NewOrderPayload
{
    [JsonPropertyName("identifiers")]
    public IReadOnlyList<AcmeIdentifier> Identifiers { get; init; } = [];

    [JsonPropertyName("notBefore")]
    public string? NotBefore { get; init; }

    [JsonPropertyName("notAfter")]
    public string? NotAfter { get; init; }

    [JsonPropertyName("profile")]
    public string? Profile { get; init; }

    [JsonPropertyName("replaces")]
    public string? Replaces { get; init; }
}

internal sealed record FinalizePayload([property: JsonPropertyName("csr")] string Csr);

internal sealed record RevokePayload
{
    [JsonPropertyName("certificate")]
    public string Certificate { get; init; } = string.Empty;

    [JsonPropertyName("reason")]
    public int? Reason { get; init; }
}

internal sealed record KeyChangePayload
{
    [JsonPropertyName("account")]
    public string Account { get; init; } = string.Empty;

    [JsonPropertyName("oldKey")]
    public JsonElement OldKey { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AcmeDirectory))]
[JsonSerializable(typeof(AcmeProblem))]
[JsonSerializable(typeof(AcmeAccountResource))]
[JsonSerializable(typeof(AcmeOrderResource))]
[JsonSerializable(typeof(AcmeAuthorizationResource))]
[JsonSerializable(typeof(AcmeChallengeResource))]
[JsonSerializable(typeof(NewAccountPayload))]
[JsonSerializable(typeof(UpdateAccountPayload))]
[JsonSerializable(typeof(NewOrderPayload))]
[JsonSerializable(typeof(FinalizePayload))]
[JsonSerializable(typeof(RevokePayload))]
[JsonSerializable(typeof(KeyChangePayload))]
internal sealed partial class AcmeJsonContext : JsonSerializerContext
{
}
