using Microsoft.Extensions.Options;
using Pki.Acme.Management;
using StackExchange.Redis;

namespace Pki.Acme.Redis;

/// <summary>Settings of a <see cref="RedisCertificateStore"/>.</summary>
public sealed class RedisCertificateStoreOptions
{
    /// <summary>A StackExchange.Redis configuration string, e.g. <c>redis1:6379,redis2:6379,password=...</c>; not needed when an <see cref="IConnectionMultiplexer"/> is registered.</summary>
    public string? Configuration { get; set; }

    /// <summary>The prefix of every key (default <c>pki:acme:</c>), so several applications can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "pki:acme:";

    /// <summary>The database number (default -1: the connection's default).</summary>
    public int Database { get; set; } = -1;

    /// <summary>Checks the prefix and database number; the store calls it at construction and DI at start-up.</summary>
    /// <exception cref="AcmeManagementConfigurationException">A value cannot work; the message names it.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(KeyPrefix))
        {
            throw new AcmeManagementConfigurationException("RedisCertificateStoreOptions.KeyPrefix must not be empty: it keeps the store's keys apart from other data.");
        }

        if (Database < -1)
        {
            throw new AcmeManagementConfigurationException($"RedisCertificateStoreOptions.Database must be -1 (default) or a database number; it is {Database}.");
        }
    }
}

/// <summary>
/// An <see cref="ICertificateStore"/> in Redis, for several instances (a web farm) that manage the same
/// certificates. Each value is one Redis string, so writes are atomic. A lease is a key holding
/// "token:owner" with an expiry, taken by a Lua script that also counts the lease's fencing token up
/// (a counter key that never expires); renewing, releasing and writing under a lease are scripts that
/// act only while the lease key still holds the holder's token, so each is one atomic
/// compare-and-swap on the server. Redis drops a crashed holder's lease when it expires.
/// Private keys are stored as they are: protect the server with ACLs and TLS, as for any secret in Redis.
/// </summary>
public sealed class RedisCertificateStore : ICertificateStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisCertificateStoreOptions _options;

    /// <summary>Creates the store over an open connection.</summary>
    /// <exception cref="AcmeManagementConfigurationException">Invalid options.</exception>
    public RedisCertificateStore(IConnectionMultiplexer redis, RedisCertificateStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        _options = options ?? new RedisCertificateStoreOptions();
        _options.Validate();
        _redis = redis;
    }

    /// <summary>Creates the store over an open connection with options from DI.</summary>
    public RedisCertificateStore(IConnectionMultiplexer redis, IOptions<RedisCertificateStoreOptions> options)
        : this(redis, (options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    private IDatabase Database => _redis.GetDatabase(_options.Database);

    /// <inheritdoc />
    public async Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        var value = await Run(Database.StringGetAsync(Key(key)), "Reading", key, cancellationToken).ConfigureAwait(false);
        return value.IsNull ? null : (byte[]?)value;
    }

    /// <inheritdoc />
    public Task WriteAsync(string key, ReadOnlyMemory<byte> value, bool isSecret, CancellationToken cancellationToken) =>
        Run(Database.StringSetAsync(Key(key), value), "Writing", key, cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) =>
        Run(Database.KeyDeleteAsync(Key(key)), "Deleting", key, cancellationToken);

    /// <inheritdoc />
    public async Task<ICertificateStoreLease?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        CertificateStoreKey.ValidateLease(name, owner, duration);

        // One script, so taking the lease and counting the token up are one atomic step.
        var result = await Run(
            Database.ScriptEvaluateAsync(AcquireScript, [LeaseKey(name), TokenKey(name)], [owner, Milliseconds(duration)]),
            "Taking the lease",
            name,
            cancellationToken).ConfigureAwait(false);
        var token = (long)result;
        return token > 0 ? new Lease(this, name, owner, token) : null;
    }

    // KEYS[1] the lease ("token:owner", expiring), KEYS[2] the token counter (never expires).
    private const string AcquireScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        local token = redis.call('INCR', KEYS[2])
        redis.call('SET', KEYS[1], token .. ':' .. ARGV[1], 'PX', ARGV[2])
        return token
        """;

    // ARGV[1] the holder's "token:owner"; each script acts only while the lease still holds it.
    private const string RenewScript = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        return 1
        """;

    private const string FencedWriteScript = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[2], ARGV[2])
        return 1
        """;

    private static long Milliseconds(TimeSpan duration) => Math.Max(1, (long)Math.Ceiling(duration.TotalMilliseconds));

    private RedisKey Key(string key)
    {
        CertificateStoreKey.Validate(key);
        return _options.KeyPrefix + "data:" + key;
    }

    private RedisKey LeaseKey(string name) => _options.KeyPrefix + "lease:" + name;

    private RedisKey TokenKey(string name) => _options.KeyPrefix + "lease-token:" + name;

    private static async Task<T> Run<T>(Task<T> operation, string what, string key, CancellationToken cancellationToken)
    {
        try
        {
#if NET8_0_OR_GREATER
            return await operation.WaitAsync(cancellationToken).ConfigureAwait(false);
#else
            cancellationToken.ThrowIfCancellationRequested();
            return await operation.ConfigureAwait(false);
#endif
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new CertificateStoreException($"{what} '{key}' in Redis failed: {ex.Message}", ex);
        }
    }

    private sealed class Lease(RedisCertificateStore store, string name, string owner, long token) : ICertificateStoreLease
    {
        private readonly RedisValue _holder = token.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + owner;

        public string Name => name;

        public string Owner => owner;

        public long Token => token;

        public async Task<bool> RenewAsync(TimeSpan duration, CancellationToken cancellationToken)
        {
            if (duration <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(duration), duration, "A lease must last a positive time.");
            }

            var result = await Run(store.Database.ScriptEvaluateAsync(RenewScript, [store.LeaseKey(name)], [_holder, Milliseconds(duration)]), "Extending the lease", name, cancellationToken).ConfigureAwait(false);
            return (long)result == 1;
        }

        public Task ReleaseAsync(CancellationToken cancellationToken) =>
            Run(store.Database.ScriptEvaluateAsync(ReleaseScript, [store.LeaseKey(name)], [_holder]), "Releasing the lease", name, cancellationToken);

        public async Task<bool> TryWriteAsync(string key, ReadOnlyMemory<byte> value, bool isSecret, CancellationToken cancellationToken)
        {
            var result = await Run(store.Database.ScriptEvaluateAsync(FencedWriteScript, [store.LeaseKey(name), store.Key(key)], [_holder, value]), "Writing under the lease", key, cancellationToken).ConfigureAwait(false);
            return (long)result == 1;
        }

        public async ValueTask DisposeAsync() => await ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
