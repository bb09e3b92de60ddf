using System.Text.Json.Serialization;

namespace Pki.Ari;

/// <summary>A suggested renewal window (RFC 9773 section 4.2): renew at some time in [Start, End].</summary>
/// <param name="Start">The window's start.</param>
/// <param name="End">The window's end (after <paramref name="Start"/>).</param>
public readonly record struct RenewalWindow(DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary><see cref="End"/> minus <see cref="Start"/>: the span the planner picks a random renewal time in.</summary>
    public TimeSpan Length => End - Start;
}

/// <summary>How a renewalInfo request went.</summary>
public enum RenewalInfoStatus
{
    /// <summary>A valid window was returned.</summary>
    Ok,

    /// <summary>The server answered, but the answer is not a valid renewalInfo object (bad JSON, wrong types, end not after start): counts as no answer.</summary>
    Invalid,

    /// <summary>A failure worth retrying soon with backoff (network error, timeout, 5xx, 429).</summary>
    TransientFailure,

    /// <summary>A failure not expected to go away soon (e.g. 404, other 4xx): retry after the long-term interval.</summary>
    LongTermFailure,
}

/// <summary>The outcome of one renewalInfo request; never thrown, so a renewal decision can always fall back.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Window">The suggested window when <see cref="RenewalInfoStatus.Ok"/>.</param>
/// <param name="ExplanationUrl">The CA's explanation, when it gave one.</param>
/// <param name="NextPollAt">When to ask again (Retry-After clamped, or the backoff / long-term interval).</param>
/// <param name="Problem">Why it was not <see cref="RenewalInfoStatus.Ok"/>.</param>
public sealed record RenewalInfoResult(RenewalInfoStatus Status, RenewalWindow? Window, Uri? ExplanationUrl, DateTimeOffset NextPollAt, string? Problem);

internal sealed record RenewalInfoWire
{
    [JsonPropertyName("suggestedWindow")]
    public SuggestedWindowWire? SuggestedWindow { get; init; }

    [JsonPropertyName("explanationURL")]
    public string? ExplanationUrl { get; init; }
}

internal sealed record SuggestedWindowWire
{
    [JsonPropertyName("start")]
    public DateTimeOffset? Start { get; init; }

    [JsonPropertyName("end")]
    public DateTimeOffset? End { get; init; }
}

[JsonSerializable(typeof(RenewalInfoWire))]
internal sealed partial class AriJsonContext : JsonSerializerContext
{
}
