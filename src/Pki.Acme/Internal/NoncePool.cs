namespace Pki.Acme.Internal;

/// <summary>A nonce, when it arrived (a <see cref="TimeProvider.GetTimestamp"/> value) and its place in the order of arrival.</summary>
internal readonly record struct PooledNonce(string Value, long ObtainedAt, long Sequence);

/// <summary>
/// Nonces from earlier responses (RFC 8555 section 7.2), newest first. Servers accept a nonce only
/// for a while (a time, or a window of the most recently issued ones), so the pool hands out the
/// newest nonce, keeps at most <see cref="Capacity"/> (dropping the oldest), drops nonces older than
/// the maximum age, and after a badNonce forgets every nonce obtained no later than the refused one.
/// Thread-safe.
/// </summary>
internal sealed class NoncePool
{
    /// <summary>The most nonces kept: enough for the concurrency one client sees, few enough that none goes stale unseen.</summary>
    public const int Capacity = 32;

    private readonly TimeProvider _time;
    private readonly TimeSpan _maxAge;
    private readonly List<PooledNonce> _nonces = new(Capacity + 1); // oldest first
    private readonly object _lock = new();
    private long _sequence;

    public NoncePool(TimeProvider time, TimeSpan maxAge)
    {
        _time = time;
        _maxAge = maxAge;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _nonces.Count;
            }
        }
    }

    /// <summary>Keeps a nonce that just arrived.</summary>
    public void Add(string nonce)
    {
        lock (_lock)
        {
            _nonces.Add(new PooledNonce(nonce, _time.GetTimestamp(), ++_sequence));
            if (_nonces.Count > Capacity)
            {
                _nonces.RemoveAt(0);
            }
        }
    }

    /// <summary>A nonce stamped now, for one fetched from newNonce.</summary>
    public PooledNonce Fresh(string nonce)
    {
        lock (_lock)
        {
            return new PooledNonce(nonce, _time.GetTimestamp(), ++_sequence);
        }
    }

    /// <summary>Takes the newest nonce that is not too old; older ones are dropped.</summary>
    public bool TryTake(out PooledNonce nonce)
    {
        lock (_lock)
        {
            if (_nonces.Count > 0)
            {
                var newest = _nonces[^1];
                if (_time.GetElapsedTime(newest.ObtainedAt) <= _maxAge)
                {
                    _nonces.RemoveAt(_nonces.Count - 1);
                    nonce = newest;
                    return true;
                }

                // The newest is too old, and every other one is older still.
                _nonces.Clear();
            }
        }

        nonce = default;
        return false;
    }

    /// <summary>
    /// The server refused <paramref name="refused"/> as badNonce: nonces obtained no later than it
    /// are likely just as stale, so they go too. Nonces that arrived after it stay.
    /// </summary>
    public void DropObtainedNoLaterThan(PooledNonce refused)
    {
        lock (_lock)
        {
            var stale = 0;
            while (stale < _nonces.Count && _nonces[stale].Sequence <= refused.Sequence)
            {
                stale++;
            }

            _nonces.RemoveRange(0, stale);
        }
    }
}
