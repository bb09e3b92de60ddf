using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Pki.Acme.Internal;

/// <summary>
/// Traces and metrics under the name <c>Pki.Acme</c> (listen with OpenTelemetry's
/// <c>AddSource("Pki.Acme")</c> / <c>AddMeter("Pki.Acme")</c>, or dotnet-counters).
/// </summary>
internal static class AcmeDiagnostics
{
    public const string Name = "Pki.Acme";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>HTTP exchanges with the CA, by method and status code.</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("pki.acme.requests", unit: "{request}", description: "HTTP requests sent to ACME servers.");

    /// <summary>Requests sent again because the server answered badNonce.</summary>
    public static readonly Counter<long> BadNonceRetries = Meter.CreateCounter<long>("pki.acme.bad_nonce_retries", unit: "{retry}", description: "Requests retried after badNonce.");

    /// <summary>Completed issuances by outcome.</summary>
    public static readonly Counter<long> Issuances = Meter.CreateCounter<long>("pki.acme.issuances", unit: "{certificate}", description: "AcmeCertificateIssuer.IssueAsync calls by outcome.");

    /// <summary>Duration of whole issuances.</summary>
    public static readonly Histogram<double> IssuanceDuration = Meter.CreateHistogram<double>("pki.acme.issuance.duration", unit: "s", description: "Time from new order to downloaded chain.");
}
