namespace Pki.Acme;

/// <summary>
/// The seam to a DNS zone for dns-01 (RFC 8555 section 8.4). Implementations publish and remove
/// TXT records at the given name. Contract: <see cref="PublishTxtAsync"/> MUST add the value
/// (keeping other values at the same name: a wildcard and its base name share one record name);
/// <see cref="RemoveTxtAsync"/> MUST remove only that value and SHOULD NOT throw when it is absent.
/// Both MAY be called concurrently.
/// </summary>
public interface IDnsProvider
{
    /// <summary>Adds a TXT record <paramref name="value"/> at <paramref name="recordName"/> (e.g. <c>_acme-challenge.example.com</c>, no trailing dot), keeping the other values there.</summary>
    Task PublishTxtAsync(string recordName, string value, CancellationToken cancellationToken);

    /// <summary>Removes only that TXT record value from <paramref name="recordName"/>; completes normally when it is not there.</summary>
    Task RemoveTxtAsync(string recordName, string value, CancellationToken cancellationToken);
}
