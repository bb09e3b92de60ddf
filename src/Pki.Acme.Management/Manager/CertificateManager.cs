using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pki.Ari;

namespace Pki.Acme.Management;

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
    private readonly RenewalSchedule _schedule;
    private readonly IssuanceJournal _journal;
    private readonly string _owner = Environment.MachineName + "-" + Guid.NewGuid().ToString("N");
    private readonly Dictionary<string, CertificateEntry> _entries;

    /// <summary>
    /// Creates the manager; nothing is ordered until <see cref="GetCertificateAsync"/>, <see cref="RenewDueAsync"/>
    /// or <see cref="RunAsync"/> is called. <paramref name="timeProvider"/> drives every wait and clock reading
    /// (default <see cref="TimeProvider.System"/>); <paramref name="meterFactory"/> creates the <c>Pki.Acme.Management</c> meter.
    /// </summary>
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
        _schedule = new RenewalSchedule(pool, options, _time, _logger, _metrics);
        _journal = new IssuanceJournal(store, pool, _time, _logger);
        _entries = options.Certificates.ToDictionary(c => c.Name, c => new CertificateEntry(c), StringComparer.OrdinalIgnoreCase);
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
    public Task<DateTimeOffset> RenewDueAsync(CancellationToken cancellationToken = default) =>
        _schedule.RunPassAsync(_entries.Values, CheckAsync, cancellationToken);

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

    private CertificateEntry GetEntry(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _entries.TryGetValue(name, out var entry)
            ? entry
            : throw new AcmeManagementConfigurationException($"No managed certificate is called '{name}'; configured: {string.Join(", ", _entries.Keys)}.");
    }

    /// <summary>One certificate's part of a pass; returns when it needs attention next.</summary>
    private async Task<DateTimeOffset> CheckAsync(CertificateEntry entry, CancellationToken cancellationToken)
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
                _schedule.RecordError(entry, ex);
            }
        }

        return _schedule.NextCheck(entry);
    }

    private async Task<ManagedCertificate> EnsureAsync(CertificateEntry entry, bool force, CancellationToken cancellationToken)
    {
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var name = entry.Name;
            var (current, _) = await LoadAsync(entry, cancellationToken).ConfigureAwait(false);
            var before = current?.Certificate.Thumbprint;
            if (!force && current is not null && !await _schedule.IsDueAsync(entry, current, cancellationToken).ConfigureAwait(false))
            {
                RenewalSchedule.ClearFailures(entry);
                return current;
            }

            if (!force && _schedule.IsBackingOff(entry, out var notBefore))
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
                if (latest is not null && latest.Certificate.Thumbprint != before && !await _schedule.IsDueAsync(entry, latest, cancellationToken).ConfigureAwait(false))
                {
                    Log.CertificateAction(_logger, name, "picked up from another instance");
                    RenewalSchedule.ClearFailures(entry);
                    return latest;
                }
            }

            var keeper = new LeaseKeeper(lease, _options.LeaseDuration, _time, _logger, name, () => _metrics.LeaseLost.Add(1, new KeyValuePair<string, object?>("certificate", name)));
            await using (keeper.ConfigureAwait(false))
            {
                var (latest, stored) = await LoadAsync(entry, cancellationToken).ConfigureAwait(false);
                if (latest is not null && (!force || latest.Certificate.Thumbprint != before) && !await _schedule.IsDueAsync(entry, latest, cancellationToken).ConfigureAwait(false))
                {
                    RenewalSchedule.ClearFailures(entry);
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
    private async Task<ManagedCertificate> AttemptAsync(CertificateEntry entry, LeaseKeeper keeper, ManagedCertificate? latest, StoredCertificate? stored, CancellationToken cancellationToken)
    {
        var name = entry.Name;
        using var deadline = TimeProviderDelay.CreateTimeoutSource(_time, _options.IssuanceTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, keeper.Lost, deadline.Token);
        try
        {
            var issued = await IssueUnderLeaseAsync(entry, keeper, latest, stored, linked.Token).ConfigureAwait(false);
            if (await _schedule.IsDueAsync(entry, issued, cancellationToken).ConfigureAwait(false))
            {
                // Issued, yet due at once (a past ARI window, a clock ahead by more than the lifetime):
                // ordering again now would loop, so this counts as an unproductive attempt.
                _schedule.Backoff(entry, $"The new certificate is due for renewal at once ({entry.RenewalExplanation}); check the clock and the CA's renewal information.");
            }
            else
            {
                _schedule.Succeeded(entry);
            }

            return issued;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && keeper.IsLost)
        {
            var lost = new CertificateLeaseLostException(name, keeper.Lease.Token, ex);
            _schedule.RecordError(entry, lost);
            throw lost;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested)
        {
            var timeout = new TimeoutException($"Certificate '{name}': the issuance took longer than CertificateManagerOptions.IssuanceTimeout ({_options.IssuanceTimeout}) and was cancelled.", ex);
            _schedule.Backoff(entry, timeout.Message, timeout);
            throw timeout;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (ex is CertificateLeaseLostException)
            {
                _schedule.RecordError(entry, ex);
                throw;
            }

            _schedule.Backoff(entry, ex.Message, ex);
            if (ex is AcmeIssuerPoolException { RetryAt: { } retry } && retry > entry.NextAttemptAt)
            {
                entry.NextAttemptAt = retry;
            }

            throw;
        }
    }

    /// <summary>Issues (or resumes) under the lease through the journal, checks the result, stores it and serves it.</summary>
    private async Task<ManagedCertificate> IssueUnderLeaseAsync(CertificateEntry entry, LeaseKeeper keeper, ManagedCertificate? current, StoredCertificate? stored, CancellationToken cancellationToken)
    {
        var name = entry.Name;
        var pending = await _journal.BeginAsync(entry, keeper, stored, cancellationToken).ConfigureAwait(false);
        using var key = PemReader.ImportPrivateKey(pending.KeyPem, name);
        var record = await _journal.TryResumeAsync(name, pending, key, cancellationToken).ConfigureAwait(false);
        var source = CertificateSource.Resumed;
        if (record is null)
        {
            var result = await _pool.IssueAsync(
                new PoolIssuanceRequest
                {
                    Identifiers = entry.Options.ToAcmeIdentifiers(),
                    CertificateKey = key,
                    Predecessor = current?.Certificate,
                    PredecessorIssuer = current?.Issuer,
                    OrderCreated = (issuer, order, ct) => IssuanceJournal.RecordOrderAsync(keeper, name, pending, issuer, order, ct),
                },
                _solvers,
                cancellationToken).ConfigureAwait(false);
            record = new StoredCertificate
            {
                Issuer = result.Issuer.Name,
                Directory = result.Issuer.Options.DirectoryUri!.AbsoluteUri,
                OrderUri = result.Certificate.OrderUri.AbsoluteUri,
                Identifiers = [.. entry.Options.Identifiers],
                KeyPem = pending.KeyPem,
                ChainPem = result.Certificate.ChainPem,
                StoredAt = _time.GetUtcNow(),
            };
            source = CertificateSource.Issued;
        }

        // Check before saving that the key and chain belong together; the write is fenced by the lease token.
        var managed = ManagedCertificate.Load(name, record, source);
        await _journal.CompleteAsync(keeper, name, record, cancellationToken).ConfigureAwait(false);
        Log.CertificateAction(_logger, name, $"{source} by {record.Issuer}, valid until {managed.NotAfter:u}");
        _metrics.Renewals.Add(1, new KeyValuePair<string, object?>("certificate", name), new KeyValuePair<string, object?>("source", source.ToString().ToLowerInvariant()));
        Publish(entry, managed, record);
        return managed;
    }

    /// <summary>The in-memory certificate, refreshed from the store when another instance replaced it.</summary>
    private async Task<(ManagedCertificate? Current, StoredCertificate? Stored)> LoadAsync(CertificateEntry entry, CancellationToken cancellationToken)
    {
        var name = entry.Name;
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

    private void Publish(CertificateEntry entry, ManagedCertificate certificate, StoredCertificate stored)
    {
        entry.Current = certificate;
        entry.StoredOrderUri = stored.OrderUri;
        entry.RenewAt = null;
        CertificateChanged?.Invoke(this, new CertificateChangedEventArgs(certificate));
    }
}
