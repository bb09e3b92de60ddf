using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pki.Ari;

namespace Pki.Acme.Management;

/// <summary>Settings of a <see cref="CertificateManager"/>.</summary>
public sealed class CertificateManagerOptions
{
    /// <summary>The certificates to manage.</summary>
    public IList<ManagedCertificateOptions> Certificates { get; } = new List<ManagedCertificateOptions>();

    /// <summary>How long a per-certificate lease lasts without renewal (default 5 min); a crashed holder's lease is taken over after it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a waiting instance looks at the lease and the store (default 1 s).</summary>
    public TimeSpan LeasePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest sleep of <see cref="CertificateManager.RunAsync"/> between checks (default 1 h): ARI windows and other instances' renewals are seen within it.</summary>
    public TimeSpan MaxCheckInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The shortest time between two attempts at one certificate (default 1 min). After a failed
    /// attempt, or one whose new certificate is due again at once (a past ARI window, a clock
    /// ahead of the CA's by more than the lifetime), the wait doubles per consecutive such attempt
    /// up to <see cref="MaxAttemptBackoff"/>, so renewal never loops.
    /// </summary>
    public TimeSpan MinAttemptInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest wait between attempts after repeated failures (default 1 day).</summary>
    public TimeSpan MaxAttemptBackoff { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often a certificate that is missing or failing is looked for in the store, where another instance may have put one (default 30 s).</summary>
    public TimeSpan StorePollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The deadline of one issuance at the pool, every CA included (default 15 min).</summary>
    public TimeSpan IssuanceTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How many certificates one pass of <see cref="CertificateManager.RenewDueAsync"/> works on at once (default 4): a slow CA or certificate never holds up the others beyond that.</summary>
    public int MaxConcurrentRenewals { get; set; } = 4;

    /// <summary>Without ARI, renew when this share of the lifetime remains (default one third).</summary>
    public double FallbackRemainingLifetimeFraction { get; set; } = 1.0 / 3.0;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="AcmeManagementConfigurationException">A value cannot work.</exception>
    public void Validate()
    {
        if (Certificates.Count == 0)
        {
            throw new AcmeManagementConfigurationException("CertificateManagerOptions.Certificates is empty: add at least one certificate to manage.");
        }

        foreach (var certificate in Certificates)
        {
            certificate.Validate();
        }

        var duplicate = Certificates.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new AcmeManagementConfigurationException($"The certificate name '{duplicate.Key}' is used {duplicate.Count()} times; names must be unique.");
        }

        if (LeaseDuration <= TimeSpan.Zero || LeasePollInterval <= TimeSpan.Zero || LeasePollInterval >= LeaseDuration)
        {
            throw new AcmeManagementConfigurationException($"CertificateManagerOptions.LeasePollInterval ({LeasePollInterval}) must be positive and below LeaseDuration ({LeaseDuration}).");
        }

        if (MaxCheckInterval <= TimeSpan.Zero || StorePollInterval <= TimeSpan.Zero || IssuanceTimeout <= TimeSpan.Zero)
        {
            throw new AcmeManagementConfigurationException("CertificateManagerOptions.MaxCheckInterval, StorePollInterval and IssuanceTimeout must be positive.");
        }

        if (MinAttemptInterval <= TimeSpan.Zero || MaxAttemptBackoff < MinAttemptInterval)
        {
            throw new AcmeManagementConfigurationException($"CertificateManagerOptions.MinAttemptInterval ({MinAttemptInterval}) must be positive and not above MaxAttemptBackoff ({MaxAttemptBackoff}).");
        }

        if (MaxConcurrentRenewals is < 1 or > 1024)
        {
            throw new AcmeManagementConfigurationException($"CertificateManagerOptions.MaxConcurrentRenewals must be between 1 and 1024; it is {MaxConcurrentRenewals}.");
        }

        if (!(FallbackRemainingLifetimeFraction > 0 && FallbackRemainingLifetimeFraction < 1))
        {
            throw new AcmeManagementConfigurationException($"CertificateManagerOptions.FallbackRemainingLifetimeFraction must be between 0 and 1 (exclusive); it is {FallbackRemainingLifetimeFraction}.");
        }
    }
}


