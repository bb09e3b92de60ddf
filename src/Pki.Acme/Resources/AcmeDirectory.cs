using System.Text;
using System.Text.Json.Serialization;
using Pki.Acme.Internal;

namespace Pki.Acme;

/// <summary>The directory object (RFC 8555 section 7.1.1): the URLs of every operation and the server's metadata.</summary>
public sealed record AcmeDirectory
{
    /// <summary>The newNonce URL (section 7.2); the client asks it with HEAD when its nonce pool is empty. Required: a directory without it is refused.</summary>
    [JsonPropertyName("newNonce")]
    public Uri? NewNonce { get; init; }

    /// <summary>The newAccount URL (section 7.3), also used to find an existing account. Required.</summary>
    [JsonPropertyName("newAccount")]
    public Uri? NewAccount { get; init; }

    /// <summary>The newOrder URL (section 7.4). Required.</summary>
    [JsonPropertyName("newOrder")]
    public Uri? NewOrder { get; init; }

    /// <summary>New authorization (pre-authorization; optional).</summary>
    [JsonPropertyName("newAuthz")]
    public Uri? NewAuthz { get; init; }

    /// <summary>The revokeCert URL (section 7.6). Required.</summary>
    [JsonPropertyName("revokeCert")]
    public Uri? RevokeCert { get; init; }

    /// <summary>The keyChange URL for account key rollover (section 7.3.5). Required.</summary>
    [JsonPropertyName("keyChange")]
    public Uri? KeyChange { get; init; }

    /// <summary>ACME Renewal Information (RFC 9773), when the server offers it.</summary>
    [JsonPropertyName("renewalInfo")]
    public Uri? RenewalInfo { get; init; }

    /// <summary>The server's metadata (terms of service, CAA identities, EAB requirement, profiles); null when the server sends none.</summary>
    [JsonPropertyName("meta")]
    public AcmeDirectoryMeta? Meta { get; init; }
}

/// <summary>The directory's <c>meta</c> object (RFC 8555 section 7.1.1).</summary>
public sealed record AcmeDirectoryMeta
{
    /// <summary>The current terms of service.</summary>
    [JsonPropertyName("termsOfService")]
    public Uri? TermsOfService { get; init; }

    /// <summary>A website with information about the ACME server.</summary>
    [JsonPropertyName("website")]
    public Uri? Website { get; init; }

    /// <summary>The issuer domain names the server recognises in CAA records (RFC 8659).</summary>
    [JsonPropertyName("caaIdentities")]
    public IReadOnlyList<string>? CaaIdentities { get; init; }

    /// <summary>True when new accounts need External Account Binding (section 7.3.4).</summary>
    [JsonPropertyName("externalAccountRequired")]
    public bool? ExternalAccountRequired { get; init; }

    /// <summary>Certificate profiles the server offers, name to description (draft-ietf-acme-profiles).</summary>
    [JsonPropertyName("profiles")]
    public IReadOnlyDictionary<string, string>? Profiles { get; init; }

    private bool PrintMembers(StringBuilder builder)
    {
        builder
            .Member("TermsOfService", TermsOfService, first: true)
            .Member("Website", Website)
            .Member("CaaIdentities", RecordText.List(CaaIdentities))
            .Member("ExternalAccountRequired", ExternalAccountRequired)
            .Member("Profiles", RecordText.List(Profiles?.Keys));
        return true;
    }
}
