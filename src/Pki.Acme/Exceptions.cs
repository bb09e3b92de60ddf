using System.Net;

namespace Pki.Acme;

/// <summary>Base class of every error this package throws for ACME operations.</summary>
public class AcmeException : Exception
{
    /// <summary>Creates the exception with the default message (for serializers; the library always gives one).</summary>
    public AcmeException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, which names the offending value (never a secret).</summary>
    public AcmeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public AcmeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The ACME server answered with an error document (RFC 8555 section 6.7, RFC 7807). The
/// <see cref="Problem"/> carries its type, detail, status and subproblems.
/// </summary>
public sealed class AcmeProblemException : AcmeException
{
    /// <summary>Creates the exception for a problem document returned by <paramref name="requestUri"/>.</summary>
    public AcmeProblemException(AcmeProblem problem, Uri requestUri, HttpStatusCode statusCode, TimeSpan? retryAfter)
        : base(Describe(problem, requestUri, statusCode, retryAfter))
    {
        Problem = problem ?? throw new ArgumentNullException(nameof(problem));
        RequestUri = requestUri;
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    /// <summary>Creates the exception with the default message (for serializers; the library always gives one).</summary>
    public AcmeProblemException()
    {
        Problem = new AcmeProblem { Type = AcmeProblemTypes.ServerInternal };
        RequestUri = new Uri("about:blank");
    }

    /// <summary>Creates the exception with <paramref name="message"/>, which names the offending value (never a secret).</summary>
    public AcmeProblemException(string message)
        : base(message)
    {
        Problem = new AcmeProblem { Type = AcmeProblemTypes.ServerInternal, Detail = message };
        RequestUri = new Uri("about:blank");
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the failure that caused it.</summary>
    public AcmeProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problem = new AcmeProblem { Type = AcmeProblemTypes.ServerInternal, Detail = message };
        RequestUri = new Uri("about:blank");
    }

    /// <summary>The RFC 7807 problem document the CA answered with: type, detail, status and subproblems per identifier.</summary>
    public AcmeProblem Problem { get; }

    /// <summary>The URL the failing request went to.</summary>
    public Uri RequestUri { get; }

    /// <summary>The HTTP status of the response.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>How long the server asked the client to wait (Retry-After), when it said so (e.g. with rateLimited or 503).</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The problem type URN, e.g. <c>urn:ietf:params:acme:error:rateLimited</c>.</summary>
    public string Type => Problem.Type;

    private static string Describe(AcmeProblem problem, Uri requestUri, HttpStatusCode statusCode, TimeSpan? retryAfter)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var message = $"ACME server returned {(int)statusCode} {problem.Type} for {requestUri}: {problem.Detail ?? problem.Title ?? "(no detail)"}";
        if (problem.Subproblems is { Count: > 0 } subproblems)
        {
            message += " Subproblems: " + string.Join("; ", subproblems.Select(s => $"{s.Identifier?.Value ?? "?"}: {s.Type} {s.Detail}"));
        }

        if (retryAfter is { } wait)
        {
            message += $" Retry after {wait.TotalSeconds:0} s.";
        }

        return message;
    }
}

/// <summary>What was wrong with a server response that broke the protocol.</summary>
public enum AcmeProtocolError
{
    /// <summary>The body was not the JSON the protocol requires, or a required member was missing or of the wrong type.</summary>
    MalformedJson,

    /// <summary>The Content-Type was not the one the protocol requires.</summary>
    UnexpectedContentType,

    /// <summary>A response that must carry a Location header did not.</summary>
    MissingLocation,

    /// <summary>The HTTP status was not one the protocol allows here.</summary>
    UnexpectedStatus,

    /// <summary>The body was larger than the configured maximum (AcmeClientOptions.MaxResponseBytes).</summary>
    ResponseTooLarge,

    /// <summary>No usable Replay-Nonce could be obtained.</summary>
    MissingNonce,

    /// <summary>The certificate chain could not be parsed.</summary>
    MalformedCertificate,

    /// <summary>A resource reached a state the protocol does not allow at this point.</summary>
    UnexpectedState,

    /// <summary>
    /// The server handed out a URL (Location or Link header, or a URL inside a directory, order,
    /// authorization or challenge) that is not https, and <see cref="AcmeClientOptions.AllowInsecureHttp"/> is off.
    /// </summary>
    InsecureUrl,

    /// <summary>
    /// An order or authorization is for identifiers that were not requested: a new order that does
    /// not list exactly the requested identifiers, or an authorization for a name the order lacks.
    /// </summary>
    UnexpectedIdentifier,

