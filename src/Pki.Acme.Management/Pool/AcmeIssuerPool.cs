using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pki.Ari;
using Pki.Caa;

namespace Pki.Acme.Management;

/// <summary>How a pool orders its CAs for each issuance.</summary>
public enum IssuerSelectionPolicy
{
    /// <summary>Always in the configured order: the first healthy CA issues, the others are fallbacks (default).</summary>
    OrderedFailover,

    /// <summary>Rotate: a renewal starts at the CA after the one that issued its predecessor, a first issuance at the next CA in turn.</summary>
    RoundRobin,

    /// <summary>A random order for every issuance and renewal (from the injected random source).</summary>
    Random,
}

/// <summary>Settings of an <see cref="AcmeIssuerPool"/>.</summary>
public sealed class AcmeIssuerPoolOptions
{
    /// <summary>The selection policy (default <see cref="IssuerSelectionPolicy.OrderedFailover"/>).</summary>
    public IssuerSelectionPolicy Policy { get; set; } = IssuerSelectionPolicy.OrderedFailover;

    /// <summary>How long a CA is left alone after its first failure (default 1 min); doubles per consecutive failure.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest backoff (default 1 h).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Skip CAs that the names' CAA records do not permit (needs an <see cref="ICaaEvaluator"/>; default true).</summary>
    public bool CheckCaa { get; set; } = true;

    /// <summary>How long an account-creation lease lasts (default 2 min).</summary>
    public TimeSpan AccountLeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The deadline of one attempt at one CA, account, order, validation and download included
    /// (default 10 min): a CA that stalls past it is backed off and the next CA is tried.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Checks the timeouts and backoff bounds; the pool calls it at construction and DI at start-up.</summary>
    /// <exception cref="AcmeManagementConfigurationException">A value cannot work; the message names it.</exception>
    public void Validate()
    {
        if (Policy is < IssuerSelectionPolicy.OrderedFailover or > IssuerSelectionPolicy.Random)
        {
            throw new AcmeManagementConfigurationException($"AcmeIssuerPoolOptions.Policy {(int)Policy} is not a selection policy.");
        }

        if (InitialBackoff <= TimeSpan.Zero || MaxBackoff < InitialBackoff)
        {
            throw new AcmeManagementConfigurationException($"AcmeIssuerPoolOptions.InitialBackoff ({InitialBackoff}) must be positive and not above MaxBackoff ({MaxBackoff}).");
        }

        if (AccountLeaseDuration <= TimeSpan.Zero)
        {
            throw new AcmeManagementConfigurationException($"AcmeIssuerPoolOptions.AccountLeaseDuration ({AccountLeaseDuration}) must be positive.");
        }

        if (AttemptTimeout <= TimeSpan.Zero)
        {
            throw new AcmeManagementConfigurationException($"AcmeIssuerPoolOptions.AttemptTimeout ({AttemptTimeout}) must be positive.");
        }
    }
}

/// <summary>The health of one CA as the pool sees it.</summary>
/// <param name="Name">The issuer name.</param>
/// <param name="ConsecutiveFailures">Failures worth another CA since the last success.</param>
/// <param name="BackoffUntil">Until when the CA is skipped, if it is.</param>
/// <param name="LastError">The last failure's message, if any.</param>
public sealed record AcmeIssuerStatus(string Name, int ConsecutiveFailures, DateTimeOffset? BackoffUntil, string? LastError);

/// <summary>What the pool should issue.</summary>
public sealed record PoolIssuanceRequest
{
    /// <summary>The names and addresses to certify (at least one); every CA in the pool is asked for exactly these.</summary>
    public IReadOnlyList<AcmeIdentifier> Identifiers { get; init; } = [];

    /// <summary>The certificate key (the caller keeps and persists it, so a crash orphans nothing).</summary>
    public AsymmetricAlgorithm? CertificateKey { get; init; }

    /// <summary>The certificate being renewed, if any (for <c>replaces</c> and round-robin).</summary>
    public X509Certificate2? Predecessor { get; init; }

    /// <summary>The name of the issuer of <see cref="Predecessor"/>, if known.</summary>
    public string? PredecessorIssuer { get; init; }

    /// <summary>
    /// Called when an order is created at a CA, before any challenge is presented for it: the
    /// manager records the order URL here so a restarted process can resume it.
    /// </summary>
    public Func<AcmeIssuer, Uri, CancellationToken, Task>? OrderCreated { get; init; }
}

