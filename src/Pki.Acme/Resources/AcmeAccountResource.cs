using System.Text;
using System.Text.Json.Serialization;
using Pki.Acme.Internal;

namespace Pki.Acme;

/// <summary>An account object (RFC 8555 section 7.1.2) as the server returns it.</summary>
public sealed record AcmeAccountResource
{
    /// <summary><c>valid</c>, <c>deactivated</c> or <c>revoked</c>.</summary>
    [JsonPropertyName("status")]
    public string Status { get; init; } = string.Empty;

    /// <summary>Contact URLs (e.g. <c>mailto:admin@example.com</c>).</summary>
    [JsonPropertyName("contact")]
    public IReadOnlyList<string>? Contact { get; init; }

    /// <summary>Whether the terms of service were agreed to.</summary>
    [JsonPropertyName("termsOfServiceAgreed")]
    public bool? TermsOfServiceAgreed { get; init; }

    /// <summary>The account's orders list.</summary>
    [JsonPropertyName("orders")]
    public Uri? Orders { get; init; }

    private bool PrintMembers(StringBuilder builder)
    {
        builder
            .Member("Status", Status, first: true)
            .Member("Contact", RecordText.List(Contact))
            .Member("TermsOfServiceAgreed", TermsOfServiceAgreed)
            .Member("Orders", Orders);
        return true;
    }
}

/// <summary>An ACME account: its URL (the JWS <c>kid</c>), its key, and the server's account object.</summary>
/// <param name="Location">The account URL.</param>
/// <param name="Key">The account key that signs requests.</param>
/// <param name="Resource">The account object.</param>
public sealed record AcmeAccount(Uri Location, AcmeKey Key, AcmeAccountResource Resource);