/// <summary>
/// Holds the certificates an application needs: issues each on first need through an
/// <see cref="AcmeIssuerPool"/>, renews it when the <see cref="RenewalPlanner"/> of its CA says (or
/// when the fallback share of its lifetime remains), and persists keys and chains in an
/// <see cref="ICertificateStore"/>. Crash-safe: the certificate key is saved before an order exists
/// and the order URL as soon as it does, so a restarted process downloads a finished order or
/// orders again with the same key; the current certificate is replaced in one atomic write. Several
/// instances sharing a store coordinate through one fenced lease per certificate: one orders (every
/// write it makes is conditional on its lease token, and losing the lease cancels the issuance), the
/// others wait and pick up its result. Attempts at one certificate are spaced by
/// <see cref="CertificateManagerOptions.MinAttemptInterval"/>, doubling after failures; one pass works
/// on at most <see cref="CertificateManagerOptions.MaxConcurrentRenewals"/> certificates at once, each
/// under <see cref="CertificateManagerOptions.IssuanceTimeout"/>. Thread-safe.
/// </summary>
public sealed class CertificateManager
{
    private readonly AcmeIssuerPool _pool;
    private readonly ICertificateStore _store;
    private readonly IReadOnlyList<IChallengeSolver> _solvers;
    private readonly CertificateManagerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ManagementMetrics _metrics;
    private readonly string _owner = Environment.MachineName + "-" + Guid.NewGuid().ToString("N");
    private readonly Dictionary<string, Entry> _entries;

