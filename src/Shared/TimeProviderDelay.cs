namespace Pki.Shared;

/// <summary>
/// <see cref="TimeProvider"/> timeouts on every target framework (netstandard2.1 takes them from
/// Microsoft.Bcl.TimeProvider; waits use <c>Task.Delay(delay, timeProvider, token)</c>, polyfilled there).
/// Source shared by the packages that wait (linked, not a package).
/// </summary>
internal static class TimeProviderDelay
{
    /// <summary>A source that cancels itself after <paramref name="delay"/> on <paramref name="time"/>'s clock.</summary>
    public static CancellationTokenSource CreateTimeoutSource(TimeProvider time, TimeSpan delay) =>
#if NET8_0_OR_GREATER
        new(delay, time);
#else
        time.CreateCancellationTokenSource(delay);
#endif
}