    /// <summary>A challenge token is not base64url of at least 128 bits (RFC 8555 section 8.3).</summary>
    MalformedToken,
}

/// <summary>The server's response broke RFC 8555 (bad JSON, wrong content type, missing header, ...).</summary>
public sealed class AcmeProtocolException : AcmeException
{
    /// <summary>Creates the exception for the answer to <paramref name="requestUri"/>; the message gets the error kind and the URL appended.</summary>
    public AcmeProtocolException(AcmeProtocolError error, Uri requestUri, string message, Exception? innerException = null)
        : base($"{message} (ACME {error} from {requestUri})", innerException!)
    {
        Error = error;
        RequestUri = requestUri;
    }

    /// <summary>Creates the exception with the default message (for serializers; the library always gives one).</summary>
    public AcmeProtocolException()
    {
        RequestUri = new Uri("about:blank");
    }

    /// <summary>Creates the exception with <paramref name="message"/>, which names the offending value (never a secret).</summary>
    public AcmeProtocolException(string message)
        : base(message)
    {
        RequestUri = new Uri("about:blank");
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the failure that caused it.</summary>
    public AcmeProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
        RequestUri = new Uri("about:blank");
    }

    /// <summary>Which rule the answer broke, for code that reacts differently (a bad nonce header, non-JSON body, oversized answer...).</summary>
    public AcmeProtocolError Error { get; }

    /// <summary>The URL whose response was wrong.</summary>
    public Uri RequestUri { get; }
}

/// <summary>Options or arguments that cannot work (e.g. a non-https directory URL, a too-small RSA key).</summary>
public sealed class AcmeConfigurationException : AcmeException
{
    /// <summary>Creates the exception with the default message (for serializers; the library always gives one).</summary>
    public AcmeConfigurationException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, which names the offending value (never a secret).</summary>
    public AcmeConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the failure that caused it.</summary>
    public AcmeConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// An order could not be completed: an authorization or the order became invalid (the
/// <see cref="Problem"/> says why), no solver fits the offered challenges, or polling ran out of time.
/// </summary>
public sealed class AcmeOrderException : AcmeException
{
    /// <summary>Creates the exception for the order at <paramref name="orderUri"/> (null before the CA created it), with the CA's problem when it gave one.</summary>
    public AcmeOrderException(string message, Uri? orderUri, AcmeProblem? problem, Exception? innerException = null)
        : base(message, innerException!)
    {
        OrderUri = orderUri;
        Problem = problem;
    }

    /// <summary>Creates the exception with the default message (for serializers; the library always gives one).</summary>
    public AcmeOrderException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, which names the offending value (never a secret).</summary>
    public AcmeOrderException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the failure that caused it.</summary>
    public AcmeOrderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The order, when it had been created.</summary>
    public Uri? OrderUri { get; }

    /// <summary>The server's reason, when it gave one (the challenge's or the order's error).</summary>
    public AcmeProblem? Problem { get; }
}

/// <summary>What is wrong with an issued certificate chain (see <see cref="AcmeCertificateMismatchException"/>).</summary>
public enum AcmeCertificateMismatchReason
{
    /// <summary>The leaf certificate's public key is not the key of the CSR.</summary>
    KeyMismatch,

    /// <summary>The leaf's subjectAltName entries (dNSName, iPAddress) are not exactly the requested identifiers.</summary>
    IdentifiersMismatch,

    /// <summary>A certificate's issuer name is not the subject name of the certificate after it: the chain is out of order or incomplete.</summary>
    ChainOrder,

    /// <summary>A certificate's signature does not verify with the public key of the certificate after it.</summary>
    BadSignature,

    /// <summary>A certificate of the chain is not valid yet (its notBefore is in the future).</summary>
    NotYetValid,

