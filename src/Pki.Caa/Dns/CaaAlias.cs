namespace Pki.Caa;

/// <summary>A CNAME step: <paramref name="Owner"/> is an alias for <paramref name="Target"/>.</summary>
/// <param name="Owner">The alias name (lower case, no trailing dot).</param>
/// <param name="Target">The canonical name it points to (lower case, no trailing dot).</param>
public sealed record CaaAlias(string Owner, string Target);
