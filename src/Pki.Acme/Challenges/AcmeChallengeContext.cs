namespace Pki.Acme;

/// <summary>What a solver needs to answer one challenge; built by <see cref="AcmeCertificateIssuer"/> after the token was checked to be base64url.</summary>
/// <param name="Identifier">The identifier being validated (for a wildcard order: the base name, and <see cref="IsWildcard"/> is true).</param>
/// <param name="Authorization">The authorization the challenge belongs to.</param>
/// <param name="Challenge">The challenge.</param>
/// <param name="KeyAuthorization">The key authorization (RFC 8555 section 8.1; see <see cref="AcmeKeyAuthorization.Compute"/>).</param>
public sealed record AcmeChallengeContext(AcmeIdentifier Identifier, AcmeAuthorization Authorization, AcmeChallengeResource Challenge, string KeyAuthorization)
{
    /// <summary>The challenge token; empty when the challenge has none (the issuer never hands such a challenge to a solver).</summary>
    public string Token => Challenge.Token ?? string.Empty;

    /// <summary>True when the authorization is for a wildcard name (only dns-01 can validate those).</summary>
    public bool IsWildcard => Authorization.Resource.Wildcard == true;
}