/// <summary>A certificate the pool obtained, with the CA that issued it and every attempt.</summary>
/// <param name="Issuer">The CA that issued.</param>
/// <param name="Certificate">The certificate.</param>
/// <param name="Attempts">Every attempt, the successful one last.</param>
public sealed record PoolIssuanceResult(AcmeIssuer Issuer, AcmeIssuedCertificate Certificate, IReadOnlyList<AcmeIssuerAttempt> Attempts);

/// <summary>
/// Several ACME CAs behind one <see cref="IssueAsync"/>. For each issuance the pool orders the CAs by
/// its policy, skips those backing off after failures and those the names' CAA records do not permit,
/// and tries the rest in turn, each under <see cref="AcmeIssuerPoolOptions.AttemptTimeout"/>: a failure
/// that is the CA's (<see cref="AcmeFailureClassifier"/>) moves on and backs the CA off (doubling up to
/// a maximum); a failure that could be either side's backs the CA off and tries one more CA, and a
/// second such failure stops; a failure no CA will fix stops at once.
/// Accounts are created once per CA (under a store lease) and their keys kept in the store. Thread-safe.
/// </summary>
public sealed class AcmeIssuerPool
{
    private readonly AcmeIssuer[] _issuers;
    private readonly ICertificateStore _store;
    private readonly AcmeIssuerPoolOptions _options;
    private readonly ICaaEvaluator? _caa;
    private readonly TimeProvider _time;
    private readonly Func<double> _random;
    private readonly ILogger _logger;
    private readonly ManagementMetrics _metrics;
    private readonly Dictionary<string, IssuerState> _states;
    private readonly string _owner = "pool-" + Guid.NewGuid().ToString("N");
    private int _rotation = -1;

