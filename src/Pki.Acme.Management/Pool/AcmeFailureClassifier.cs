using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Pki.Acme.Management;

/// <summary>What the pool does after a failure at one CA.</summary>
public enum AcmeFailureDisposition
{
    /// <summary>The fault is the CA's (down, overloaded, rate limiting, unwilling, answering nonsense): back it off and try the next CA.</summary>
    TryNextIssuer,

    /// <summary>Every CA would surely fail the same way (our CSR, our configuration, our store, a bug): stop at once, backing off no CA.</summary>
    Stop,

    /// <summary>
    /// It could be either side's fault (the CA could not reach our responder, or its own resolver
    /// failed; a poll that never ended; a request the CA calls malformed): back the CA off and try one
    /// more CA; a second such failure in the same issuance stops the pool, since then our side is the
    /// likelier cause.
    /// </summary>
    TryOneMoreIssuer,
}

/// <summary>A classified failure: what to do, and a short reason for logs and metrics.</summary>
/// <param name="Disposition">What the pool does next.</param>
/// <param name="Reason">A short, stable tag such as <c>problem:rateLimited</c>, <c>transport</c> or <c>timeout</c>.</param>
public readonly record struct AcmeFailureClassification(AcmeFailureDisposition Disposition, string Reason);

/// <summary>
/// Sorts a failure at one CA by whose fault it is. The rows, and why:
/// <list type="table">
/// <listheader><term>failure</term><description>disposition: reason</description></listheader>
/// <item><term><c>badCSR</c></term><description>Stop: our CSR is wrong; every CA refuses it.</description></item>
/// <item><term><c>badRevocationReason</c>, <c>alreadyRevoked</c></term><description>Stop: a revocation request of ours, not an issuance a CA could make.</description></item>
/// <item><term><see cref="AcmeConfigurationException"/>, <see cref="AcmeManagementConfigurationException"/></term><description>Stop: our configuration.</description></item>
/// <item><term><c>agreementRequired</c></term><description>Stop: our configuration; <see cref="AcmeIssuerOptions.TermsOfServiceAgreed"/> is false for a CA with terms of service, and backing the CA off would hide it (the pool checks the directory first and says so; this row catches a CA whose directory does not announce its terms).</description></item>
/// <item><term><see cref="CertificateStoreException"/>, <see cref="CertificateLeaseLostException"/></term><description>Stop: our store or our lease; another CA changes nothing (and a healthy CA must not be backed off for it).</description></item>
/// <item><term><see cref="CryptographicException"/> and any other exception</term><description>Stop: our key or a bug.</description></item>
/// <item><term><c>connection</c>, <c>dns</c>, <c>tls</c>, <c>incorrectResponse</c>, <c>unauthorized</c></term><description>One more: the CA could not validate; our responder or DNS may be wrong, or the CA's own resolvers or network.</description></item>
/// <item><term><c>malformed</c></term><description>One more: our request, or a CA that parses it differently.</description></item>
/// <item><term><see cref="AcmeOrderException"/> without a problem</term><description>One more: a poll that never ended (the CA's validation hangs, or our responder is unreachable), or no offered challenge we can solve.</description></item>
/// <item><term><c>serverInternal</c>, <c>rateLimited</c>, <c>badNonce</c> (retries exhausted), <c>orderNotReady</c></term><description>Next: the CA's state or load.</description></item>
/// <item><term><c>caa</c>, <c>rejectedIdentifier</c>, <c>unsupportedIdentifier</c>, <c>userActionRequired</c>, <c>externalAccountRequired</c>, <c>accountDoesNotExist</c>, <c>alreadyReplaced</c>, <c>invalidProfile</c></term><description>Next: this CA's policy, or our account or settings at this CA only.</description></item>
/// <item><term><c>badPublicKey</c>, <c>badSignatureAlgorithm</c>, <c>invalidContact</c>, <c>unsupportedContact</c></term><description>Next: what this CA accepts (key types, algorithms, contact rules) differs between CAs.</description></item>
/// <item><term>unknown problem types</term><description>Next: give another CA the chance rather than go down.</description></item>
/// <item><term>any problem with HTTP 5xx</term><description>Next: the CA is failing, whatever the type says.</description></item>
/// <item><term><c>compound</c></term><description>Next when any subproblem is Next; else one more when any is; else Stop.</description></item>
/// <item><term><see cref="AcmeProtocolException"/>, other <see cref="AcmeException"/>s (transport failures, certificate mismatches)</term><description>Next: the CA answered nonsense, nothing, too slowly, or a certificate that is not what was asked for.</description></item>
/// <item><term><see cref="HttpRequestException"/>, <see cref="SocketException"/>, <see cref="IOException"/>, <see cref="TimeoutException"/>, <see cref="OperationCanceledException"/> (not the caller's)</term><description>Next: the network path to the CA, or a deadline.</description></item>
/// </list>
/// </summary>
public static class AcmeFailureClassifier
{
    private const string Prefix = "urn:ietf:params:acme:error:";

