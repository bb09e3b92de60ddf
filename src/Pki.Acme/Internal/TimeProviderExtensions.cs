namespace Pki.Acme.Internal;

/// <summary>
/// The deadline of one HTTP exchange: the caller's token linked with a timer on the
/// <see cref="TimeProvider"/>, so a stalled body ends as surely as stalled headers.
/// </summary>
internal sealed class RequestDeadline : IDisposable
{
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;

    public RequestDeadline(TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Timeout = timeout;
        _timer = TimeProviderDelay.CreateTimeoutSource(time, timeout);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timer.Token);
    }

    /// <summary>Cancelled by the caller or when the deadline passes.</summary>
    public CancellationToken Token => _linked.Token;

    public TimeSpan Timeout { get; }

    /// <summary>True once the deadline has passed.</summary>
    public bool Expired => _timer.IsCancellationRequested;

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