    /// <summary>Creates the pool; accounts are registered lazily, at each CA's first issuance, and their keys kept in <paramref name="store"/>.</summary>
    /// <param name="issuers">The CAs, in failover order; at least one, names unique.</param>
    /// <param name="store">Where account keys are kept.</param>
    /// <param name="options">Policy and backoff.</param>
    /// <param name="caaEvaluator">The CAA pre-check; none when null.</param>
    /// <param name="timeProvider">The clock for backoff.</param>
    /// <param name="random">A uniform source in [0, 1) for <see cref="IssuerSelectionPolicy.Random"/>.</param>
    /// <param name="logger">Where attempts, failovers and backoffs are logged.</param>
    /// <param name="meterFactory">Where the <see cref="ManagementMetrics"/> instruments live (DI's <c>AddMetrics</c>); a process-wide meter when null.</param>
    /// <exception cref="AcmeManagementConfigurationException">No issuers, duplicate names or invalid options.</exception>
    public AcmeIssuerPool(IEnumerable<AcmeIssuer> issuers, ICertificateStore store, AcmeIssuerPoolOptions? options = null, ICaaEvaluator? caaEvaluator = null, TimeProvider? timeProvider = null, Func<double>? random = null, ILogger<AcmeIssuerPool>? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(issuers);
        ArgumentNullException.ThrowIfNull(store);
        _issuers = [.. issuers];
        if (_issuers.Length == 0)
        {
            throw new AcmeManagementConfigurationException("An issuer pool needs at least one ACME CA.");
        }

        var duplicate = _issuers.GroupBy(i => i.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new AcmeManagementConfigurationException($"The issuer name '{duplicate.Key}' is used {duplicate.Count()} times; names must be unique.");
        }

        _options = options ?? new AcmeIssuerPoolOptions();
        _options.Validate();
        _store = store;
        _caa = caaEvaluator;
        _time = timeProvider ?? TimeProvider.System;
        _random = random ?? CreateRandomSample;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _metrics = ManagementMetrics.Create(meterFactory);
        _states = _issuers.ToDictionary(i => i.Name, _ => new IssuerState(), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The CAs in configured order.</summary>
    public IReadOnlyList<AcmeIssuer> Issuers => _issuers;

    /// <summary>The selection policy, backoff and deadlines in force.</summary>
    public AcmeIssuerPoolOptions Options => _options;

    /// <summary>The issuer called <paramref name="name"/>, or null.</summary>
    public AcmeIssuer? FindIssuer(string? name) => name is null ? null : _issuers.FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Each CA's health in configured order: consecutive failures, backoff end and last error (for health checks and dashboards).</summary>
    public IReadOnlyList<AcmeIssuerStatus> GetStatus() => [.. _issuers.Select(i =>
    {
        var state = _states[i.Name];
        lock (state)
        {
            return new AcmeIssuerStatus(i.Name, state.Failures, state.BackoffUntil, state.LastError);
        }
    })];

    /// <summary>
    /// The order in which the CAs would be tried now (backoff and CAA not applied):
    /// <see cref="IssuerSelectionPolicy.OrderedFailover"/> keeps the configured order;
    /// <see cref="IssuerSelectionPolicy.RoundRobin"/> starts after <paramref name="previousIssuer"/>
    /// when given, else at the next CA in turn; <see cref="IssuerSelectionPolicy.Random"/> shuffles.
    /// </summary>
    public IReadOnlyList<AcmeIssuer> OrderIssuers(string? previousIssuer = null)
    {
        var n = _issuers.Length;
        switch (_options.Policy)
        {
            case IssuerSelectionPolicy.RoundRobin:
                var previous = Array.FindIndex(_issuers, i => string.Equals(i.Name, previousIssuer, StringComparison.OrdinalIgnoreCase));
                var start = previous >= 0 ? (previous + 1) % n : (int)((uint)Interlocked.Increment(ref _rotation) % (uint)n);
                return [.. Enumerable.Range(0, n).Select(k => _issuers[(start + k) % n])];
            case IssuerSelectionPolicy.Random:
                var shuffled = (AcmeIssuer[])_issuers.Clone();
                for (var k = n - 1; k > 0; k--)
                {
                    var j = Math.Min(k, (int)(_random() * (k + 1)));
                    (shuffled[k], shuffled[j]) = (shuffled[j], shuffled[k]);
                }

                return shuffled;
            default:
                return _issuers;
        }
    }

    /// <summary>
    /// Issues at the first CA (in policy order) that can: see the class summary. A renewal carries
    /// RFC 9773 <c>replaces</c> when it goes to the predecessor's CA.
    /// </summary>
    /// <exception cref="AcmeManagementConfigurationException">The request has no identifiers or no key.</exception>
    /// <exception cref="AcmeIssuerPoolException">No CA issued; <see cref="AcmeIssuerPoolException.Attempts"/> says why for each.</exception>
    public async Task<PoolIssuanceResult> IssueAsync(PoolIssuanceRequest request, IReadOnlyList<IChallengeSolver> solvers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(solvers);
        if (request.Identifiers.Count == 0)
        {
            throw new AcmeManagementConfigurationException("PoolIssuanceRequest.Identifiers is empty: give at least one name.");
        }

        if (request.CertificateKey is null)
        {
            throw new AcmeManagementConfigurationException("PoolIssuanceRequest.CertificateKey is required: the caller keeps the key so that a crash orphans nothing.");
        }

        var attempts = new List<AcmeIssuerAttempt>();
        Exception? last = null;
        var ambiguous = 0;
        foreach (var issuer in OrderIssuers(request.PredecessorIssuer))
        {
            var state = _states[issuer.Name];
            var now = _time.GetUtcNow();
            DateTimeOffset? backoff;
            lock (state)
            {
                backoff = state.BackoffUntil > now ? state.BackoffUntil : null;
            }

            if (backoff is { } skipUntil)
            {
                Log.IssuerBackingOff(_logger, issuer.Name, skipUntil);
                attempts.Add(new AcmeIssuerAttempt(issuer.Name, AcmeIssuerAttemptOutcome.SkippedBackoff, $"backing off until {skipUntil:u}"));
                continue;
            }

            using var deadline = TimeProviderDelay.CreateTimeoutSource(_time, _options.AttemptTimeout);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            try
            {
                var account = await GetAccountAsync(issuer, attempt.Token).ConfigureAwait(false);
                var caaDenial = await CheckCaaAsync(issuer, account, request.Identifiers, attempt.Token).ConfigureAwait(false);
                if (caaDenial is not null)
                {
                    Log.IssuerSkippedCaa(_logger, issuer.Name, caaDenial);
                    attempts.Add(new AcmeIssuerAttempt(issuer.Name, AcmeIssuerAttemptOutcome.SkippedCaa, caaDenial));
                    continue;
                }

                var issued = await IssueAtAsync(issuer, account, request, solvers, attempt.Token).ConfigureAwait(false);
                lock (state)
                {
                    state.Failures = 0;
                    state.BackoffUntil = null;
                    state.LastError = null;
                }

                attempts.Add(new AcmeIssuerAttempt(issuer.Name, AcmeIssuerAttemptOutcome.Issued, issued.OrderUri.ToString()));
                Log.Issued(_logger, issuer.Name, issued.OrderUri);
                _metrics.Issuances.Add(1, new KeyValuePair<string, object?>("issuer", issuer.Name));
                return new PoolIssuanceResult(issuer, issued, attempts);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                var failure = ex is OperationCanceledException && deadline.IsCancellationRequested
                    ? new TimeoutException($"Issuer '{issuer.Name}' did not finish within AcmeIssuerPoolOptions.AttemptTimeout ({_options.AttemptTimeout}).", ex)
                    : ex;
                last = failure;
                var classification = AcmeFailureClassifier.Explain(failure);
                _metrics.Failovers.Add(
                    1,
                    new KeyValuePair<string, object?>("issuer", issuer.Name),
                    new KeyValuePair<string, object?>("reason", classification.Reason),
                    new KeyValuePair<string, object?>("disposition", classification.Disposition.ToString()));
                if (classification.Disposition == AcmeFailureDisposition.Stop)
                {
                    Log.IssuerFailedStop(_logger, failure, issuer.Name, classification.Reason);
                    attempts.Add(new AcmeIssuerAttempt(issuer.Name, AcmeIssuerAttemptOutcome.FailedStop, failure.Message, failure));
                    throw new AcmeIssuerPoolException(
                        $"Issuance at '{issuer.Name}' failed in a way no CA will fix ({classification.Reason}), so no other CA was tried: {failure.Message}",
                        attempts,
                        null,
                        failure);
                }

                if (failure is AcmeProblemException { Type: AcmeProblemTypes.AccountDoesNotExist })
                {
                    // The CA forgot the account (reset, or a new instance of a test CA): register the saved key again next time.
                    state.Account = null;
                }

                var until = BackOff(issuer, state, failure);
                Log.IssuerFailedNext(_logger, failure, issuer.Name, classification.Reason, until);
                attempts.Add(new AcmeIssuerAttempt(issuer.Name, AcmeIssuerAttemptOutcome.FailedTryNext, failure.Message, failure));
                if (classification.Disposition == AcmeFailureDisposition.TryOneMoreIssuer && ++ambiguous >= 2)
                {
                    throw new AcmeIssuerPoolException(
                        $"Issuance failed at two CAs in a way that may be on our side ({classification.Reason}: the CA could not validate, or never finished); check the challenge responders and DNS. "
                            + string.Join("; ", attempts.Select(a => $"{a.Issuer}: {a.Outcome} ({a.Detail})")),
                        attempts,
                        null,
                        failure);
                }
            }
        }

        var retryAt = attempts.All(a => a.Outcome == AcmeIssuerAttemptOutcome.SkippedBackoff)
            ? GetStatus().Min(s => s.BackoffUntil)
            : null;
        throw new AcmeIssuerPoolException(
            "No CA issued a certificate for " + string.Join(", ", request.Identifiers.Select(i => i.Value)) + ": "
                + string.Join("; ", attempts.Select(a => $"{a.Issuer}: {a.Outcome} ({a.Detail})")),
            attempts,
            retryAt,
            last);
    }

    /// <summary>The account at <paramref name="issuer"/>: loaded from the store, or created once (under a lease) with a key saved before the CA sees it.</summary>
    public async Task<AcmeAccount> GetAccountAsync(AcmeIssuer issuer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var state = _states[issuer.Name];
        if (state.Account is { } cached)
        {
            return cached;
        }

        await state.AccountLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (state.Account is { } again)
            {
                return again;
            }

            await CheckTermsOfServiceAsync(issuer, cancellationToken).ConfigureAwait(false);
            var key = StoreKeys.Account(issuer.Name);
            var stored = await ReadAccountAsync(key, issuer, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                var lease = await StoreLeases.AcquireAsync(_store, "account-" + issuer.Name, _owner, _options.AccountLeaseDuration, TimeSpan.FromMilliseconds(200), _time, cancellationToken).ConfigureAwait(false);
                try
                {
                    stored = await ReadAccountAsync(key, issuer, cancellationToken).ConfigureAwait(false);
                    if (stored is null)
                    {
                        // The key is saved before the CA hears of it: a crash now leaves a key that the next start registers.
                        using var fresh = AcmeKey.Create(issuer.Options.AccountKeyAlgorithm);
                        stored = new StoredAccount { Directory = issuer.Options.DirectoryUri!.AbsoluteUri, KeyPem = fresh.ExportPkcs8Pem() };
                        if (!await lease.TryWriteAsync(key, JsonSerializer.SerializeToUtf8Bytes(stored, StoreJsonContext.Default.StoredAccount), isSecret: true, cancellationToken).ConfigureAwait(false))
                        {
                            throw new CertificateStoreException($"The account lease for issuer '{issuer.Name}' was lost before its key could be saved; try again.");
                        }
                    }
                }
                finally
                {
                    await StoreLeases.ReleaseQuietlyAsync(lease).ConfigureAwait(false);
                }
            }

            var accountKey = AcmeKey.ImportPem(stored.KeyPem);
            var request = new AcmeNewAccountRequest
            {
                Contacts = [.. issuer.Options.Contacts],
                TermsOfServiceAgreed = issuer.Options.TermsOfServiceAgreed,
                ExternalAccountBinding = issuer.Options.EabKeyId is { } kid && issuer.Options.EabMacKey is { } mac ? new AcmeExternalAccountBinding(kid, mac) : null,
            };

            // newAccount with a known key returns the existing account (RFC 8555 section 7.3.1).
            var account = await issuer.Client.CreateAccountAsync(accountKey, request, cancellationToken).ConfigureAwait(false);
            if (stored.Location != account.Location.AbsoluteUri)
            {
                stored = stored with { Location = account.Location.AbsoluteUri };
                await _store.WriteAsync(key, JsonSerializer.SerializeToUtf8Bytes(stored, StoreJsonContext.Default.StoredAccount), isSecret: true, cancellationToken).ConfigureAwait(false);
            }

            Log.AccountReady(_logger, issuer.Name, account.Location);
            state.Account = account;
            return account;
        }
        finally
        {
            state.AccountLock.Release();
        }
    }

    /// <summary>
    /// A CA without terms of service needs no agreement, so <see cref="AcmeIssuerOptions.Validate"/>
    /// cannot refuse false; a CA with terms (its directory's <c>meta.termsOfService</c>) would refuse
    /// the account with <c>agreementRequired</c>. Said here, before the CA is asked, as a
    /// configuration error that stops the pool rather than a CA failure that backs the CA off.
    /// </summary>
    private static async Task CheckTermsOfServiceAsync(AcmeIssuer issuer, CancellationToken cancellationToken)
    {
        if (issuer.Options.TermsOfServiceAgreed)
        {
            return;
        }

        var directory = await issuer.Client.GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        if (directory.Meta?.TermsOfService is { } terms)
        {
            throw new AcmeManagementConfigurationException(
                $"Issuer '{issuer.Name}': the CA's terms of service at {terms} must be read and agreed to by setting AcmeIssuerOptions.TermsOfServiceAgreed = true.");
        }
    }

    private async Task<StoredAccount?> ReadAccountAsync(string key, AcmeIssuer issuer, CancellationToken cancellationToken)
    {
        var bytes = await _store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        var stored = StoreJson.Deserialize(bytes, StoreJsonContext.Default.StoredAccount, key);
        return string.Equals(stored.Directory, issuer.Options.DirectoryUri!.AbsoluteUri, StringComparison.Ordinal) ? stored : null;
    }

    private async Task<string?> CheckCaaAsync(AcmeIssuer issuer, AcmeAccount account, IReadOnlyList<AcmeIdentifier> identifiers, CancellationToken cancellationToken)
    {
        if (_caa is null || !_options.CheckCaa)
        {
            return null;
        }

        IReadOnlyList<string> identities = [.. issuer.Options.CaaIdentities];
        if (identities.Count == 0)
        {
            var directory = await issuer.Client.GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
            identities = directory.Meta?.CaaIdentities ?? [];
        }

        if (identities.Count == 0)
        {
            return null; // the CA does not say who it is in CAA terms: nothing to check
        }

        foreach (var identifier in identifiers.Where(i => i.Type == AcmeIdentifier.DnsType))
        {
            var decision = await _caa.EvaluateAsync(new CaaCheck(CaaIdentifier.Parse(identifier.Value), identities, account.Location), cancellationToken).ConfigureAwait(false);
            if (decision.Verdict == CaaVerdict.Denied)
            {
                return $"CAA for {identifier.Value} does not permit {string.Join("/", identities)}: {decision.Explanation}";
            }

            if (decision.Verdict == CaaVerdict.Indeterminate)
            {
                // Fail open here: the CA checks CAA itself and refuses with 'caa', which moves on.
                Log.CaaIndeterminate(_logger, issuer.Name, identifier.Value, decision.Explanation);
            }
        }

        return null;
    }

    private async Task<AcmeIssuedCertificate> IssueAtAsync(AcmeIssuer issuer, AcmeAccount account, PoolIssuanceRequest request, IReadOnlyList<IChallengeSolver> solvers, CancellationToken cancellationToken)
    {
        // The order URL is recorded before any challenge is presented (and before finalization, also
        // when every authorization is reused), so a crash at any later point leaves a resumable record.
        var orderCreated = request.OrderCreated;
        var acmeRequest = new AcmeIssuanceRequest
        {
            Identifiers = request.Identifiers,
            CertificateKey = request.CertificateKey,
            PreferredChain = issuer.Options.PreferredChain,
            Profile = issuer.Options.Profile,
            OrderCreated = orderCreated is null ? null : (order, ct) => orderCreated(issuer, order.Location, ct),
        };
        // The section 7.1 flow (and the RFC 9773 replaces retry) is the porcelain's; the pool only chooses the CA.
        var flow = new AcmeCertificateIssuer(issuer.Client);
        if (request.Predecessor is { } predecessor)
        {
            var predecessorDirectory = FindIssuer(request.PredecessorIssuer)?.Options.DirectoryUri;
            return await AriRenewal.IssueRenewalAsync(flow, account, acmeRequest, solvers, predecessor, predecessorDirectory, cancellationToken).ConfigureAwait(false);
        }

        return await flow.IssueAsync(account, acmeRequest, solvers, cancellationToken).ConfigureAwait(false);
    }

    private DateTimeOffset BackOff(AcmeIssuer issuer, IssuerState state, Exception failure)
    {
        DateTimeOffset until;
        lock (state)
        {
            state.Failures++;
            var factor = Math.Pow(2, Math.Min(30, state.Failures - 1));
            var delay = TimeSpan.FromTicks((long)Math.Min(_options.MaxBackoff.Ticks, _options.InitialBackoff.Ticks * factor));

            // A CA that said when to come back (Retry-After on rateLimited or 503) is left alone at least that long.
            if (failure is AcmeProblemException { RetryAfter: { } retryAfter } && retryAfter > delay)
            {
                delay = retryAfter < _options.MaxBackoff ? retryAfter : _options.MaxBackoff;
            }

            until = _time.GetUtcNow() + delay;
            state.BackoffUntil = until;
            state.LastError = failure.Message;
        }

        _metrics.Backoffs.Add(1, new KeyValuePair<string, object?>("scope", "issuer"), new KeyValuePair<string, object?>("name", issuer.Name));
        return until;
    }

    /// <summary>The default uniform source in [0, 1): thread-safe, from the system's random number generator.</summary>
    private static double CreateRandomSample() => RandomNumberGenerator.GetInt32(int.MaxValue) / (double)int.MaxValue;

    private sealed class IssuerState
    {
        public SemaphoreSlim AccountLock { get; } = new(1, 1);

        public AcmeAccount? Account { get; set; }

        public int Failures { get; set; }

        public DateTimeOffset? BackoffUntil { get; set; }

        public string? LastError { get; set; }
    }
}

internal static class StoreLeases
{
    /// <summary>Waits until the lease is free (polling), then holds it.</summary>
    public static async Task<ICertificateStoreLease> AcquireAsync(ICertificateStore store, string name, string owner, TimeSpan duration, TimeSpan pollInterval, TimeProvider time, CancellationToken cancellationToken)
    {
        while (true)
        {
            var lease = await store.TryAcquireLeaseAsync(name, owner, duration, cancellationToken).ConfigureAwait(false);
            if (lease is not null)
            {
                return lease;
            }

            await Task.Delay(pollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Releases a lease; a store error is swallowed, since the lease then expires by itself and must not replace the caller's outcome.</summary>
    public static async Task ReleaseQuietlyAsync(ICertificateStoreLease lease)
    {
        try
        {
            await lease.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (CertificateStoreException)
        {
            // It expires.
        }
    }

    public static string Format(DateTimeOffset value) => value.ToString("u", CultureInfo.InvariantCulture);
}
