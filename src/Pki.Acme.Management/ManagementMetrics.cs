using System.Diagnostics.Metrics;

namespace Pki.Acme.Management;

/// <summary>
/// The metrics of the issuer pool and the certificate manager, under the meter
/// <see cref="MeterName"/> (beside <c>Pki.Acme</c>'s). Listen with OpenTelemetry's
/// <c>AddMeter("Pki.Acme.Management")</c> or <c>dotnet-counters</c>. Instruments:
/// <list type="bullet">
/// <item><c>pki.acme.management.issuances</c>: certificates issued, by <c>issuer</c>.</item>
/// <item><c>pki.acme.management.renewals</c>: managed certificates replaced, by <c>certificate</c> and <c>source</c> (issued, resumed, store).</item>
/// <item><c>pki.acme.management.failovers</c>: failures at a CA, by <c>issuer</c>, <c>reason</c> and <c>disposition</c>.</item>
/// <item><c>pki.acme.management.backoffs</c>: a CA or a certificate put into backoff, by <c>scope</c> (issuer or certificate) and <c>name</c>.</item>
/// <item><c>pki.acme.management.lease_lost</c>: leases lost while they guarded an issuance, by <c>certificate</c>.</item>
/// </list>
/// </summary>
public sealed class ManagementMetrics
{
    /// <summary>The name of the <see cref="Meter"/> to listen to (for example with <c>dotnet-counters monitor --counters Pki.Acme.Management</c> or an OpenTelemetry <c>AddMeter</c>).</summary>
    public const string MeterName = "Pki.Acme.Management";

    private static readonly Lazy<ManagementMetrics> SharedInstance = new(() => new ManagementMetrics(new Meter(MeterName)));

    private ManagementMetrics(Meter meter)
    {
        Issuances = meter.CreateCounter<long>("pki.acme.management.issuances", unit: "{certificate}", description: "Certificates issued by a CA of the pool.");
        Renewals = meter.CreateCounter<long>("pki.acme.management.renewals", unit: "{certificate}", description: "Managed certificates replaced.");
        Failovers = meter.CreateCounter<long>("pki.acme.management.failovers", unit: "{failure}", description: "Failures at one CA of the pool, by reason and what the pool did.");
        Backoffs = meter.CreateCounter<long>("pki.acme.management.backoffs", unit: "{backoff}", description: "A CA or a certificate put into backoff.");
        LeaseLost = meter.CreateCounter<long>("pki.acme.management.lease_lost", unit: "{lease}", description: "Leases lost while they guarded an issuance.");
    }

    internal Counter<long> Issuances { get; }

    internal Counter<long> Renewals { get; }

    internal Counter<long> Failovers { get; }

    internal Counter<long> Backoffs { get; }

    internal Counter<long> LeaseLost { get; }

    /// <summary>The instruments on <paramref name="meterFactory"/>'s meter (DI's <c>AddMetrics</c>), or on a process-wide meter when null.</summary>
    public static ManagementMetrics Create(IMeterFactory? meterFactory) =>
        meterFactory is null ? SharedInstance.Value : new ManagementMetrics(meterFactory.Create(MeterName));
}
