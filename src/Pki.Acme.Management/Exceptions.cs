namespace Pki.Acme.Management;

/// <summary>Invalid settings of an issuer, the pool, the manager or a store; the message names the offending value (never a secret).</summary>
public sealed class AcmeManagementConfigurationException : Exception
{
    /// <summary>Creates the exception with the default message (for serializers; the library always gives a message).</summary>
    public AcmeManagementConfigurationException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, which names the offending value (never a secret).</summary>
    public AcmeManagementConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the failure that caused it.</summary>
    public AcmeManagementConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// No CA of the pool issued: every attempt is in <see cref="Attempts"/>. When every CA is backing
/// off, <see cref="RetryAt"/> says when the first one may be asked again.
/// </summary>
public sealed class AcmeIssuerPoolException : Exception
{
    /// <summary>Creates the exception with the attempts made and, when every CA was backing off, when to retry.</summary>
    public AcmeIssuerPoolException(string message, IReadOnlyList<AcmeIssuerAttempt> attempts, DateTimeOffset? retryAt, Exception? innerException)
        : base(message, innerException)
    {
        Attempts = attempts;
        RetryAt = retryAt;
    }

    /// <summary>Creates the exception with the default message (for serializers; the library always gives a message).</summary>
    public AcmeIssuerPoolException()
    {
        Attempts = [];
    }

    /// <summary>Creates the exception with <paramref name="message"/>, which names the offending value (never a secret).</summary>
    public AcmeIssuerPoolException(string message)
        : base(message)
    {
        Attempts = [];
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the failure that caused it.</summary>
    public AcmeIssuerPoolException(string message, Exception innerException)
        : base(message, innerException)
    {
        Attempts = [];
    }

    /// <summary>Every attempt at every CA, in the order made, with its outcome and reason.</summary>
    public IReadOnlyList<AcmeIssuerAttempt> Attempts { get; }

    /// <summary>When the earliest backing-off CA may be tried again, when backoff was the reason.</summary>
    public DateTimeOffset? RetryAt { get; }
}

/// <summary>A store could not read or write, or holds data it cannot read back.</summary>
public sealed class CertificateStoreException : Exception
{
    /// <summary>Creates the exception with the default message (for serializers; the library always gives a message).</summary>
    public CertificateStoreException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, which names the offending value (never a secret).</summary>
    public CertificateStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the failure that caused it.</summary>
    public CertificateStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The lease that guarded an issuance was lost (another instance holds it now, or the store could
/// not renew it before it expired): the issuance was cancelled and nothing it did was stored as the
/// current certificate. The instance that holds the lease now finishes the job.
/// </summary>
public sealed class CertificateLeaseLostException : Exception
{
    /// <summary>Creates the exception for <paramref name="certificate"/> whose lease with fencing token <paramref name="token"/> was lost.</summary>
    public CertificateLeaseLostException(string certificate, long token, Exception? innerException = null)
        : base($"Certificate '{certificate}': the lease (token {token}) was lost while issuing; the issuance was cancelled and another instance continues it.", innerException)
    {
        Certificate = certificate;
        Token = token;
    }

    /// <summary>Creates the exception with the default message (for serializers; the library always gives a message).</summary>
    public CertificateLeaseLostException()
    {
        Certificate = string.Empty;
    }

    /// <summary>Creates the exception with <paramref name="message"/>, which names the offending value (never a secret).</summary>
    public CertificateLeaseLostException(string message)
        : base(message)
    {
        Certificate = string.Empty;
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the failure that caused it.</summary>
    public CertificateLeaseLostException(string message, Exception innerException)
        : base(message, innerException)
    {
        Certificate = string.Empty;
    }

    /// <summary>The managed certificate's name.</summary>
    public string Certificate { get; }

    /// <summary>The fencing token of the lost lease.</summary>
    public long Token { get; }
}

/// <summary>
/// A managed certificate has no usable certificate yet and is backing off after failed attempts
/// (see <see cref="CertificateManagerOptions.MinAttemptInterval"/>): nothing was ordered.
/// <see cref="RetryAt"/> says when the next attempt may run; <see cref="CertificateManager.RenewNowAsync"/> ignores the backoff.
/// </summary>
public sealed class CertificateBackoffException : Exception
{
    /// <summary>Creates the exception for <paramref name="certificate"/>, backing off until <paramref name="retryAt"/> after <paramref name="failures"/> attempts.</summary>
    public CertificateBackoffException(string certificate, DateTimeOffset retryAt, int failures, string? lastError)
        : base($"Certificate '{certificate}' is backing off after {failures} failed attempt(s) until {retryAt:u}; last error: {lastError ?? "(none)"}")
    {
        Certificate = certificate;
        RetryAt = retryAt;
        Failures = failures;
    }

    /// <summary>Creates the exception with the default message (for serializers; the library always gives a message).</summary>
    public CertificateBackoffException()
    {
        Certificate = string.Empty;
    }

    /// <summary>Creates the exception with <paramref name="message"/>, which names the offending value (never a secret).</summary>
    public CertificateBackoffException(string message)
        : base(message)
    {
        Certificate = string.Empty;
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the failure that caused it.</summary>
    public CertificateBackoffException(string message, Exception innerException)
        : base(message, innerException)
    {
        Certificate = string.Empty;
    }

    /// <summary>The managed certificate's name.</summary>
    public string Certificate { get; }

    /// <summary>When the next attempt may run (or call <see cref="CertificateManager.RenewNowAsync"/> to ignore the backoff).</summary>
    public DateTimeOffset RetryAt { get; }

    /// <summary>Consecutive unproductive attempts so far.</summary>
    public int Failures { get; }
}
