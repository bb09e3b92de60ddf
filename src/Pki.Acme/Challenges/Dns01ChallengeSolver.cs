namespace Pki.Acme;

/// <summary>Solves dns-01 through an <see cref="IDnsProvider"/> (and waits for propagation when it is also an <see cref="IDnsPropagationWaiter"/>). Thread-safe when the provider is.</summary>
public sealed class Dns01ChallengeSolver : IChallengeSolver
{
    private readonly IDnsProvider _provider;

    /// <summary>Creates the solver over <paramref name="provider"/>, which stays the caller's.</summary>
    public Dns01ChallengeSolver(IDnsProvider provider) => _provider = provider ?? throw new ArgumentNullException(nameof(provider));

    /// <inheritdoc />
    public string ChallengeType => AcmeChallengeResource.Dns01;

    /// <summary>The record name for an identifier: <c>_acme-challenge.</c> + the name without any <c>*.</c> (section 8.4).</summary>
    /// <exception cref="AcmeConfigurationException">The identifier is not a <c>dns</c> one.</exception>
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
        var value = AcmeKeyAuthorization.ComputeDns01TxtValue(context.KeyAuthorization);
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
        return _provider.RemoveTxtAsync(GetRecordName(context.Identifier), AcmeKeyAuthorization.ComputeDns01TxtValue(context.KeyAuthorization), cancellationToken);
    }
}
