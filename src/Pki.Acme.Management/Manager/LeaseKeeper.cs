using Microsoft.Extensions.Logging;

namespace Pki.Acme.Management;

/// <summary>
/// Keeps a lease alive while the issuance it guards runs: renews it every third of its duration
/// (waiting on the <see cref="TimeProvider"/>), rides out store errors until the lease would have
/// expired by this instance's clock, and signals <see cref="Lost"/> the moment the lease is
/// known lost (taken over) or can no longer be shown to be held. Never throws; disposing stops it
/// and releases the lease (a failed release is logged: the lease then simply expires).
/// </summary>
internal sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly ICertificateStoreLease _lease;
    private readonly TimeSpan _duration;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _certificate;
    private readonly Action _onLost;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _loop;

    public LeaseKeeper(ICertificateStoreLease lease, TimeSpan duration, TimeProvider time, ILogger logger, string certificate, Action onLost)
    {
        _lease = lease;
        _duration = duration;
        _time = time;
        _logger = logger;
        _certificate = certificate;
        _onLost = onLost;
        _loop = KeepAsync();
    }

    /// <summary>The lease itself, for fenced writes.</summary>
    public ICertificateStoreLease Lease => _lease;

    /// <summary>Cancelled when the lease is lost.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>True once the lease is lost.</summary>
    public bool IsLost => _lost.IsCancellationRequested;

    /// <summary>Marks the lease lost (a fenced write was refused).</summary>
    public void MarkLost(string why)
    {
        if (!_lost.IsCancellationRequested)
        {
            Log.LeaseLost(_logger, _certificate, _lease.Token, why);
            _onLost();
            _lost.Cancel();
        }
    }

    private async Task KeepAsync()
    {
        await Task.Yield();
        var period = TimeSpan.FromTicks(_duration.Ticks / 3);
        var heldUntil = _time.GetUtcNow() + _duration;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(period, _time, _stop.Token).ConfigureAwait(false);
                bool renewed;
                try
                {
                    var started = _time.GetUtcNow();
                    renewed = await _lease.RenewAsync(_duration, _stop.Token).ConfigureAwait(false);
                    if (renewed)
                    {
                        heldUntil = started + _duration;
                        continue;
                    }
                }
                catch (CertificateStoreException ex)
                {
                    // A store hiccup: the lease is still ours until it would have expired.
                    if (_time.GetUtcNow() + period < heldUntil)
                    {
                        Log.LeaseRenewalFailed(_logger, ex, _certificate, heldUntil);
                        continue;
                    }

                    MarkLost($"the store could not renew it before it expired ({ex.Message})");
                    return;
                }

                MarkLost("another instance holds it now");
                return;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped: the issuance finished.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        try
        {
            await _lease.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (CertificateStoreException ex)
        {
            Log.LeaseReleaseFailed(_logger, ex, _certificate);
        }

        _stop.Dispose();
        _lost.Dispose();
    }
}