    private static readonly HashSet<string> StopTypes = new(StringComparer.Ordinal)
    {
        AcmeProblemTypes.AgreementRequired,
        AcmeProblemTypes.BadCsr,
        AcmeProblemTypes.BadRevocationReason,
        AcmeProblemTypes.AlreadyRevoked,
    };

    private static readonly HashSet<string> AmbiguousTypes = new(StringComparer.Ordinal)
    {
        AcmeProblemTypes.Connection,
        AcmeProblemTypes.Dns,
        AcmeProblemTypes.Tls,
        AcmeProblemTypes.IncorrectResponse,
        AcmeProblemTypes.Unauthorized,
        AcmeProblemTypes.Malformed,
    };

    /// <summary>Classifies <paramref name="exception"/>, thrown while issuing at one CA.</summary>
    public static AcmeFailureDisposition Classify(Exception exception) => Explain(exception).Disposition;

    /// <summary>Classifies <paramref name="exception"/> with a short reason (see the class summary).</summary>
    public static AcmeFailureClassification Explain(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            AcmeProblemException problem => Explain(problem.Problem, (int)problem.StatusCode),
            AcmeOrderException { Problem: { } problem } => Explain(problem, problem.Status ?? 0),
            AcmeOrderException => new(AcmeFailureDisposition.TryOneMoreIssuer, "order"),
            AcmeConfigurationException => new(AcmeFailureDisposition.Stop, "configuration"),
            AcmeProtocolException => new(AcmeFailureDisposition.TryNextIssuer, "protocol"),
            AcmeTransportException { Kind: AcmeTransportFailureKind.Timeout } => new(AcmeFailureDisposition.TryNextIssuer, "timeout"),
            AcmeTransportException => new(AcmeFailureDisposition.TryNextIssuer, "transport"),
            AcmeException { InnerException: { } inner } when exception.GetType() == typeof(AcmeException) && inner is not AcmeException => Transport(inner),
            AcmeException => new(AcmeFailureDisposition.TryNextIssuer, ShortName(exception)),
            AcmeManagementConfigurationException => new(AcmeFailureDisposition.Stop, "configuration"),
            CertificateStoreException or CertificateLeaseLostException => new(AcmeFailureDisposition.Stop, "store"),
            _ => Transport(exception),
        };
    }

    /// <summary>Classifies one RFC 7807 problem with the HTTP status it came with (0 when unknown).</summary>
    public static AcmeFailureDisposition ClassifyProblem(AcmeProblem problem, int httpStatus) => Explain(problem, httpStatus).Disposition;

    /// <summary>Classifies one RFC 7807 problem with a short reason.</summary>
    public static AcmeFailureClassification Explain(AcmeProblem problem, int httpStatus)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var reason = "problem:" + (problem.Type.StartsWith(Prefix, StringComparison.Ordinal) ? problem.Type[Prefix.Length..] : "other");
        if (httpStatus >= 500)
        {
            return new(AcmeFailureDisposition.TryNextIssuer, reason);
        }

        if (problem.Type == AcmeProblemTypes.Compound)
        {
            var subproblems = problem.Subproblems ?? [];
            var dispositions = subproblems.Select(p => Explain(p, 0).Disposition).ToList();
            var disposition = dispositions.Count == 0 || dispositions.Contains(AcmeFailureDisposition.TryNextIssuer)
                ? AcmeFailureDisposition.TryNextIssuer
                : dispositions.Contains(AcmeFailureDisposition.TryOneMoreIssuer) ? AcmeFailureDisposition.TryOneMoreIssuer : AcmeFailureDisposition.Stop;
            return new(disposition, reason);
        }

        if (StopTypes.Contains(problem.Type))
        {
            return new(AcmeFailureDisposition.Stop, reason);
        }

        return AmbiguousTypes.Contains(problem.Type)
            ? new(AcmeFailureDisposition.TryOneMoreIssuer, reason)
            : new(AcmeFailureDisposition.TryNextIssuer, reason); // every other type, invalidProfile and unknown ones included
    }

    private static AcmeFailureClassification Transport(Exception exception) => exception switch
    {
        TimeoutException or OperationCanceledException => new(AcmeFailureDisposition.TryNextIssuer, "timeout"),
        HttpRequestException or SocketException or IOException or WebException => new(AcmeFailureDisposition.TryNextIssuer, "transport"),
        _ => new(AcmeFailureDisposition.Stop, "error:" + exception.GetType().Name),
    };

    private static string ShortName(Exception exception)
    {
        var name = exception.GetType().Name;
        name = name.StartsWith("Acme", StringComparison.Ordinal) ? name[4..] : name;
        name = name.EndsWith("Exception", StringComparison.Ordinal) ? name[..^9] : name;
        return name.Length == 0 ? "acme" : char.ToLowerInvariant(name[0]) + name[1..];
    }
}
