namespace Pki.Acme;

/// <summary>A tls-alpn-01 challenge as a store keeps it: what any instance needs to build the validation certificate (no private key).</summary>
/// <param name="Identifier">The identifier being validated (never a wildcard: RFC 8737 section 3).</param>
/// <param name="KeyAuthorization">Its key authorization (RFC 8555 section 8.1), whose SHA-256 goes into the acmeIdentifier extension.</param>
public sealed record TlsAlpn01Challenge(AcmeIdentifier Identifier, string KeyAuthorization)
{
    /// <summary>The SNI the CA sends for this challenge (<see cref="TlsAlpn01Certificate.GetServerName"/>): the key it is stored and found under.</summary>
    public string ServerName => TlsAlpn01Certificate.GetServerName(Identifier);

    /// <summary>The challenge after the checks every <see cref="ITlsAlpn01ChallengeStore"/> makes before it keeps one.</summary>
    /// <exception cref="ArgumentException">A wildcard identifier (RFC 8737 section 3), or an empty key authorization.</exception>
    public static TlsAlpn01Challenge Create(AcmeIdentifier identifier, string keyAuthorization)
    {
        _ = TlsAlpn01Certificate.GetServerName(identifier); // refuses wildcards
        ArgumentException.ThrowIfNullOrEmpty(keyAuthorization);
        return new TlsAlpn01Challenge(identifier, keyAuthorization);
    }
}
