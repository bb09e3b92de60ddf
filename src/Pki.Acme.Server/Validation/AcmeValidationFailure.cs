namespace Pki.Acme.Server;

/// <summary>
/// One validation attempt failed for a reason on the client's side; caught by
/// <see cref="AcmeChallengeValidatorBase"/> and turned into the problem stored on the challenge.
/// </summary>
internal sealed class AcmeValidationFailure : Exception
{
    public AcmeValidationFailure(string problemType, string message, bool isRetryable = false)
        : base(message)
    {
        ProblemType = problemType;
        IsRetryable = isRetryable;
    }

    public AcmeValidationFailure()
        : this(AcmeProblemTypes.ServerInternal, "Validation failed.")
    {
    }

    public AcmeValidationFailure(string message)
        : this(AcmeProblemTypes.ServerInternal, message)
    {
    }

    public AcmeValidationFailure(string message, Exception innerException)
        : base(message, innerException) => ProblemType = AcmeProblemTypes.ServerInternal;

    /// <summary>The RFC 8555 problem type (connection, dns, unauthorized, incorrectResponse, tls).</summary>
    public string ProblemType { get; }

    /// <summary>Whether another attempt may succeed (timeout, refused connection, DNS server failure).</summary>
    public bool IsRetryable { get; }

    public static AcmeValidationFailure Connection(string message) => new(AcmeProblemTypes.Connection, message, isRetryable: true);

    public static AcmeValidationFailure Dns(string message, bool isRetryable) => new(AcmeProblemTypes.Dns, message, isRetryable);

    public static AcmeValidationFailure Unauthorized(string message) => new(AcmeProblemTypes.Unauthorized, message);

    public static AcmeValidationFailure IncorrectResponse(string message) => new(AcmeProblemTypes.IncorrectResponse, message);

    public static AcmeValidationFailure Tls(string message, bool isRetryable = false) => new(AcmeProblemTypes.Tls, message, isRetryable);

    /// <summary>The first <see cref="AcmeValidationFailure"/> in an exception's inner chain (HttpClient wraps what its connect callback throws).</summary>
    public static AcmeValidationFailure? Find(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is AcmeValidationFailure failure)
            {
                return failure;
            }
        }

        return null;
    }

    /// <summary>The deepest inner exception, whose message says what actually happened.</summary>
    public static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }
}
