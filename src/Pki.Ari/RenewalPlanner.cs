using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace Pki.Ari;

/// <summary>Why a renewal time was chosen.</summary>
public enum RenewalReason
{
    /// <summary>A random time inside the CA's suggested window (RFC 9773 section 4.2).</summary>
    AriWindow,

    /// <summary>The CA's window has already ended: renew now.</summary>
    AriWindowPassed,

    /// <summary>No usable ARI (no <c>renewalInfo</c> in the directory, or no valid answer): the fallback share of the lifetime.</summary>
    Fallback,

    /// <summary>The certificate has expired: renew now; ARI is not asked.</summary>
    Expired,

    /// <summary>The certificate was already replaced: nothing to renew; ARI is not asked.</summary>
    Replaced,
}

/// <summary>A certificate the planner watches.</summary>
/// <param name="Certificate">The certificate.</param>
/// <param name="RenewalInfoUrl">The issuing CA's <c>renewalInfo</c> URL, or null when its directory has none.</param>
/// <param name="Replaced">True once a successor was issued (then it is neither renewed nor polled).</param>
public sealed record TrackedCertificate(X509Certificate2 Certificate, Uri? RenewalInfoUrl, bool Replaced = false);

/// <summary>The planner's answer for one certificate.</summary>
public sealed record RenewalPlan
{
    /// <summary>The certificate's CertID (null when it has none: no Authority Key Identifier).</summary>
    public AriCertId? CertId { get; init; }

    /// <summary>The certificate's subject, for display.</summary>
    public string Subject { get; init; } = string.Empty;

    /// <summary>When to renew; null when the certificate was replaced and needs no renewal.</summary>
    public DateTimeOffset? RenewAt { get; init; }

    /// <summary>Why this time was chosen: the CA's window, a passed window, the fallback, or no renewal (expired, replaced).</summary>
    public RenewalReason Reason { get; init; }

    /// <summary>The CA's suggested window, when ARI answered.</summary>
    public RenewalWindow? Window { get; init; }

    /// <summary>The CA's explanation URL, when it gave one (e.g. for an incident).</summary>
    public Uri? ExplanationUrl { get; init; }

    /// <summary>When ARI may be asked again (per Retry-After or the backoff); null when it is not to be asked.</summary>
    public DateTimeOffset? NextPollAt { get; init; }

    /// <summary>Why ARI was not used, when it was not.</summary>
    public string? AriProblem { get; init; }

    /// <summary>A readable sentence with the reason.</summary>
    public string Explanation { get; init; } = string.Empty;

    /// <summary>True when <see cref="RenewAt"/> has come at <paramref name="now"/>.</summary>
    public bool IsDue(DateTimeOffset now) => RenewAt is { } at && at <= now;
}

/// <summary>Settings of a <see cref="RenewalPlanner"/>.</summary>
public sealed class RenewalPlannerOptions
{
    /// <summary>Without ARI, renew when this share of the lifetime remains (default one third).</summary>
    public double FallbackRemainingLifetimeFraction { get; set; } = 1.0 / 3.0;

    /// <summary>
    /// The share of the end of the CA's window that the chosen renewal time keeps clear (default 0.1): the time is
    /// uniformly random in the first <c>1 - AriWindowEndReserve</c> of the window, so that the issuance itself and
    /// a retry or two after a failure still finish inside it. RFC 9773 section 4.2 recommends a uniform time in the
    /// window; with 0 the last renewals of a mass renewal start moments before the end and finish after it.
    /// </summary>
    public double AriWindowEndReserve { get; set; } = 0.1;

