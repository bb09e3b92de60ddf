using System.Net;
using System.Net.Sockets;

namespace Pki.Acme.Management;

/// <summary>What the pool does after a failure at one CA.</summary>
public enum AcmeFailureDisposition
{
    /// <summary>The CA may be down, overloaded, rate limiting or unwilling: try another CA, and back this one off.</summary>
    TryNextIssuer,

    /// <summary>Our own input is wrong (or our challenge responder is): no CA will fix it, so stop at once.</summary>
    Stop,
}

/// <summary>
/// Sorts failures into those worth trying at another CA and those no CA will fix.
/// <list type="bullet">
/// <item>Try next: connection failures, timeouts, HTTP 5xx and 429, malformed server answers,
/// <c>serverInternal</c>, <c>rateLimited</c>, <c>caa</c>, <c>unsupportedIdentifier</c>,
/// <c>rejectedIdentifier</c>, <c>externalAccountRequired</c>, <c>userActionRequired</c>,
/// <c>accountDoesNotExist</c>, <c>badNonce</c> (retries exhausted), and problem types this client does not know.</item>
/// <item>Stop: configuration errors, <c>malformed</c>, <c>badCSR</c>, <c>badPublicKey</c>,
/// <c>badSignatureAlgorithm</c>, <c>invalidContact</c>, <c>unsupportedContact</c>,
/// <c>badRevocationReason</c>, failed challenge validation (<c>incorrectResponse</c>,
/// <c>unauthorized</c>, <c>connection</c>, <c>dns</c>, <c>tls</c> inside an order: the CA could not
/// reach our responder, and another CA will not either), and any other exception (a bug).</item>
/// </list>
/// A <c>compound</c> problem is worth another CA when any of its subproblems is.
/// </summary>
public static class AcmeFailureClassifier
{
    private static readonly HashSet<string> TryNextTypes = new(StringComparer.Ordinal)
    {
        AcmeProblemTypes.ServerInternal,
        AcmeProblemTypes.RateLimited,
        AcmeProblemTypes.Caa,
        AcmeProblemTypes.UnsupportedIdentifier,
        AcmeProblemTypes.RejectedIdentifier,
        AcmeProblemTypes.ExternalAccountRequired,
        AcmeProblemTypes.UserActionRequired,
        AcmeProblemTypes.AccountDoesNotExist,
        AcmeProblemTypes.BadNonce,
        AcmeProblemTypes.OrderNotReady,
        AcmeProblemTypes.AlreadyReplaced,
    };

    private static readonly HashSet<string> StopTypes = new(StringComparer.Ordinal)
    {
        AcmeProblemTypes.Malformed,
        AcmeProblemTypes.BadCsr,
        AcmeProblemTypes.BadPublicKey,
        AcmeProblemTypes.BadSignatureAlgorithm,
        AcmeProblemTypes.InvalidContact,
        AcmeProblemTypes.UnsupportedContact,
        AcmeProblemTypes.BadRevocationReason,
        AcmeProblemTypes.IncorrectResponse,
        AcmeProblemTypes.Unauthorized,
        AcmeProblemTypes.Connection,
        AcmeProblemTypes.Dns,
        AcmeProblemTypes.Tls,
    };

    /// <summary>Classifies <paramref name="exception"/>, thrown while issuing at one CA.</summary>
    public static AcmeFailureDisposition Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            AcmeProblemException problem => ClassifyProblem(problem.Problem, (int)problem.StatusCode),
            AcmeOrderException { Problem: { } problem } => ClassifyProblem(problem, problem.Status ?? 0),
            AcmeOrderException => AcmeFailureDisposition.Stop, // e.g. no solver for the offered challenges
            AcmeProtocolException => AcmeFailureDisposition.TryNextIssuer, // the CA answered nonsense
            AcmeConfigurationException => AcmeFailureDisposition.Stop,
            AcmeException { InnerException: { } inner } when exception.GetType() == typeof(AcmeException) => Classify(inner), // transport failures are wrapped
            AcmeException when exception.GetType() == typeof(AcmeException) => AcmeFailureDisposition.TryNextIssuer,
            HttpRequestException or SocketException or IOException or TimeoutException or WebException => AcmeFailureDisposition.TryNextIssuer,
            OperationCanceledException => AcmeFailureDisposition.TryNextIssuer, // a timeout; the caller's own cancellation never gets here
            _ => AcmeFailureDisposition.Stop,
        };
    }

    /// <summary>Classifies one RFC 7807 problem with the HTTP status it came with (0 when unknown).</summary>
    public static AcmeFailureDisposition ClassifyProblem(AcmeProblem problem, int httpStatus)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (problem.Type == AcmeProblemTypes.Compound)
        {
            var subproblems = problem.Subproblems ?? [];
            return subproblems.Any(p => ClassifyProblem(p, 0) == AcmeFailureDisposition.TryNextIssuer)
                ? AcmeFailureDisposition.TryNextIssuer
                : subproblems.Count == 0 ? AcmeFailureDisposition.TryNextIssuer : AcmeFailureDisposition.Stop;
        }

        if (TryNextTypes.Contains(problem.Type))
        {
            return AcmeFailureDisposition.TryNextIssuer;
        }

        if (StopTypes.Contains(problem.Type))
        {
            return httpStatus >= 500 ? AcmeFailureDisposition.TryNextIssuer : AcmeFailureDisposition.Stop;
        }

        // An unknown type: give the next CA a chance rather than go down.
        return AcmeFailureDisposition.TryNextIssuer;
    }
}
