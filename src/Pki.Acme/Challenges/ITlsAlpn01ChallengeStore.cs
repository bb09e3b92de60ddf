namespace Pki.Acme;

/// <summary>
/// The tls-alpn-01 challenges currently presented (RFC 8737), keyed by the SNI the CA will send:
/// the twin of <see cref="IHttp01TokenStore"/>. <see cref="TlsAlpn01ChallengeSolver"/> writes it;
/// <see cref="TlsAlpn01Responder"/> and the ASP.NET Core Kestrel callback read it (through
/// <see cref="TlsAlpn01CertificateCache"/>, which builds the validation certificates).
/// Implementations MUST be thread-safe, MUST refuse wildcard identifiers (RFC 8737 section 3)
/// with <see cref="ArgumentException"/>, and MUST answer false from <see cref="TryGet"/> for a name
/// <see cref="TlsAlpn01Certificate.TryNormalizeServerName"/> refuses.
/// </summary>
public interface ITlsAlpn01ChallengeStore
{
    /// <summary>Presents the challenge for <paramref name="identifier"/>; adding it again replaces its key authorization.</summary>
    /// <exception cref="ArgumentException">A wildcard identifier or an empty or malformed key authorization.</exception>
    void Add(AcmeIdentifier identifier, string keyAuthorization);

    /// <summary>Withdraws the challenge for <paramref name="identifier"/>; false when there was none.</summary>
    bool Remove(AcmeIdentifier identifier);

    /// <summary>The challenge presented for the SNI <paramref name="serverName"/> (any case, a final dot allowed); false (and null) when there is none.</summary>
    bool TryGet(string? serverName, out TlsAlpn01Challenge challenge);
}
