namespace Pki.Acme;

/// <summary>
/// The seam to a DNS zone for dns-01 (RFC 8555 section 8.4). Implementations publish and remove
/// TXT records at the given name. Contract: <see cref="PublishTxtAsync"/> MUST add the value
/// (keeping other values at the same name: a wildcard and its base name share one record name);
/// <see cref="RemoveTxtAsync"/> MUST remove only that value and SHOULD NOT throw when it is absent.
/// </summary>
public interface IDnsProvider
{
    /// <summary>Adds a TXT record <paramref name="value"/> at <paramref name="recordName"/> (e.g. <c>_acme-challenge.example.com</c>, no trailing dot).</summary>
    Task PublishTxtAsync(string recordName, string value, CancellationToken cancellationToken);

    /// <summary>Removes that TXT record value.</summary>
    Task RemoveTxtAsync(string recordName, string value, CancellationToken cancellationToken);
}

/// <summary>
/// An optional ability of an <see cref="IDnsProvider"/>: waiting until a published record is
/// visible on the zone's authoritative servers before the CA is asked to look.
/// </summary>
public interface IDnsPropagationWaiter
{
    /// <summary>Completes when <paramref name="value"/> is served at <paramref name="recordName"/>.</summary>
    Task WaitForPropagationAsync(string recordName, string value, CancellationToken cancellationToken);
}

/// <summary>Solves dns-01 through an <see cref="IDnsProvider"/> (and waits for propagation when it is also an <see cref="IDnsPropagationWaiter"/>).</summary>
public sealed class Dns01ChallengeSolver : IChallengeSolver
{
    private readonly IDnsProvider _provider;

    /// <summary>Creates the solver.</summary>
    public Dns01ChallengeSolver(IDnsProvider provider) => _provider = provider ?? throw new ArgumentNullException(nameof(provider));

    /// <inheritdoc />
    public string ChallengeType => AcmeChallengeResource.Dns01;

    /// <summary>The record name for an identifier: <c>_acme-challenge.</c> + the name without any <c>*.</c> (section 8.4).</summary>
    public static string GetRecordName(AcmeIdentifier identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        if (identifier.Type != AcmeIdentifier.DnsType)
        {
            throw new AcmeConfigurationException($"dns-01 validates only dns identifiers, not {identifier}.");
        }

        var name = identifier.Value.StartsWith("*.", StringComparison.Ordinal) ? identifier.Value[2..] : identifier.Value;
        return "_acme-challenge." + name.TrimEnd('.');
    }

    /// <inheritdoc />
    public async Task PresentAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = GetRecordName(context.Identifier);
        var value = AcmeClient.GetDns01TxtValue(context.KeyAuthorization);
        await _provider.PublishTxtAsync(name, value, cancellationToken).ConfigureAwait(false);
        if (_provider is IDnsPropagationWaiter waiter)
        {
            await waiter.WaitForPropagationAsync(name, value, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public Task CleanupAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _provider.RemoveTxtAsync(GetRecordName(context.Identifier), AcmeClient.GetDns01TxtValue(context.KeyAuthorization), cancellationToken);
    }
}