    /// <summary>A certificate of the chain has expired (its notAfter has passed).</summary>
    Expired,
}

/// <summary>
/// The CA issued a certificate chain that is not what was asked for: a leaf for another key, for
/// other names, a chain out of order or with a bad signature, or a certificate outside its
/// validity period (see <see cref="AcmeCertificateVerifier"/>). The chain must not be stored or
/// served; another CA (or a new order) is the remedy. Keys are named by the SHA-256 of their
/// SubjectPublicKeyInfo, never by their material.
/// </summary>
public sealed class AcmeCertificateMismatchException : AcmeException
{
    /// <summary>Creates the exception for the certificate at <paramref name="certificateIndex"/> of the chain downloaded from <paramref name="chainUri"/>.</summary>
    /// <param name="reason">Which check failed (key, names, order or validity).</param>
    /// <param name="certificateIndex">The position of the offending certificate in the chain (0 = leaf).</param>
    /// <param name="expected">What was expected, as text (identifiers, a key fingerprint, a name or a time).</param>
    /// <param name="actual">What the chain holds instead, as text.</param>
    /// <param name="chainUri">Where the chain came from.</param>
    /// <param name="message">The explanation.</param>
    public AcmeCertificateMismatchException(AcmeCertificateMismatchReason reason, int certificateIndex, string expected, string actual, Uri chainUri, string message)
        : base(message)
    {
        Reason = reason;
        CertificateIndex = certificateIndex;
        Expected = expected;
        Actual = actual;
        ChainUri = chainUri;
    }

    /// <summary>Creates the exception with the default message (for serializers; the library always gives one).</summary>
    public AcmeCertificateMismatchException()
    {
        Expected = string.Empty;
        Actual = string.Empty;
        ChainUri = new Uri("about:blank");
    }

    /// <summary>Creates the exception with <paramref name="message"/>, which names the offending value (never a secret).</summary>
    public AcmeCertificateMismatchException(string message)
        : base(message)
    {
        Expected = string.Empty;
        Actual = string.Empty;
        ChainUri = new Uri("about:blank");
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the failure that caused it.</summary>
    public AcmeCertificateMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
        Expected = string.Empty;
        Actual = string.Empty;
        ChainUri = new Uri("about:blank");
    }

    /// <summary>Which check failed: the leaf's key, its names, the chain order or a validity period.</summary>
    public AcmeCertificateMismatchReason Reason { get; }

    /// <summary>The position of the offending certificate in the chain (0 = leaf).</summary>
    public int CertificateIndex { get; }

    /// <summary>What was expected: the requested identifiers, the CSR key's SPKI SHA-256, the next certificate's subject, or the validity bound.</summary>
    public string Expected { get; }

    /// <summary>What the chain holds instead.</summary>
    public string Actual { get; }

    /// <summary>Where the chain came from (its download URL).</summary>
    public Uri ChainUri { get; }
}

/// <summary>How an HTTP exchange with the ACME server failed below the protocol.</summary>
public enum AcmeTransportFailureKind
{
    /// <summary>
    /// The exchange did not complete within <see cref="AcmeClientOptions.RequestTimeout"/> (or the
    /// <see cref="HttpClient.Timeout"/> of the client): the connection, the headers or the body
    /// stalled or arrived too slowly. Worth retrying later, or at another CA.
    /// </summary>
    Timeout,

    /// <summary>No connection could be made (refused, unreachable, name not resolved), or it broke (reset, closed early) before the response was complete.</summary>
    ConnectionFailed,

    /// <summary>The TLS handshake failed: the server's certificate was not trusted, or no protocol or cipher was agreed.</summary>
    TlsFailed,

    /// <summary>The server answered with something that is not valid HTTP (or headers larger than the handler allows).</summary>
    InvalidResponse,
}

/// <summary>
/// An HTTP exchange with the ACME server failed before a complete response arrived: a timeout, a
/// refused or broken connection, a failed TLS handshake or an answer that is not HTTP. The request
/// may or may not have reached the server. Cancellation through the caller's own token is never
/// reported this way: it surfaces as <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class AcmeTransportException : AcmeException
{
    /// <summary>Creates the exception for the exchange with <paramref name="requestUri"/>.</summary>
    public AcmeTransportException(AcmeTransportFailureKind kind, Uri requestUri, string message, Exception? innerException = null)
        : base(message, innerException!)
    {
        Kind = kind;
        RequestUri = requestUri;
    }

    /// <summary>Creates the exception with the default message (for serializers; the library always gives one).</summary>
    public AcmeTransportException()
    {
        RequestUri = new Uri("about:blank");
    }

    /// <summary>Creates the exception with <paramref name="message"/>, which names the offending value (never a secret).</summary>
    public AcmeTransportException(string message)
        : base(message)
    {
        RequestUri = new Uri("about:blank");
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the failure that caused it.</summary>
    public AcmeTransportException(string message, Exception innerException)
        : base(message, innerException)
    {
        RequestUri = new Uri("about:blank");
    }

    /// <summary>How the exchange failed (connect, TLS, reset, deadline...): failover and retry decisions read this, not the message.</summary>
    public AcmeTransportFailureKind Kind { get; }

    /// <summary>The URL of the failed exchange.</summary>
    public Uri RequestUri { get; }
}
