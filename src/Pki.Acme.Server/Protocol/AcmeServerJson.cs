using System.Text.Json.Serialization;
using Pki.Acme;

namespace Pki.Acme.Server.Protocol;

internal sealed record DirectoryMeta(
    [property: JsonPropertyName("termsOfService")] string? TermsOfService,
    [property: JsonPropertyName("website")] string? Website,
    [property: JsonPropertyName("caaIdentities")] IReadOnlyList<string>? CaaIdentities,
    [property: JsonPropertyName("externalAccountRequired")] bool ExternalAccountRequired,
    [property: JsonPropertyName("profiles")] IReadOnlyDictionary<string, string>? Profiles);

internal sealed record DirectoryDocument(
    [property: JsonPropertyName("newNonce")] string NewNonce,
    [property: JsonPropertyName("newAccount")] string NewAccount,
    [property: JsonPropertyName("newOrder")] string NewOrder,
    [property: JsonPropertyName("revokeCert")] string RevokeCert,
    [property: JsonPropertyName("keyChange")] string KeyChange,
    [property: JsonPropertyName("renewalInfo")] string RenewalInfo,
    [property: JsonPropertyName("meta")] DirectoryMeta Meta);

internal sealed record AccountDocument(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("contact")] IReadOnlyList<string> Contact,
    [property: JsonPropertyName("termsOfServiceAgreed")] bool? TermsOfServiceAgreed,
    [property: JsonPropertyName("orders")] string Orders);

internal sealed record OrderDocument(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("expires")] string Expires,
    [property: JsonPropertyName("identifiers")] IReadOnlyList<AcmeIdentifier> Identifiers,
    [property: JsonPropertyName("authorizations")] IReadOnlyList<string> Authorizations,
    [property: JsonPropertyName("finalize")] string Finalize,
    [property: JsonPropertyName("profile")] string? Profile,
    [property: JsonPropertyName("replaces")] string? Replaces,
    [property: JsonPropertyName("certificate")] string? Certificate,
    [property: JsonPropertyName("error")] AcmeProblem? Error);

internal sealed record ChallengeDocument(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("validated")] string? Validated,
    [property: JsonPropertyName("error")] AcmeProblem? Error);

internal sealed record AuthorizationDocument(
    [property: JsonPropertyName("identifier")] AcmeIdentifier Identifier,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("expires")] string Expires,
    [property: JsonPropertyName("challenges")] IReadOnlyList<ChallengeDocument> Challenges,
    [property: JsonPropertyName("wildcard")] bool? Wildcard);

internal sealed record OrdersListDocument([property: JsonPropertyName("orders")] IReadOnlyList<string> Orders);

internal sealed record RenewalWindow(
    [property: JsonPropertyName("start")] string Start,
    [property: JsonPropertyName("end")] string End);

internal sealed record RenewalInfoDocument([property: JsonPropertyName("suggestedWindow")] RenewalWindow SuggestedWindow);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DirectoryDocument))]
[JsonSerializable(typeof(AccountDocument))]
[JsonSerializable(typeof(OrderDocument))]
[JsonSerializable(typeof(AuthorizationDocument))]
[JsonSerializable(typeof(ChallengeDocument))]
[JsonSerializable(typeof(RenewalInfoDocument))]
[JsonSerializable(typeof(OrdersListDocument))]
[JsonSerializable(typeof(AcmeProblem))]
[JsonSerializable(typeof(List<AcmeIdentifier>))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class AcmeServerJsonContext : JsonSerializerContext;