    /// <summary>Checks the options; the planner's constructor calls it.</summary>
    /// <exception cref="AriException">A fraction is out of its range; the message names it.</exception>
    public void Validate()
    {
        if (!(FallbackRemainingLifetimeFraction > 0 && FallbackRemainingLifetimeFraction < 1))
        {
            throw new AriException($"RenewalPlannerOptions.FallbackRemainingLifetimeFraction must be between 0 and 1 (exclusive); it is {FallbackRemainingLifetimeFraction}.");
        }

        if (!(AriWindowEndReserve >= 0 && AriWindowEndReserve < 1))
        {
            throw new AriException($"RenewalPlannerOptions.AriWindowEndReserve must be at least 0 and below 1; it is {AriWindowEndReserve}.");
        }
    }
}

/// <summary>
/// Says when each certificate should be renewed and why. With ARI, the time is uniformly random
/// inside the CA's window, chosen once per window and kept (RFC 9773 section 4.2); ARI is asked
/// again only when Retry-After (clamped) or the failure backoff allows; an expired or replaced
/// certificate is never polled. Without ARI, the fallback applies. Thread-safe.
/// </summary>
public sealed class RenewalPlanner
{
    private readonly RenewalInfoClient _client;
    private readonly RenewalPlannerOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<double> _random;
    private readonly ConcurrentDictionary<string, State> _states = new(StringComparer.Ordinal);

    /// <summary>Creates the planner over <paramref name="client"/> (which stays the caller's); thread-safe, one per process is enough.</summary>
    /// <param name="client">Fetches renewal information.</param>
    /// <param name="options">Fallback settings.</param>
    /// <param name="timeProvider">The clock (tests pass a fake one).</param>
    /// <param name="random">A uniform source in [0, 1) (tests pass a seeded one); a shared System.Random when null.</param>
    public RenewalPlanner(RenewalInfoClient client, RenewalPlannerOptions? options = null, TimeProvider? timeProvider = null, Func<double>? random = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new RenewalPlannerOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _random = random ?? CreateSharedRandom();
    }

    private static Func<double> CreateSharedRandom()
    {
#if NET8_0_OR_GREATER
        return Random.Shared.NextDouble;
#else
        var random = new Random();
        return () =>
        {
            lock (random)
            {
                return random.NextDouble();
            }
        };
#endif
    }

