namespace Pki.Ari;

/// <summary>Polling behaviour of <see cref="RenewalInfoClient"/> (RFC 9773 section 4.3).</summary>
public sealed class RenewalInfoOptions
{
    /// <summary>The smallest Retry-After honoured (default 1 minute); shorter ones are raised to it.</summary>
    public TimeSpan MinRetryAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The largest Retry-After honoured (default 1 day); longer ones are lowered to it.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>When to ask again after a valid answer without Retry-After (default 6 hours).</summary>
    public TimeSpan DefaultPollInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>The first backoff after a transient failure (default 1 minute); it doubles per consecutive failure.</summary>
    public TimeSpan TransientBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The cap of the transient backoff (default 1 hour).</summary>
    public TimeSpan MaxTransientBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>When to ask again after a long-term failure or an invalid answer (default 6 hours).</summary>
    public TimeSpan LongTermRetry { get; set; } = TimeSpan.FromHours(6);

    /// <summary>The largest renewalInfo body read (default 64 KiB).</summary>
    public int MaxResponseBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// The deadline of one renewalInfo request as a whole (default 30 s): connecting, the headers
    /// and the whole body. Unlike <see cref="HttpClient.Timeout"/>, which stops at the headers, it
    /// also ends a body that stalls or trickles; the request then counts as a transient failure.
    /// The timer runs on the client's TimeProvider.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks the options; the client's constructor calls it.</summary>
    /// <exception cref="AriException">A value cannot work; the message names it.</exception>
    public void Validate()
    {
        if (MinRetryAfter <= TimeSpan.Zero || MaxRetryAfter < MinRetryAfter)
        {
            throw new AriException($"RenewalInfoOptions: MinRetryAfter ({MinRetryAfter}) must be positive and not above MaxRetryAfter ({MaxRetryAfter}).");
        }

        if (DefaultPollInterval <= TimeSpan.Zero || LongTermRetry <= TimeSpan.Zero)
        {
            throw new AriException("RenewalInfoOptions: DefaultPollInterval and LongTermRetry must be positive.");
        }

        if (TransientBackoff <= TimeSpan.Zero || MaxTransientBackoff < TransientBackoff)
        {
            throw new AriException($"RenewalInfoOptions: TransientBackoff ({TransientBackoff}) must be positive and not above MaxTransientBackoff ({MaxTransientBackoff}).");
        }

        if (MaxResponseBytes < 1024)
        {
            throw new AriException($"RenewalInfoOptions: MaxResponseBytes must be at least 1024; it is {MaxResponseBytes}.");
        }

        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout > TimeSpan.FromMinutes(10))
        {
            throw new AriException($"RenewalInfoOptions: RequestTimeout must be positive and at most 00:10:00; it is {RequestTimeout}.");
        }
    }
}
