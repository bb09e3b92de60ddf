using System.Collections.Concurrent;

namespace Pki.Caa;

/// <summary>Answers keyed by query name, each kept for its TTL (capped) as measured by a <see cref="TimeProvider"/>.</summary>
internal sealed class CaaQueryCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxTtl;
    private readonly int _maxEntries;

    public CaaQueryCache(TimeProvider time, TimeSpan maxTtl, int maxEntries)
    {
        _time = time;
        _maxTtl = maxTtl;
        _maxEntries = maxEntries;
    }

    public bool TryGet(string name, out CaaQueryResult result)
    {
        if (_entries.TryGetValue(name, out var entry))
        {
            if (_time.GetUtcNow() < entry.Expires)
            {
                result = entry.Result;
                return true;
            }

            _entries.TryRemove(name, out _);
        }

        result = null!;
        return false;
    }

    public void Add(string name, CaaQueryResult result)
    {
        // Only usable answers are cached; a failure is asked again next time (fail closed, retry soon).
        var ttl = result.TimeToLive < _maxTtl ? result.TimeToLive : _maxTtl;
        if (!result.IsSuccess || ttl <= TimeSpan.Zero)
        {
            return;
        }

        if (_entries.Count >= _maxEntries)
        {
            Evict();
        }

        _entries[name] = new Entry(result, _time.GetUtcNow() + ttl);
    }

    private void Evict()
    {
        var now = _time.GetUtcNow();
        foreach (var pair in _entries)
        {
            if (pair.Value.Expires <= now)
            {
                _entries.TryRemove(pair.Key, out _);
            }
        }

        if (_entries.Count >= _maxEntries)
        {
            _entries.Clear();
        }
    }

    private sealed record Entry(CaaQueryResult Result, DateTimeOffset Expires);
}
