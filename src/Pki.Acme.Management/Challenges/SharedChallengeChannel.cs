using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pki.Acme.Management;

/// <summary>
/// What both shared challenge stores (<see cref="StoreHttp01TokenStore"/>, <see cref="StoreTlsAlpn01ChallengeStore"/>)
/// do with the <see cref="ICertificateStore"/>: publish a <see cref="SharedChallengeRecord"/> that
/// expires after <see cref="Lifetime"/>, withdraw it, and read it back within <see cref="LookupTimeout"/>
/// (a web server answering the CA must not hang on a slow store), logging what goes wrong.
/// </summary>
internal sealed class SharedChallengeChannel
{
    private readonly ICertificateStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <exception cref="ArgumentOutOfRangeException">A duration is not positive.</exception>
    public SharedChallengeChannel(ICertificateStore store, TimeProvider? time, ILogger? logger, TimeSpan? lookupTimeout, TimeSpan? lifetime)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        LookupTimeout = Positive(lookupTimeout ?? TimeSpan.FromSeconds(5), nameof(lookupTimeout));
        Lifetime = Positive(lifetime ?? TimeSpan.FromHours(1), nameof(lifetime));
    }

    public TimeSpan LookupTimeout { get; }

    public TimeSpan Lifetime { get; }

    /// <summary>Writes the record for <paramref name="key"/>, answerable by every instance until <see cref="Lifetime"/> from now.</summary>
    /// <exception cref="CertificateStoreException">The store failed.</exception>
    public async Task PublishAsync(string key, string what, string keyAuthorization, AcmeIdentifier? identifier, CancellationToken cancellationToken)
    {
        var record = new SharedChallengeRecord(keyAuthorization, _time.GetUtcNow() + Lifetime, identifier?.Type, identifier?.Value);
        await _store.WriteAsync(key, record.Encode(), isSecret: false, cancellationToken).ConfigureAwait(false);
        SharedChallengeLog.Published(_logger, what, record.ExpiresAt);
    }

    /// <summary>Removes the record at <paramref name="key"/>; false when there was none.</summary>
    /// <exception cref="CertificateStoreException">The store failed.</exception>
    public Task<bool> WithdrawAsync(string key, CancellationToken cancellationToken) => _store.DeleteAsync(key, cancellationToken);

    /// <summary>
    /// The unexpired record at <paramref name="key"/> that <paramref name="fits"/> accepts, or null: when
    /// absent, expired, malformed or not fitting (logged as a bad record with <paramref name="misfit"/>),
    /// or when the store fails or does not answer within <see cref="LookupTimeout"/> (logged).
    /// Cancellation by the caller propagates.
    /// </summary>
    public async ValueTask<SharedChallengeRecord?> FindAsync(string key, string what, Func<SharedChallengeRecord, bool> fits, string misfit, CancellationToken cancellationToken)
    {
        var bytes = await ReadBoundedAsync(key, what, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        var record = SharedChallengeRecord.TryDecode(bytes, out var reason);
        if (record is null || !fits(record))
        {
            SharedChallengeLog.BadRecord(_logger, what, record is null ? reason : misfit);
            return null;
        }

        return record.ExpiresAt > _time.GetUtcNow() ? record : null;
    }

    private async ValueTask<byte[]?> ReadBoundedAsync(string key, string what, CancellationToken cancellationToken)
    {
        using var read = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            return await _store.ReadAsync(key, read.Token).WaitAsync(LookupTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            read.Cancel();
            SharedChallengeLog.LookupTimedOut(_logger, what, LookupTimeout);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            SharedChallengeLog.LookupTimedOut(_logger, what, LookupTimeout);
            return null;
        }
        catch (CertificateStoreException ex)
        {
            SharedChallengeLog.LookupFailed(_logger, ex, what);
            return null;
        }
    }

    private static TimeSpan Positive(TimeSpan value, string name) =>
        value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(name, value, "The duration must be positive.");
}