    /// <summary>Plans every certificate (ARI requests run concurrently).</summary>
    public async Task<IReadOnlyList<RenewalPlan>> PlanAsync(IEnumerable<TrackedCertificate> certificates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        return await Task.WhenAll(certificates.Select(c => PlanAsync(c, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>Plans one certificate, asking ARI only when it is allowed to.</summary>
    public async Task<RenewalPlan> PlanAsync(TrackedCertificate tracked, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tracked);
        var certificate = tracked.Certificate;
        var now = _time.GetUtcNow();
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        AriCertId? certId = null;
        string? certIdProblem = null;
        try
        {
            certId = AriCertId.FromCertificate(certificate);
        }
        catch (AriException ex)
        {
            certIdProblem = ex.Message;
        }

        var basePlan = new RenewalPlan { CertId = certId, Subject = certificate.Subject };
        if (tracked.Replaced)
        {
            return basePlan with { Reason = RenewalReason.Replaced, Explanation = "Already replaced by a newer certificate: no renewal, no ARI polling." };
        }

        if (now >= notAfter)
        {
            return basePlan with { RenewAt = now, Reason = RenewalReason.Expired, Explanation = $"Expired at {notAfter:u}: renew now (ARI is not asked for expired certificates)." };
        }

        if (tracked.RenewalInfoUrl is null || certId is null)
        {
            var why = certId is null ? certIdProblem! : "The CA's directory has no renewalInfo URL.";
            return Fallback(basePlan, notBefore, notAfter, why, nextPoll: null);
        }

        var state = _states.GetOrAdd(certId.Value, _ => new State());
        await state.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (state.NextPollAt is null || now >= state.NextPollAt)
            {
                var result = await _client.GetAsync(tracked.RenewalInfoUrl, certId, state.TransientFailures, cancellationToken).ConfigureAwait(false);
                state.NextPollAt = result.NextPollAt;
                state.TransientFailures = result.Status == RenewalInfoStatus.TransientFailure ? state.TransientFailures + 1 : 0;
                state.LastResult = result;
                if (result is { Status: RenewalInfoStatus.Ok, Window: { } window } && window != state.Window)
                {
                    // A new (or first) window: choose the time once, uniformly at random inside it (less the end reserve).
                    state.Window = window;
                    state.ChosenTime = Pick(window, _random(), _options.AriWindowEndReserve);
                }
            }

            var last = state.LastResult!;
            if (last.Status != RenewalInfoStatus.Ok || state.Window is null || state.ChosenTime is null)
            {
                return Fallback(basePlan, notBefore, notAfter, $"No usable renewalInfo ({last.Status}): {last.Problem}", state.NextPollAt);
            }

            var windowNow = state.Window.Value;
            var plan = basePlan with { Window = windowNow, ExplanationUrl = last.ExplanationUrl, NextPollAt = state.NextPollAt };
            if (windowNow.End <= now)
            {
                return plan with { RenewAt = now, Reason = RenewalReason.AriWindowPassed, Explanation = $"The CA's window {windowNow.Start:u} - {windowNow.End:u} has passed: renew now." + Explain(last.ExplanationUrl) };
            }

            var at = state.ChosenTime.Value < now ? now : state.ChosenTime.Value;
            return plan with { RenewAt = at, Reason = RenewalReason.AriWindow, Explanation = $"Random time {at:u} inside the CA's window {windowNow.Start:u} - {windowNow.End:u}." + Explain(last.ExplanationUrl) };
        }
        finally
        {
            state.Lock.Release();
        }
    }

    /// <summary>
    /// The uniformly random time inside <paramref name="window"/> for a uniform sample <paramref name="sample"/> in
    /// [0, 1), leaving the last <paramref name="endReserve"/> of the window clear (see
    /// <see cref="RenewalPlannerOptions.AriWindowEndReserve"/>); <paramref name="now"/> when that time or the whole
    /// window has passed.
    /// </summary>
    public static DateTimeOffset ChooseTime(RenewalWindow window, double sample, DateTimeOffset now, double endReserve = 0)
    {
        if (sample is < 0 or >= 1 || double.IsNaN(sample))
        {
            throw new ArgumentOutOfRangeException(nameof(sample), sample, "The sample must be in [0, 1).");
        }

        if (!(endReserve >= 0 && endReserve < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(endReserve), endReserve, "The end reserve must be in [0, 1).");
        }

        if (window.End <= now)
        {
            return now;
        }

        var at = Pick(window, sample, endReserve);
        return at < now ? now : at;
    }

    private static DateTimeOffset Pick(RenewalWindow window, double sample, double endReserve) =>
        window.Start + TimeSpan.FromTicks((long)(window.Length.Ticks * (1 - endReserve) * sample));

    private RenewalPlan Fallback(RenewalPlan plan, DateTimeOffset notBefore, DateTimeOffset notAfter, string why, DateTimeOffset? nextPoll)
    {
        var lifetime = notAfter - notBefore;
        var at = notAfter - TimeSpan.FromTicks((long)(lifetime.Ticks * _options.FallbackRemainingLifetimeFraction));
        var now = _time.GetUtcNow();
        return plan with
        {
            RenewAt = at < now ? now : at,
            Reason = RenewalReason.Fallback,
            NextPollAt = nextPoll,
            AriProblem = why,
            Explanation = $"{why} Fallback: renew when {_options.FallbackRemainingLifetimeFraction:P0} of the lifetime remains, at {at:u}.",
        };
    }

    private static string Explain(Uri? url) => url is null ? string.Empty : $" The CA explains: {url}";

    private sealed class State
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public DateTimeOffset? NextPollAt { get; set; }

        public int TransientFailures { get; set; }

        public RenewalInfoResult? LastResult { get; set; }

        public RenewalWindow? Window { get; set; }

        public DateTimeOffset? ChosenTime { get; set; }
    }
}
