namespace Pki.Caa;

/// <summary>Argument checks that work on every target (netstandard2.1 lacks the throw helpers).</summary>
internal static class Guard
{
    public static T NotNull<T>(T? value, string name)
        where T : class
        => value ?? throw new ArgumentNullException(name);

    public static string NotNullOrWhiteSpace(string? value, string name)
    {
        if (value is null)
        {
            throw new ArgumentNullException(name);
        }

        if (value.Trim().Length == 0)
        {
            throw new ArgumentException($"'{name}' must not be empty or white space.", name);
        }

        return value;
    }
}
