using System.Globalization;

namespace Pki.TestSupport;

/// <summary>What a <see cref="FaultProxy"/> does to a connection.</summary>
public enum FaultKind
{
    /// <summary>Forward both ways untouched (TLS passes through).</summary>
    Pass,

    /// <summary>Forward the first <see cref="Fault.Bytes"/> bytes from the server, then stop forwarding and hold the connection open.</summary>
    StallAfter,

    /// <summary>Plain HTTP only: forward the server's bytes through the end of the response headers (and <see cref="Fault.Bytes"/> body bytes), then stall.</summary>
    StallAfterHeaders,

    /// <summary>Forward the server's bytes <see cref="Fault.ChunkBytes"/> at a time, one chunk per <see cref="Fault.Interval"/>.</summary>
    Trickle,

    /// <summary>Accept, then reset the connection (RST: linger 0 and close).</summary>
    Reset,

    /// <summary>Accept and never answer, never close.</summary>
    BlackHole,

    /// <summary>Plain HTTP only: read the request and answer it with a canned response (e.g. 503 or 429 with Retry-After), then close.</summary>
    HttpResponse,

    /// <summary>Pick one of <see cref="Fault.Choices"/> per new connection with a seeded random generator.</summary>
    Random,
}

/// <summary>
/// One fault a <see cref="FaultProxy"/> applies; immutable, built with the static members
/// (<see cref="Pass"/>, <see cref="StallAfter"/>, <see cref="Trickle"/>, <see cref="Reset"/>,
/// <see cref="BlackHole"/>, <see cref="HttpResponse"/>, <see cref="Random"/>...).
/// </summary>
public sealed class Fault
{
    private Fault(FaultKind kind) => Kind = kind;

    /// <summary>Forward untouched.</summary>
    public static Fault Pass { get; } = new(FaultKind.Pass);

    /// <summary>Accept, then send RST.</summary>
    public static Fault Reset { get; } = new(FaultKind.Reset);

    /// <summary>Accept and never answer, never close.</summary>
    public static Fault BlackHole { get; } = new(FaultKind.BlackHole);

    /// <summary>The kind of fault.</summary>
    public FaultKind Kind { get; }

    /// <summary><see cref="FaultKind.StallAfter"/>: server bytes forwarded before the stall; <see cref="FaultKind.StallAfterHeaders"/>: body bytes forwarded after the headers.</summary>
    public long Bytes { get; private init; }

    /// <summary><see cref="FaultKind.Trickle"/>: bytes per chunk.</summary>
    public int ChunkBytes { get; private init; }

    /// <summary><see cref="FaultKind.Trickle"/>: the pause after each chunk.</summary>
    public TimeSpan Interval { get; private init; }

    /// <summary><see cref="FaultKind.HttpResponse"/>: the status code.</summary>
    public int StatusCode { get; private init; }

    /// <summary><see cref="FaultKind.HttpResponse"/>: the Retry-After header value as sent (seconds or an HTTP date), or none.</summary>
    public string? RetryAfter { get; private init; }

    /// <summary><see cref="FaultKind.HttpResponse"/>: the body.</summary>
    public string Body { get; private init; } = string.Empty;

    /// <summary><see cref="FaultKind.HttpResponse"/>: the Content-Type of the body.</summary>
    public string ContentType { get; private init; } = string.Empty;

    /// <summary><see cref="FaultKind.Random"/>: the seed of the generator.</summary>
    public int Seed { get; private init; }

    /// <summary><see cref="FaultKind.Random"/>: the faults to pick from, with their weights.</summary>
    public IReadOnlyList<(Fault Fault, double Weight)> Choices { get; private init; } = [];

    /// <summary>Forward <paramref name="bytes"/> bytes from the server (TLS records included), then stall: a response that stops mid-way.</summary>
    public static Fault StallAfter(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return new Fault(FaultKind.StallAfter) { Bytes = bytes };
    }

    /// <summary>Plain HTTP: forward the response headers and <paramref name="bodyBytes"/> body bytes, then stall (the body never completes).</summary>
    public static Fault StallAfterHeaders(long bodyBytes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bodyBytes);
        return new Fault(FaultKind.StallAfterHeaders) { Bytes = bodyBytes };
    }

    /// <summary>Forward the server's bytes <paramref name="chunkBytes"/> at a time with <paramref name="interval"/> (default 200 ms) between chunks.</summary>
    public static Fault Trickle(int chunkBytes = 1, TimeSpan? interval = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkBytes);
        var pause = interval ?? TimeSpan.FromMilliseconds(200);
        ArgumentOutOfRangeException.ThrowIfLessThan(pause, TimeSpan.Zero, nameof(interval));
        return new Fault(FaultKind.Trickle) { ChunkBytes = chunkBytes, Interval = pause };
    }

    /// <summary>Plain HTTP: answer every request with <paramref name="statusCode"/>, an optional Retry-After and a body, then close the connection.</summary>
    public static Fault HttpResponse(int statusCode, string? retryAfter = null, string? body = null, string contentType = "application/problem+json")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        ArgumentNullException.ThrowIfNull(contentType);
        return new Fault(FaultKind.HttpResponse)
        {
            StatusCode = statusCode,
            RetryAfter = retryAfter,
            Body = body ?? $$"""{"type":"about:blank","detail":"injected by FaultProxy","status":{{statusCode.ToString(CultureInfo.InvariantCulture)}}}""",
            ContentType = contentType,
        };
    }

    /// <summary>For a chaos run: each new connection gets one of <paramref name="choices"/>, drawn with the given weights by a generator seeded with <paramref name="seed"/>.</summary>
    public static Fault Random(int seed, params (Fault Fault, double Weight)[] choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        if (choices.Length == 0 || choices.Any(c => c.Fault is null || c.Fault.Kind == FaultKind.Random || !(c.Weight >= 0)) || choices.Sum(c => c.Weight) <= 0)
        {
            throw new ArgumentException("Give at least one non-random fault, weights not negative and not all zero.", nameof(choices));
        }

        return new Fault(FaultKind.Random) { Seed = seed, Choices = choices };
    }

    /// <summary>A short description, e.g. <c>StallAfter(200)</c>.</summary>
    public override string ToString() => Kind switch
    {
        FaultKind.StallAfter or FaultKind.StallAfterHeaders => $"{Kind}({Bytes})",
        FaultKind.Trickle => $"Trickle({ChunkBytes} B / {Interval.TotalMilliseconds} ms)",
        FaultKind.HttpResponse => $"HttpResponse({StatusCode}{(RetryAfter is null ? string.Empty : ", Retry-After: " + RetryAfter)})",
        FaultKind.Random => $"Random(seed {Seed}: {string.Join(", ", Choices.Select(c => $"{c.Fault} x{c.Weight}"))})",
        _ => Kind.ToString(),
    };
}
