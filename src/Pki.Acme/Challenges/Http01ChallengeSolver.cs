namespace Pki.Acme;

/// <summary>
/// Solves http-01 by putting the key authorization into an <see cref="IHttp01TokenStore"/> that
/// something serves (<see cref="Http01Responder"/>, the ASP.NET Core middleware, or your own handler
/// through <see cref="Http01Endpoint"/>); an <see cref="IAsyncHttp01TokenStore"/> is awaited, so the
/// token is in the shared store before the challenge is answered. Thread-safe when the store is.
/// </summary>
public sealed class Http01ChallengeSolver : IChallengeSolver
{
    private readonly IHttp01TokenStore _store;

    /// <summary>Creates the solver over <paramref name="store"/>, which stays the caller's.</summary>
    public Http01ChallengeSolver(IHttp01TokenStore store) => _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <inheritdoc />
    public string ChallengeType => AcmeChallengeResource.Http01;

    /// <inheritdoc />
    public Task PresentAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_store is IAsyncHttp01TokenStore shared)
        {
            return shared.AddAsync(context.Token, context.KeyAuthorization, cancellationToken);
        }

        _store.Add(context.Token, context.KeyAuthorization);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task CleanupAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_store is IAsyncHttp01TokenStore shared)
        {
            return shared.RemoveAsync(context.Token, cancellationToken);
        }

        _store.Remove(context.Token);
        return Task.CompletedTask;
    }
}
