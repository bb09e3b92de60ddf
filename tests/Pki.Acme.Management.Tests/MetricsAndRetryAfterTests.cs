using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace Pki.Acme.Management.Tests;

public sealed class MetricsAndRetryAfterTests
{
    [Fact]
    public async Task A_CA_that_answers_429_with_Retry_After_is_left_alone_at_least_that_long()
    {
        // A real loopback endpoint that answers every request with 429 and Retry-After: 600 (no problem document).
        await using var proxy = new FaultProxy("127.0.0.1", 9) { Fault = Fault.HttpResponse(429, retryAfter: "600", body: string.Empty, contentType: "text/plain") };
        var directory = new Uri($"http://127.0.0.1:{proxy.Port}/dir");
        using var http = new HttpClient();
        var issuer = new AcmeIssuer(
            new AcmeIssuerOptions { Name = "busy", DirectoryUri = directory, AllowInsecureHttp = true, TermsOfServiceAgreed = true },
            new AcmeClient(http, new AcmeClientOptions { DirectoryUri = directory, AllowInsecureHttp = true }));
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var pool = new AcmeIssuerPool([issuer], new FileSystemCertificateStore(dir.Path, time), new AcmeIssuerPoolOptions { InitialBackoff = TimeSpan.FromMinutes(1) }, timeProvider: time);
        using var key = AcmeCertificateIssuer.CreateCertificateKey(AcmeCertificateKeyType.EcP256);

        var failure = await Assert.ThrowsAsync<AcmeIssuerPoolException>(() => pool.IssueAsync(new PoolIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("a.example.test")], CertificateKey = key }, []));

        Assert.Equal(AcmeIssuerAttemptOutcome.FailedTryNext, Assert.Single(failure.Attempts).Outcome);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(600), Assert.Single(pool.GetStatus()).BackoffUntil); // not the 1 min InitialBackoff
    }

    [Fact]
    public void The_pool_and_the_manager_create_their_instruments_through_the_given_meter_factory()
    {
        using var factory = new RecordingMeterFactory();
        var published = new List<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    lock (published)
                    {
                        published.Add(instrument.Name);
                    }
                }
            },
        };
        listener.Start();
        using var dir = new TempDirectory();
        using var http = new HttpClient();
        var issuer = new AcmeIssuer(new AcmeIssuerOptions { Name = "ca", DirectoryUri = new Uri("https://ca.example/dir"), TermsOfServiceAgreed = true }, new AcmeClient(http, new AcmeClientOptions { DirectoryUri = new Uri("https://ca.example/dir") }));

        _ = new AcmeIssuerPool([issuer], new FileSystemCertificateStore(dir.Path), meterFactory: factory);

        Assert.Equal(ManagementMetrics.MeterName, Assert.Single(factory.Meters).Name);
        Assert.Equal(
            ["pki.acme.management.backoffs", "pki.acme.management.failovers", "pki.acme.management.issuances", "pki.acme.management.lease_lost", "pki.acme.management.renewals"],
            published.Order(StringComparer.Ordinal));
    }

    private sealed class RecordingMeterFactory : IMeterFactory
    {
        public List<Meter> Meters { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            Meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in Meters)
            {
                meter.Dispose();
            }
        }
    }
}
