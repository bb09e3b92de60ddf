using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Pki.Acme.Server.Protocol;

/// <summary>The server's metrics (Meter <c>Pki.Acme.Server</c>).</summary>
internal sealed class AcmeServerMetrics : IDisposable
{
    public const string MeterName = "Pki.Acme.Server";

    private readonly Meter _meter;
    private readonly Counter<long> _orders;
    private readonly Counter<long> _certificates;
    private readonly Counter<long> _problems;

    public AcmeServerMetrics(IMeterFactory? meterFactory)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _orders = _meter.CreateCounter<long>("pki.acme.server.orders_created", description: "Orders created.");
        _certificates = _meter.CreateCounter<long>("pki.acme.server.certificates_issued", description: "Certificates issued.");
        _problems = _meter.CreateCounter<long>("pki.acme.server.problems", description: "Problem documents returned, by type.");
    }

    public void OrderCreated() => _orders.Add(1);

    public void CertificateIssued() => _certificates.Add(1);

    public void Problem(string type) => _problems.Add(1, new KeyValuePair<string, object?>("type", type));

    public void Dispose() => _meter.Dispose();
}

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "ACME account {AccountId} created")]
    public static partial void AccountCreated(ILogger logger, string accountId);

    [LoggerMessage(2, LogLevel.Information, "ACME order {OrderId} created for account {AccountId} with {Count} identifiers")]
    public static partial void OrderCreated(ILogger logger, string orderId, string accountId, int count);

    [LoggerMessage(3, LogLevel.Information, "Challenge {ChallengeId} ({Type}) for {Identifier}: {Outcome}")]
    public static partial void ChallengeValidated(ILogger logger, string challengeId, string type, string identifier, string outcome);

    [LoggerMessage(4, LogLevel.Information, "Certificate {Serial} issued for order {OrderId}")]
    public static partial void CertificateIssued(ILogger logger, string serial, string orderId);

    [LoggerMessage(5, LogLevel.Information, "Certificate {Serial} revoked (reason {Reason})")]
    public static partial void CertificateRevoked(ILogger logger, string serial, int reason);

    [LoggerMessage(6, LogLevel.Debug, "ACME request refused: {ProblemType}: {Detail}")]
    public static partial void Refused(ILogger logger, string problemType, string? detail);

    [LoggerMessage(7, LogLevel.Error, "ACME request failed")]
    public static partial void Failed(ILogger logger, Exception exception);

    [LoggerMessage(8, LogLevel.Error, "Validating challenge {ChallengeId} failed")]
    public static partial void ValidationFailed(ILogger logger, string challengeId, Exception exception);

    [LoggerMessage(9, LogLevel.Information, "Re-queued {Count} challenges left processing")]
    public static partial void Requeued(ILogger logger, int count);

    [LoggerMessage(10, LogLevel.Warning, "Finalizing order {OrderId} refused: {ProblemType}: {Detail}")]
    public static partial void FinalizeRefused(ILogger logger, string orderId, string problemType, string? detail);

    [LoggerMessage(11, LogLevel.Information, "Renewal windows moved for {Count} certificates")]
    public static partial void WindowsMoved(ILogger logger, int count);

    [LoggerMessage(12, LogLevel.Warning, "{Count} orders were left processing by an instance that stopped mid-issuance; they are now invalid (serverInternal) and their clients will order again")]
    public static partial void OrdersInterrupted(ILogger logger, int count);

    [LoggerMessage(13, LogLevel.Error, "Looking for interrupted orders failed; trying again in a minute")]
    public static partial void SweepFailed(ILogger logger, Exception exception);
}
