namespace Pki.Acme.Internal;

internal static class TimeProviderDelay
{
    public static Task Delay(TimeProvider time, TimeSpan delay, CancellationToken cancellationToken) =>
#if NET8_0_OR_GREATER
        Task.Delay(delay, time, cancellationToken);
#else
        time.Delay(delay, cancellationToken);
#endif
}
