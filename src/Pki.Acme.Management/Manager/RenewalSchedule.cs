using Microsoft.Extensions.Logging;
using Pki.Ari;

namespace Pki.Acme.Management;

/// <summary>
/// When a <see cref="CertificateManager"/> acts on each certificate: whether it is due (the CA's ARI
/// window through its <see cref="RenewalPlanner"/>, else the fallback share of the lifetime), the
/// per-certificate backoff after failures (<see cref="CertificateManagerOptions.MinAttemptInterval"/>
/// doubling up to <see cref="CertificateManagerOptions.MaxAttemptBackoff"/>), and passes over all
/// certificates with bounded parallelism. Every clock reading comes from the given <see cref="TimeProvider"/>.
/// </summary>
internal sealed class RenewalSchedule(AcmeIssuerPool pool, CertificateManagerOptions options, TimeProvider time, ILogger logger, ManagementMetrics metrics)
{
    /// <summary>
    /// Runs <paramref name="check"/> for every entry, at most <see cref="CertificateManagerOptions.MaxConcurrentRenewals"/>
    /// at once, and returns the earliest time any of them wants attention (at most <see cref="CertificateManagerOptions.MaxCheckInterval"/> away).
    /// </summary>
    public async Task<DateTimeOffset> RunPassAsync(IEnumerable<CertificateEntry> entries, Func<CertificateEntry, CancellationToken, Task<DateTimeOffset>> check, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(options.MaxConcurrentRenewals, options.MaxConcurrentRenewals);
        var passes = entries.Select(async entry =>
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await check(entry, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        });
        var times = await Task.WhenAll(passes).ConfigureAwait(false);
        var next = time.GetUtcNow() + options.MaxCheckInterval;
        foreach (var at in times)
        {
            if (at < next)
            {
                next = at;
            }
        }

        return next;
    }

    /// <summary>When <paramref name="entry"/> needs attention after a pass: its renewal time, its next allowed attempt, or the next look in the store.</summary>
    public DateTimeOffset NextCheck(CertificateEntry entry)
    {
        var now = time.GetUtcNow();
        var notBefore = entry.NextAttemptAt ?? DateTimeOffset.MinValue;
        if (entry.Current is null || entry.RenewAt is not { } renewAt || renewAt <= now)
        {
            // Missing or due, and not attempted now: look in the store (another instance may have
            // stored one) every StorePollInterval until the next attempt may run.
            var look = now + options.StorePollInterval;
            return notBefore > now && notBefore < look ? notBefore : look;
        }

        return renewAt > notBefore ? renewAt : notBefore;
    }

    /// <summary>True (with the time) while failed attempts at <paramref name="entry"/> are backing off.</summary>
    public bool IsBackingOff(CertificateEntry entry, out DateTimeOffset notBefore)
    {
        notBefore = entry.NextAttemptAt ?? DateTimeOffset.MinValue;
        return entry.NextAttemptAt is not null && notBefore > time.GetUtcNow();
    }

    /// <summary>
    /// Whether <paramref name="current"/> is due now; records the renewal time and its explanation on
    /// <paramref name="entry"/>. A CA that cannot be reached for renewal information is planned without.
    /// </summary>
    public async Task<bool> IsDueAsync(CertificateEntry entry, ManagedCertificate current, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!current.Identifiers.SequenceEqual(entry.Options.Identifiers, StringComparer.OrdinalIgnoreCase))
        {
            entry.RenewAt = now;
            entry.RenewalExplanation = "The configured identifiers changed: renew now.";
            return true;
        }

        RenewalPlan? plan = null;
        if (pool.FindIssuer(current.Issuer) is { Planner: { } planner } issuer)
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
            entry.RenewAt = planned;
            entry.RenewalExplanation = plan.Explanation;
        }
        else
        {
            var lifetime = current.NotAfter - current.NotBefore;
            var at = current.NotAfter - TimeSpan.FromTicks((long)(lifetime.Ticks * options.FallbackRemainingLifetimeFraction));
            entry.RenewAt = at;
            entry.RenewalExplanation = $"Renew when {options.FallbackRemainingLifetimeFraction:P0} of the lifetime remains, at {at:u}.";
        }

        if (entry.Options.RenewBefore is { } before && current.NotAfter - before < entry.RenewAt)
        {
            entry.RenewAt = current.NotAfter - before;
            entry.RenewalExplanation = $"Renew {before} before expiry (ManagedCertificateOptions.RenewBefore), at {entry.RenewAt:u}; without it: {entry.RenewalExplanation}";
        }

        // The planner answers "now" as its own clock reading, taken after ours: compare with a fresh one.
        return entry.RenewAt <= time.GetUtcNow();
    }

    /// <summary>A productive attempt: failures are over, and the next attempt waits <see cref="CertificateManagerOptions.MinAttemptInterval"/>.</summary>
    public void Succeeded(CertificateEntry entry)
    {
        ClearFailures(entry);
        entry.NextAttemptAt = time.GetUtcNow() + options.MinAttemptInterval;
    }

    /// <summary>A failed or unproductive attempt: the next one waits twice as long as the last, up to <see cref="CertificateManagerOptions.MaxAttemptBackoff"/>.</summary>
    public void Backoff(CertificateEntry entry, string error, Exception? exception = null)
    {
        entry.Failures++;
        var factor = Math.Pow(2, Math.Min(30, entry.Failures - 1));
        var wait = TimeSpan.FromTicks((long)Math.Min(options.MaxAttemptBackoff.Ticks, options.MinAttemptInterval.Ticks * factor));
        entry.NextAttemptAt = time.GetUtcNow() + wait;
        entry.LastError = error;
        entry.LastErrorAt = time.GetUtcNow();
        entry.LastException = exception;
        metrics.Backoffs.Add(1, new KeyValuePair<string, object?>("scope", "certificate"), new KeyValuePair<string, object?>("name", entry.Name));
        Log.CertificateBackoff(logger, entry.Name, entry.Failures, entry.NextAttemptAt.Value);
        if (exception is not null)
        {
            Log.CertificateFailed(logger, exception, entry.Name);
        }
    }

    /// <summary>A certificate that is valid and not due is being served, whoever issued it: this instance's failures are over.</summary>
    public static void ClearFailures(CertificateEntry entry)
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

    /// <summary>A failure that does not change the backoff (a lost lease, a store read): recorded and logged.</summary>
    public void RecordError(CertificateEntry entry, Exception ex)
    {
        entry.LastError = ex.Message;
        entry.LastErrorAt = time.GetUtcNow();
        entry.LastException = ex;
        Log.CertificateFailed(logger, ex, entry.Name);
    }
}
