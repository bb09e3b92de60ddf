namespace Pki.Acme;

/// <summary>
/// Solves tls-alpn-01 (RFC 8737) by putting the challenge into an <see cref="ITlsAlpn01ChallengeStore"/>
/// that a TLS server reads (<see cref="TlsAlpn01Responder"/>, or Kestrel through the ASP.NET Core
/// package); an <see cref="IAsyncTlsAlpn01ChallengeStore"/> is awaited, so the challenge is in the
/// shared store before the CA is told to connect. Thread-safe when the store is.
/// </summary>
public sealed class TlsAlpn01ChallengeSolver : IChallengeSolver
{
    private readonly ITlsAlpn01ChallengeStore _store;

    /// <summary>Creates the solver over <paramref name="store"/>, which stays the caller's.</summary>
    public TlsAlpn01ChallengeSolver(ITlsAlpn01ChallengeStore store) => _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <inheritdoc />
    public string ChallengeType => AcmeChallengeResource.TlsAlpn01;

    /// <inheritdoc />
    public Task PresentAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_store is IAsyncTlsAlpn01ChallengeStore shared)
        {
            return shared.AddAsync(context.Identifier, context.KeyAuthorization, cancellationToken);
        }

        _store.Add(context.Identifier, context.KeyAuthorization);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task CleanupAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_store is IAsyncTlsAlpn01ChallengeStore shared)
        {
            return shared.RemoveAsync(context.Identifier, cancellationToken);
        }

        _store.Remove(context.Identifier);
        return Task.CompletedTask;
    }
}
