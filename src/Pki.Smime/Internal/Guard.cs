namespace Pki.Smime.Internal;

/// <summary>Argument checks that work on netstandard2.1 too.</summary>
internal static class Guard
{
    /// <summary>Throws <see cref="ArgumentNullException"/> when <paramref name="value"/> is null.</summary>
    public static void NotNull([ValidatedNotNull] object? value, string name)
    {
#if NET8_0_OR_GREATER
        ArgumentNullException.ThrowIfNull(value, name);
#else
        if (value is null)
        {
            throw new ArgumentNullException(name);
        }
#endif
    }
}

/// <summary>Tells the CA1062 analyzer that the parameter is checked for null.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
internal sealed class ValidatedNotNullAttribute : Attribute
{
}

/// <summary><c>Enum.IsDefined</c> without boxing where the generic overload exists.</summary>
internal static class EnumCheck
{
    public static bool IsDefined<T>(T value)
        where T : struct, Enum
    {
#if NET8_0_OR_GREATER
        return Enum.IsDefined(value);
#else
        return Enum.IsDefined(typeof(T), value);
#endif
    }
}
