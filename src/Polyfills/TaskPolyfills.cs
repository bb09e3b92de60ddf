// Waits and enum checks that .NET 8 has and netstandard2.1 lacks, as C# 14 static extension members
// so library code reads the same on every target. Compiled only for netstandard2.1.

namespace System.Threading.Tasks
{
    internal static class TaskPolyfills
    {
        extension(Task)
        {
            /// <summary><see cref="Task.Delay(TimeSpan, CancellationToken)"/> on <paramref name="timeProvider"/>'s clock (Microsoft.Bcl.TimeProvider).</summary>
            public static Task Delay(TimeSpan delay, TimeProvider timeProvider, CancellationToken cancellationToken) =>
                timeProvider.Delay(delay, cancellationToken);
        }
    }
}

namespace System
{
    internal static class EnumPolyfills
    {
        extension(Enum)
        {
            /// <summary>The generic <c>Enum.IsDefined</c> of .NET 5+.</summary>
            public static bool IsDefined<TEnum>(TEnum value)
                where TEnum : struct, Enum =>
                Enum.IsDefined(typeof(TEnum), value);
        }
    }
}