    /// <summary>Creates the manager.</summary>
    /// <exception cref="AcmeManagementConfigurationException">Invalid options or no solvers.</exception>
    public CertificateManager(AcmeIssuerPool pool, ICertificateStore store, IEnumerable<IChallengeSolver> solvers, CertificateManagerOptions options, TimeProvider? timeProvider = null, ILogger<CertificateManager>? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(solvers);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _solvers = [.. solvers];
        if (_solvers.Count == 0)
        {
            throw new AcmeManagementConfigurationException("A certificate manager needs at least one challenge solver (http-01, tls-alpn-01 or dns-01).");
        }

        _pool = pool;
        _store = store;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _metrics = ManagementMetrics.Create(meterFactory);
        _entries = options.Certificates.ToDictionary(c => c.Name, c => new Entry(c), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Raised after a certificate is loaded or replaced (Kestrel's selector needs no event: it reads <see cref="GetCurrent"/>).</summary>
    public event EventHandler<CertificateChangedEventArgs>? CertificateChanged;

    /// <summary>The issuer pool this manager orders from.</summary>
    public AcmeIssuerPool Pool => _pool;

    /// <summary>The managed certificates' settings.</summary>
    public IReadOnlyList<ManagedCertificateOptions> Certificates => [.. _options.Certificates];

    /// <summary>The current certificate called <paramref name="name"/> in memory, or null before the first load or issuance.</summary>
    /// <exception cref="AcmeManagementConfigurationException">No certificate has that name.</exception>
    public ManagedCertificate? GetCurrent(string name) => GetEntry(name).Current;

    /// <summary>The current certificate that covers <paramref name="serverName"/> (SNI); the first certificate when the name is null or matches none.</summary>
    public ManagedCertificate? FindForServerName(string? serverName)
    {
        ManagedCertificate? first = null;
        foreach (var entry in _entries.Values)
        {
            var current = entry.Current;
            if (current is null)
            {
                continue;
            }

            if (serverName is not null && current.Covers(serverName))
            {
                return current;
            }

            first ??= current;
        }

        return first;
    }

    /// <summary>The state of every certificate.</summary>
    public IReadOnlyList<ManagedCertificateStatus> GetStatus() => [.. _options.Certificates.Select(c =>
    {
        var entry = _entries[c.Name];
        var current = entry.Current;
        return new ManagedCertificateStatus(c.Name, current?.NotAfter, entry.RenewAt, entry.RenewalExplanation, current?.Issuer, entry.LastError, entry.LastErrorAt)
        {
            ConsecutiveFailures = entry.Failures,
            NextAttemptAt = entry.NextAttemptAt,
        };
    })];

    /// <summary>
    /// The certificate called <paramref name="name"/>: from memory or the store when it is not due
    /// for renewal, else issued (or renewed) now, or picked up from another instance that holds the
    /// lease. A certificate that is due while its attempts back off is returned as it is.
    /// </summary>
    /// <exception cref="AcmeManagementConfigurationException">No certificate has that name.</exception>
    /// <exception cref="AcmeIssuerPoolException">No CA issued.</exception>
    /// <exception cref="CertificateBackoffException">There is no certificate yet and attempts are backing off.</exception>
    /// <exception cref="CertificateLeaseLostException">The lease was lost mid-issuance (another instance continues).</exception>
    /// <exception cref="TimeoutException">The issuance took longer than <see cref="CertificateManagerOptions.IssuanceTimeout"/>.</exception>
    public Task<ManagedCertificate> GetCertificateAsync(string name, CancellationToken cancellationToken = default) =>
        EnsureAsync(GetEntry(name), force: false, cancellationToken);

    /// <summary>Renews <paramref name="name"/> now, whatever its schedule or backoff (e.g. after a revocation).</summary>
    public Task<ManagedCertificate> RenewNowAsync(string name, CancellationToken cancellationToken = default) =>
        EnsureAsync(GetEntry(name), force: true, cancellationToken);

    /// <summary>
    /// One pass over every certificate, at most <see cref="CertificateManagerOptions.MaxConcurrentRenewals"/>
    /// at once: issues missing ones and renews due ones (unless they are backing off), and picks up
    /// what other instances stored. Failures are recorded (see <see cref="GetStatus"/>) and do not stop
    /// the others. Returns when to check next.
    /// </summary>
    public async Task<DateTimeOffset> RenewDueAsync(CancellationToken cancellationToken = default)
    {
        using var slots = new SemaphoreSlim(_options.MaxConcurrentRenewals, _options.MaxConcurrentRenewals);
        var passes = _entries.Values.Select(async entry =>
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await CheckAsync(entry, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        });
        var times = await Task.WhenAll(passes).ConfigureAwait(false);
        var next = _time.GetUtcNow() + _options.MaxCheckInterval;
        foreach (var at in times)
        {
            if (at < next)
            {
                next = at;
            }
        }

        return next;
    }

    /// <summary>Runs <see cref="RenewDueAsync"/> until cancelled, sleeping until the next renewal (at most <see cref="CertificateManagerOptions.MaxCheckInterval"/>).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var next = await RenewDueAsync(cancellationToken).ConfigureAwait(false);
            var delay = next - _time.GetUtcNow();
            if (delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    private Entry GetEntry(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _entries.TryGetValue(name, out var entry)
            ? entry
            : throw new AcmeManagementConfigurationException($"No managed certificate is called '{name}'; configured: {string.Join(", ", _entries.Keys)}.");
    }

    /// <summary>One certificate's part of a pass; returns when it needs attention next.</summary>
    private async Task<DateTimeOffset> CheckAsync(Entry entry, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureAsync(entry, force: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Attempts record their own failures; a backoff is not news; anything else (a store read) is.
            if (ex is not CertificateBackoffException && !ReferenceEquals(entry.LastException, ex))
            {
                RecordError(entry, ex);
            }
        }

        var now = _time.GetUtcNow();
        var notBefore = entry.NextAttemptAt ?? DateTimeOffset.MinValue;
        if (entry.Current is null || entry.RenewAt is not { } renewAt || renewAt <= now)
        {
            // Missing or due, and not attempted now: look in the store (another instance may have
            // stored one) every StorePollInterval until the next attempt may run.
            var look = now + _options.StorePollInterval;
            return notBefore > now && notBefore < look ? notBefore : look;
        }

        return renewAt > notBefore ? renewAt : notBefore;
    }

    private async Task<ManagedCertificate> EnsureAsync(Entry entry, bool force, CancellationToken cancellationToken)
    {
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var name = entry.Options.Name;
            var (current, _) = await LoadAsync(entry, cancellationToken).ConfigureAwait(false);
            var before = current?.Certificate.Thumbprint;
            if (!force && current is not null && !await IsDueAsync(entry, current, cancellationToken).ConfigureAwait(false))
            {
                ClearFailures(entry);
                return current;
            }

            if (!force && entry.NextAttemptAt is { } notBefore && notBefore > _time.GetUtcNow())
            {
                // Backing off: serve what there is; order nothing.
                return current ?? throw new CertificateBackoffException(name, notBefore, entry.Failures, entry.LastError);
            }

            // Only the lease holder orders; the others wait and take its result from the store.
            ICertificateStoreLease? lease;
            while ((lease = await _store.TryAcquireLeaseAsync(StoreKeys.Lease(name), _owner, _options.LeaseDuration, cancellationToken).ConfigureAwait(false)) is null)
            {
                await Task.Delay(_options.LeasePollInterval, _time, cancellationToken).ConfigureAwait(false);
                var (latest, _) = await LoadAsync(entry, cancellationToken).ConfigureAwait(false);
                if (latest is not null && latest.Certificate.Thumbprint != before && !await IsDueAsync(entry, latest, cancellationToken).ConfigureAwait(false))
                {
                    Log.CertificateAction(_logger, name, "picked up from another instance");
                    ClearFailures(entry);
                    return latest;
                }
            }

            var keeper = new LeaseKeeper(lease, _options.LeaseDuration, _time, _logger, name, () => _metrics.LeaseLost.Add(1, new KeyValuePair<string, object?>("certificate", name)));
            await using (keeper.ConfigureAwait(false))
            {
                var (latest, stored) = await LoadAsync(entry, cancellationToken).ConfigureAwait(false);
                if (latest is not null && (!force || latest.Certificate.Thumbprint != before) && !await IsDueAsync(entry, latest, cancellationToken).ConfigureAwait(false))
                {
                    ClearFailures(entry);
                    return latest;
                }

                return await AttemptAsync(entry, keeper, latest, stored, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>One attempt under the lease, with the issuance deadline, and its outcome in the backoff.</summary>
    private async Task<ManagedCertificate> AttemptAsync(Entry entry, LeaseKeeper keeper, ManagedCertificate? latest, StoredCertificate? stored, CancellationToken cancellationToken)
    {
        var name = entry.Options.Name;
        using var deadline = TimeProviderDelay.CreateTimeoutSource(_time, _options.IssuanceTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, keeper.Lost, deadline.Token);
        try
        {
            var issued = await IssueUnderLeaseAsync(entry, keeper, latest, stored, linked.Token).ConfigureAwait(false);
            if (await IsDueAsync(entry, issued, cancellationToken).ConfigureAwait(false))
            {
                // Issued, yet due at once (a past ARI window, a clock ahead by more than the lifetime):
                // ordering again now would loop, so this counts as an unproductive attempt.
                Backoff(entry, $"The new certificate is due for renewal at once ({entry.RenewalExplanation}); check the clock and the CA's renewal information.");
            }
            else
            {
                ClearFailures(entry);
                entry.NextAttemptAt = _time.GetUtcNow() + _options.MinAttemptInterval;
            }

            return issued;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && keeper.IsLost)
        {
            var lost = new CertificateLeaseLostException(name, keeper.Lease.Token, ex);
            RecordError(entry, lost);
            throw lost;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested)
        {
            var timeout = new TimeoutException($"Certificate '{name}': the issuance took longer than CertificateManagerOptions.IssuanceTimeout ({_options.IssuanceTimeout}) and was cancelled.", ex);
            Backoff(entry, timeout.Message, timeout);
            throw timeout;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (ex is CertificateLeaseLostException)
            {
                RecordError(entry, ex);
                throw;
            }

            Backoff(entry, ex.Message, ex);
            if (ex is AcmeIssuerPoolException { RetryAt: { } retry } && retry > entry.NextAttemptAt)
            {
                entry.NextAttemptAt = retry;
            }

            throw;
        }
    }

    private void Backoff(Entry entry, string error, Exception? exception = null)
    {
        entry.Failures++;
        var factor = Math.Pow(2, Math.Min(30, entry.Failures - 1));
        var wait = TimeSpan.FromTicks((long)Math.Min(_options.MaxAttemptBackoff.Ticks, _options.MinAttemptInterval.Ticks * factor));
        entry.NextAttemptAt = _time.GetUtcNow() + wait;
        entry.LastError = error;
        entry.LastErrorAt = _time.GetUtcNow();
        entry.LastException = exception;
        _metrics.Backoffs.Add(1, new KeyValuePair<string, object?>("scope", "certificate"), new KeyValuePair<string, object?>("name", entry.Options.Name));
        Log.CertificateBackoff(_logger, entry.Options.Name, entry.Failures, entry.NextAttemptAt.Value);
        if (exception is not null)
        {
            Log.CertificateFailed(_logger, exception, entry.Options.Name);
        }
    }

    /// <summary>A certificate that is valid and not due is being served, whoever issued it: this instance's failures are over.</summary>
    private static void ClearFailures(Entry entry)
    {
        if (entry.Failures > 0)
        {
            entry.Failures = 0;
            entry.NextAttemptAt = null;
        }

        entry.LastError = null;
        entry.LastErrorAt = null;
        entry.LastException = null;
    }

    private void RecordError(Entry entry, Exception ex)
    {
        entry.LastError = ex.Message;
        entry.LastErrorAt = _time.GetUtcNow();
        entry.LastException = ex;
        Log.CertificateFailed(_logger, ex, entry.Options.Name);
    }

    private async Task<ManagedCertificate> IssueUnderLeaseAsync(Entry entry, LeaseKeeper keeper, ManagedCertificate? current, StoredCertificate? stored, CancellationToken cancellationToken)
    {
        var name = entry.Options.Name;
        var identifiers = entry.Options.Identifiers.ToList();
        var pendingKey = StoreKeys.Pending(name);
        PendingIssuance? pending = null;
        var pendingBytes = await _store.ReadAsync(pendingKey, cancellationToken).ConfigureAwait(false);
        if (pendingBytes is not null)
        {
            pending = StoreJson.Deserialize(pendingBytes, StoreJsonContext.Default.PendingIssuance, pendingKey);
            if (stored is not null && stored.KeyPem == pending.KeyPem)
            {
                // A crash after saving the certificate, before removing the record: already done.
                pending = null;
                await _store.DeleteAsync(pendingKey, cancellationToken).ConfigureAwait(false);
            }
            else if (!pending.Identifiers.SequenceEqual(identifiers, StringComparer.OrdinalIgnoreCase))
            {
                Log.CertificateAction(_logger, name, "discarding an unfinished issuance for other identifiers");
                pending = null;
            }
        }

        if (pending is null)
        {
            // The key is saved before any CA sees an order: a crash from here on orphans nothing.
            using var fresh = AcmeCertificateIssuer.CreateCertificateKey(entry.Options.KeyType);
            pending = new PendingIssuance { Identifiers = identifiers, KeyPem = PemReader.ExportPrivateKeyPem(fresh), StartedAt = _time.GetUtcNow() };
            await WriteFencedAsync(keeper, pendingKey, JsonSerializer.SerializeToUtf8Bytes(pending, StoreJsonContext.Default.PendingIssuance), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            Log.CertificateAction(_logger, name, "continuing an unfinished issuance with its saved key");
        }

        using var key = PemReader.ImportPrivateKey(pending.KeyPem, name);
        var resumed = await TryResumeAsync(name, pending, key, cancellationToken).ConfigureAwait(false);
        StoredCertificate record;
        CertificateSource source;
        if (resumed is not null)
        {
            record = resumed;
            source = CertificateSource.Resumed;
        }
        else
        {
            var started = pending;
            var result = await _pool.IssueAsync(
                new PoolIssuanceRequest
                {
                    Identifiers = entry.Options.ToAcmeIdentifiers(),
                    CertificateKey = key,
                    Predecessor = current?.Certificate,
                    PredecessorIssuer = current?.Issuer,
                    OrderCreated = (issuer, order, ct) => WriteFencedAsync(keeper, pendingKey, JsonSerializer.SerializeToUtf8Bytes(started with { Issuer = issuer.Name, OrderUri = order.AbsoluteUri }, StoreJsonContext.Default.PendingIssuance), ct),
                },
                _solvers,
                cancellationToken).ConfigureAwait(false);
            record = new StoredCertificate
            {
                Issuer = result.Issuer.Name,
                Directory = result.Issuer.Options.DirectoryUri!.AbsoluteUri,
                OrderUri = result.Certificate.OrderUri.AbsoluteUri,
                Identifiers = identifiers,
                KeyPem = pending.KeyPem,
                ChainPem = result.Certificate.ChainPem,
                StoredAt = _time.GetUtcNow(),
            };
            source = CertificateSource.Issued;
        }

        // Check before saving that the key and chain belong together; the write is fenced by the lease token.
        var managed = ManagedCertificate.Load(name, record, source);
        await WriteFencedAsync(keeper, StoreKeys.Current(name), JsonSerializer.SerializeToUtf8Bytes(record, StoreJsonContext.Default.StoredCertificate), cancellationToken).ConfigureAwait(false);
        await _store.DeleteAsync(pendingKey, cancellationToken).ConfigureAwait(false);
        Log.CertificateAction(_logger, name, $"{source} by {record.Issuer}, valid until {managed.NotAfter:u}");
        _metrics.Renewals.Add(1, new KeyValuePair<string, object?>("certificate", name), new KeyValuePair<string, object?>("source", source.ToString().ToLowerInvariant()));
        Publish(entry, managed, record);
        return managed;
    }

    /// <summary>A write under the lease: refused (and the issuance cancelled) once another instance holds it.</summary>
    private static async Task WriteFencedAsync(LeaseKeeper keeper, string key, byte[] value, CancellationToken cancellationToken)
    {
        if (!await keeper.Lease.TryWriteAsync(key, value, isSecret: true, cancellationToken).ConfigureAwait(false))
        {
            keeper.MarkLost($"the store refused the fenced write of '{key}'");
            throw new CertificateLeaseLostException(keeper.Lease.Name.Replace("certificate-", string.Empty, StringComparison.Ordinal), keeper.Lease.Token);
        }
    }

    /// <summary>Completes an order a crashed process left: when it is valid, downloads its chain and checks that it is for the saved key.</summary>
    private async Task<StoredCertificate?> TryResumeAsync(string name, PendingIssuance pending, AsymmetricAlgorithm key, CancellationToken cancellationToken)
    {
        if (pending.OrderUri is null || _pool.FindIssuer(pending.Issuer) is not { } issuer)
        {
            return null;
        }

        var orderUri = new Uri(pending.OrderUri);
        try
        {
            var account = await _pool.GetAccountAsync(issuer, cancellationToken).ConfigureAwait(false);
            var order = await issuer.Client.GetOrderAsync(account, orderUri, cancellationToken).ConfigureAwait(false);
            if (order.Resource.Status != AcmeStatus.Valid || order.Resource.Certificate is null)
            {
                Log.CertificateAction(_logger, name, $"the unfinished order {orderUri} is '{order.Resource.Status}': ordering again with the saved key");
                return null;
            }

            var chains = await issuer.Client.DownloadCertificateAsync(account, order.Resource.Certificate, includeAlternates: true, cancellationToken).ConfigureAwait(false);
            var chain = AcmeCertificateIssuer.ChooseChain(chains, issuer.Options.PreferredChain);

            // What the CA sends is checked before it is stored: the saved key, the ordered names, the chain, the dates.
            var identifiers = pending.Identifiers.Select(ManagedCertificateOptions.ParseIdentifier).ToList();
            if (!AcmeCertificateVerifier.TryVerify(chain, SubjectPublicKeyInfo(key), identifiers, _time.GetUtcNow(), AcmeCertificateVerifier.DefaultClockSkew, out var mismatch))
            {
                Log.CertificateAction(_logger, name, $"the certificate of order {orderUri} does not match what was ordered ({mismatch!.Message}): ordering again");
                return null;
            }

            return new StoredCertificate
            {
                Issuer = issuer.Name,
                Directory = issuer.Options.DirectoryUri!.AbsoluteUri,
                OrderUri = orderUri.AbsoluteUri,
                Identifiers = pending.Identifiers,
                KeyPem = pending.KeyPem,
                ChainPem = chain.Pem,
                StoredAt = _time.GetUtcNow(),
            };
        }
        catch (Exception ex) when (ex is AcmeException or HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.ResumeFailed(_logger, ex, name, orderUri);
            return null;
        }
    }

    private static byte[] SubjectPublicKeyInfo(AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => ec.ExportSubjectPublicKeyInfo(),
        RSA rsa => rsa.ExportSubjectPublicKeyInfo(),
        _ => [],
    };

    /// <summary>The in-memory certificate, refreshed from the store when another instance replaced it.</summary>
    private async Task<(ManagedCertificate? Current, StoredCertificate? Stored)> LoadAsync(Entry entry, CancellationToken cancellationToken)
    {
        var name = entry.Options.Name;
        var key = StoreKeys.Current(name);
        var bytes = await _store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return (entry.Current, null);
        }

        var stored = StoreJson.Deserialize(bytes, StoreJsonContext.Default.StoredCertificate, key);
        if (entry.Current is { } current && entry.StoredOrderUri == stored.OrderUri)
        {
            return (current, stored);
        }

        var loaded = ManagedCertificate.Load(name, stored, CertificateSource.Store);
        Publish(entry, loaded, stored);
        return (loaded, stored);
    }

    private void Publish(Entry entry, ManagedCertificate certificate, StoredCertificate stored)
    {
        entry.Current = certificate;
        entry.StoredOrderUri = stored.OrderUri;
        entry.RenewAt = null;
        CertificateChanged?.Invoke(this, new CertificateChangedEventArgs(certificate));
    }

    private async Task<bool> IsDueAsync(Entry entry, ManagedCertificate current, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (!current.Identifiers.SequenceEqual(entry.Options.Identifiers, StringComparer.OrdinalIgnoreCase))
        {
            entry.RenewAt = now;
            entry.RenewalExplanation = "The configured identifiers changed: renew now.";
            return true;
        }

        DateTimeOffset at;
        string explanation;
        var issuer = _pool.FindIssuer(current.Issuer);
        RenewalPlan? plan = null;
        if (issuer?.Planner is { } planner)
        {
            try
            {
                var directory = await issuer.Client.GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
                plan = await planner.PlanAsync(new TrackedCertificate(current.Certificate, directory.RenewalInfo), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AcmeException or HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                plan = null; // the CA is unreachable: plan without it
            }
        }

        if (plan?.RenewAt is { } planned)
        {
            at = planned;
            explanation = plan.Explanation;
        }
        else
        {
            var lifetime = current.NotAfter - current.NotBefore;
            at = current.NotAfter - TimeSpan.FromTicks((long)(lifetime.Ticks * _options.FallbackRemainingLifetimeFraction));
            explanation = $"Renew when {_options.FallbackRemainingLifetimeFraction:P0} of the lifetime remains, at {at:u}.";
        }

        entry.RenewAt = at;
        entry.RenewalExplanation = explanation;

        // The planner answers "now" as its own clock reading, taken after ours: compare with a fresh one.
        return at <= _time.GetUtcNow();
    }

    private sealed class Entry(ManagedCertificateOptions options)
    {
        private volatile ManagedCertificate? _current;

        public ManagedCertificateOptions Options { get; } = options;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Read without the gate by Kestrel's handshake callback: volatile.</summary>
        public ManagedCertificate? Current
        {
            get => _current;
            set => _current = value;
        }

        public string? StoredOrderUri { get; set; }

        public DateTimeOffset? RenewAt { get; set; }

        public string? RenewalExplanation { get; set; }

        public string? LastError { get; set; }

        public DateTimeOffset? LastErrorAt { get; set; }

        public Exception? LastException { get; set; }

        /// <summary>Consecutive failed or unproductive attempts.</summary>
        public int Failures { get; set; }

        /// <summary>No attempt before this time (unless forced).</summary>
        public DateTimeOffset? NextAttemptAt { get; set; }
    }
}
