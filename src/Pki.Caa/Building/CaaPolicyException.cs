namespace Pki.Caa;

/// <summary>
/// A <see cref="CaaPolicyBuilder"/> was given malformed or contradictory input (e.g. "forbid all
/// issuance" together with "allow CA x"). The message names the offending value and what to do.
/// </summary>
public sealed class CaaPolicyException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public CaaPolicyException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public CaaPolicyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public CaaPolicyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
