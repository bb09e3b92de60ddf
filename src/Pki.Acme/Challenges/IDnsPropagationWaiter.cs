namespace Pki.Acme;

/// <summary>
/// An optional ability of an <see cref="IDnsProvider"/>: waiting until a published record is
/// visible on the zone's authoritative servers before the CA is asked to look.
/// </summary>
public interface IDnsPropagationWaiter
{
    /// <summary>Completes when <paramref name="value"/> is served at <paramref name="recordName"/>; throws (or is cancelled) when it never is, so the CA is not asked in vain.</summary>
    Task WaitForPropagationAsync(string recordName, string value, CancellationToken cancellationToken);
}
