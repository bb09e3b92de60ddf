using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Pki.Acme;
using Pki.Acme.Management;
using Pki.Acme.Server.Storage;
using Pki.Acme.Server.Tests.EndToEnd;
using Pki.Ari;
using Pki.TestSupport;

namespace Pki.Acme.Server.Tests.Interop;

/// <summary>
/// The certificate manager (Pki.Acme.Management) against the embedded server, renewal driven by ARI end to end: the operator
/// moves a certificate's window with <see cref="IAcmeServerOperations.MoveRenewalWindowsAsync"/>, the manager's planner sees
/// the new window on its next poll and renews inside it, naming the old certificate in <c>replaces</c>. Real time throughout
/// (the server's validator and Kestrel run on the system clock); the only assertion about time is "inside the window".
/// </summary>
public sealed class CertificateManagerAriInteropTests
{
    [Fact]
    public async Task The_operator_moves_the_window_and_the_manager_renews_inside_it_replacing_the_old_certificate()
    {
        var tokens = new InMemoryHttp01TokenStore();
        await using var responder = Http01Responder.Start(tokens, new IPEndPoint(IPAddress.Loopback, 0));

        // Retry-After of one second on renewalInfo, so the manager's next pass asks again.
        await using var server = await EmbeddedServer.StartAsync(responder.LocalEndPoint!.Port, configure: o => o.RenewalInfoRetryAfter = TimeSpan.FromSeconds(1));
        using var http = server.CreateHttpClient();
        using var storeDirectory = new TempDirectory();
        var store = new FileSystemCertificateStore(storeDirectory.Path);

        // The planner picks the start of any window (sample 0) and honours one-second Retry-After.
        var planner = new RenewalPlanner(new RenewalInfoClient(http, new RenewalInfoOptions { MinRetryAfter = TimeSpan.FromSeconds(1) }), random: () => 0.0);
        var issuerOptions = new AcmeIssuerOptions { Name = "embedded", DirectoryUri = server.DirectoryUri, TermsOfServiceAgreed = true };
        var issuer = new AcmeIssuer(issuerOptions, server.CreateClient(http), planner);
        var pool = new AcmeIssuerPool([issuer], store);
        var options = new CertificateManagerOptions { LeasePollInterval = TimeSpan.FromMilliseconds(100), MinAttemptInterval = TimeSpan.FromSeconds(1) };
        options.Certificates.Add(new ManagedCertificateOptions { Name = "ari", Identifiers = { "ari.acme.test" } });
        var manager = new CertificateManager(pool, store, [new Http01ChallengeSolver(tokens)], options);

        var first = await manager.GetCertificateAsync("ari");
        Assert.Equal(CertificateSource.Issued, first.Source);

        // Not due: the server's default window lies weeks into a 90-day certificate.
        await manager.RenewDueAsync();
        Assert.Equal(first.Certificate.Thumbprint, manager.GetCurrent("ari")!.Certificate.Thumbprint);
        var planned = Assert.Single(manager.GetStatus());
        Assert.True(planned.RenewAt > DateTimeOffset.UtcNow.AddDays(20), planned.RenewalExplanation);

        // The operator moves the window to [now, now + 5 minutes] (whole seconds: certificate times have no fractions).
        var now = DateTimeOffset.UtcNow;
        var windowStart = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        var windowEnd = windowStart.AddMinutes(5);
        var operations = server.Services.GetRequiredService<IAcmeServerOperations>();
        Assert.Equal(1, await operations.MoveRenewalWindowsAsync([first.Certificate.SerialNumber], windowStart, windowEnd));

        // The manager's passes, each sleeping until the time it names (at most half a second), until it has renewed.
        var renewed = await PassUntilRenewedAsync(manager, first, TimeSpan.FromMinutes(2));
        Assert.NotEqual(first.Certificate.SerialNumber, renewed.Certificate.SerialNumber);
        Assert.Equal(CertificateSource.Issued, renewed.Source);
        var issuedAt = renewed.NotBefore + EmbeddedCa.Backdate;
        Assert.InRange(issuedAt, windowStart, windowEnd);

        // The renewal named the old certificate in 'replaces': the server recorded it as replaced by the new certificate's order.
        var serverStore = server.Services.GetRequiredService<IAcmeServerStore>();
        var oldRecord = await serverStore.FindCertificateByAriIdAsync(AriCertId.FromCertificate(first.Certificate).Value, CancellationToken.None);
        var newRecord = await serverStore.FindCertificateByAriIdAsync(AriCertId.FromCertificate(renewed.Certificate).Value, CancellationToken.None);
        Assert.NotNull(oldRecord);
        Assert.NotNull(newRecord);
        Assert.Equal(newRecord.OrderId, oldRecord.ReplacedByOrderId);
    }

    private static async Task<ManagedCertificate> PassUntilRenewedAsync(CertificateManager manager, ManagedCertificate first, TimeSpan limit)
    {
        var time = TimeProvider.System;
        var deadline = time.GetUtcNow() + limit;
        while (true)
        {
            var next = await manager.RenewDueAsync();
            if (manager.GetCurrent(first.Name) is { } current && current.Certificate.Thumbprint != first.Certificate.Thumbprint)
            {
                return current;
            }

            var status = Assert.Single(manager.GetStatus());
            Assert.True(time.GetUtcNow() < deadline, $"No renewal within {limit}: renew at {status.RenewAt:O} ({status.RenewalExplanation}); last error: {status.LastError}");
            var wait = next - time.GetUtcNow();
            await Task.Delay(wait < TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50) : wait > TimeSpan.FromMilliseconds(500) ? TimeSpan.FromMilliseconds(500) : wait, time);
        }
    }
}
