namespace Pki.Caa;

/// <summary>
/// A <see cref="CaaPolicyBuilder"/> was given malformed or contradictory input (e.g. "forbid all
/// issuance" together with "allow CA x"). The message names the offending value and what to do.
/// </summary>
public sealed class CaaPolicyException : ArgumentException
{
    /// <summary>Creates the exception with the default message (for serializers and tests; this package always gives a message).</summary>
    public CaaPolicyException()
    {
    }

    /// <summary>Creates the exception with a message that names the offending value and says what to do.</summary>
    public CaaPolicyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it (kept as <see cref="Exception.InnerException"/>).</summary>
    public CaaPolicyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
