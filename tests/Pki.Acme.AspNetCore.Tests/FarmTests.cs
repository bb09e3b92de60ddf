using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pki.Acme.Management;
using Pki.TestSupport;

namespace Pki.Acme.AspNetCore.Tests;

/// <summary>
/// Two instances of one web app on one store, behind the same name, where the CA reaches only the
/// instance that does NOT hold the lease (Pebble's validator connects to one port): the farm must
/// still place exactly one order, and both instances must serve its certificate and be healthy.
/// </summary>
public sealed class FarmTests
{
    [Theory]
    [InlineData("file")]
    [InlineData("redis")]
    public async Task Http01_is_answered_by_the_instance_without_the_lease_and_the_farm_places_one_order(string storeKind)
    {
        await using var pebble = await PebbleServer.StartAsync();
        await using var redis = storeKind == "redis" ? await RedisServer.StartAsync() : null;
        using var root = await pebble.GetRootAsync();
        var orders = new OrderCounter(await GetNewOrderUriAsync(pebble));
        var storePath = KestrelHost.NewStorePath();
        var identifier = KestrelHost.UniqueName("farm");
        var gate = new LeaseGate();
        int aHttp = FreePorts.Tcp(), aHttps = FreePorts.Tcp(), bHttps = FreePorts.Tcp();

        // A listens where the CA never connects; B listens on the port Pebble's http-01 validator uses.
        await using var a = KestrelHost.Build(pebble, storePath, identifier, aHttp, aHttps, FastPolling, s => Instance(s, redis, orders, gate));
        await using var b = KestrelHost.Build(pebble, storePath, identifier, pebble.HttpPort, bHttps, FastPolling, s => Instance(s, redis, orders, gate: null));
        try
        {
            await RunFarmAsync(a, b, gate);
            await AssertOneCertificateServedByBothAsync(a, b, orders, identifier, aHttps, bHttps, root);
            Assert.Equal("200 text/plain Healthy", await KestrelHost.GetStringAsync(aHttp, "/health"));
            Assert.Equal("200 text/plain Healthy", await KestrelHost.GetStringAsync(pebble.HttpPort, "/health"));
        }
        finally
        {
            await b.StopAsync();
            await a.StopAsync();
            DeleteStore(storePath);
        }
    }

    [Theory]
    [InlineData("file")]
    [InlineData("redis")]
    public async Task Tls_alpn_01_is_answered_by_the_instance_without_the_lease_and_the_farm_places_one_order(string storeKind)
    {
        await using var pebble = await PebbleServer.StartAsync();
        await using var redis = storeKind == "redis" ? await RedisServer.StartAsync() : null;
        using var root = await pebble.GetRootAsync();
        var orders = new OrderCounter(await GetNewOrderUriAsync(pebble));
        var storePath = KestrelHost.NewStorePath();
        var identifier = KestrelHost.UniqueName("alpnfarm");
        var gate = new LeaseGate();
        var aHttps = FreePorts.Tcp();

        // tls-alpn-01 only; A's HTTPS is where the CA never connects, B's is on Pebble's tls-alpn-01 port.
        await using var a = KestrelHost.Build(pebble, storePath, identifier, httpPort: 0, aHttps, FastPolling, s => AlpnOnly(Instance(s, redis, orders, gate)));
        await using var b = KestrelHost.Build(pebble, storePath, identifier, httpPort: 0, pebble.TlsPort, FastPolling, s => AlpnOnly(Instance(s, redis, orders, gate: null)));
        try
        {
            await RunFarmAsync(a, b, gate);
            await AssertOneCertificateServedByBothAsync(a, b, orders, identifier, aHttps, pebble.TlsPort, root);
            Assert.Equal(HealthStatus.Healthy, (await a.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status);
            Assert.Equal(HealthStatus.Healthy, (await b.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status);
            Assert.Equal(0, a.Services.GetRequiredService<StoreTlsAlpn01ChallengeStore>().Count);
        }
        finally
        {
            await b.StopAsync();
            await a.StopAsync();
            DeleteStore(storePath);
        }
    }

    private static void FastPolling(AcmeCertificatesOptions options) => options.Manager.LeasePollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>A starts and takes the lease; B starts (its web server listening) while A is held at the lease; then A orders.</summary>
    private static async Task RunFarmAsync(WebApplication a, WebApplication b, LeaseGate gate)
    {
        await a.StartAsync();
        await gate.Taken.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await b.StartAsync();
        gate.Open.SetResult();
    }

    private static async Task AssertOneCertificateServedByBothAsync(WebApplication a, WebApplication b, OrderCounter orders, string identifier, int aHttps, int bHttps, System.Security.Cryptography.X509Certificates.X509Certificate2 root)
    {
        var fromA = await KestrelHost.WaitForCertificateAsync(a.Services.GetRequiredService<CertificateManager>(), _ => true);
        var fromB = await KestrelHost.WaitForCertificateAsync(b.Services.GetRequiredService<CertificateManager>(), _ => true);
        Assert.Equal(CertificateSource.Issued, fromA.Source);
        Assert.Equal(CertificateSource.Store, fromB.Source);
        Assert.Equal(fromA.Certificate.Thumbprint, fromB.Certificate.Thumbprint);
        Assert.Equal(1, orders.Count);

        var (leafA, _) = await KestrelHost.GetOverHttpsAsync(identifier, aHttps, root);
        var (leafB, _) = await KestrelHost.GetOverHttpsAsync(identifier, bHttps, root);
        Assert.Equal(fromA.Certificate.Thumbprint, leafA.Thumbprint);
        Assert.Equal(fromA.Certificate.Thumbprint, leafB.Thumbprint);
        Assert.Null(Assert.Single(a.Services.GetRequiredService<CertificateManager>().GetStatus()).LastError);
        Assert.Null(Assert.Single(b.Services.GetRequiredService<CertificateManager>().GetStatus()).LastError);
    }

    private static IServiceCollection Instance(IServiceCollection services, RedisServer? redis, OrderCounter orders, LeaseGate? gate)
    {
        if (redis is not null)
        {
            services.AddAcmeRedisStore(o => o.Configuration = redis.Configuration);
        }

        services.AddHttpClient(AcmeCertificatesOptions.HttpClientName("pebble")).AddHttpMessageHandler(() => new CountingHandler(orders));
        if (gate is not null)
        {
            var descriptor = services.Last(d => d.ServiceType == typeof(ICertificateStore));
            services.Remove(descriptor);
            services.AddSingleton<ICertificateStore>(sp => new GatedLeaseStore((ICertificateStore)descriptor.ImplementationFactory!(sp), gate));
        }

        return services;
    }

    private static void AlpnOnly(IServiceCollection services) =>
        services.RemoveAll<IChallengeSolver>().AddSingleton<IChallengeSolver>(sp => sp.GetRequiredService<TlsAlpn01ChallengeSolver>());

    private static async Task<Uri> GetNewOrderUriAsync(PebbleServer pebble)
    {
        using var http = pebble.CreateHttpClient();
        var directory = await http.GetFromJsonAsync<JsonElement>(pebble.DirectoryUri);
        return new Uri(directory.GetProperty("newOrder").GetString()!);
    }

    private static void DeleteStore(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    private sealed class OrderCounter(Uri newOrder)
    {
        private int _count;

        public Uri NewOrder { get; } = newOrder;

        public int Count => Volatile.Read(ref _count);

        public void Add() => Interlocked.Increment(ref _count);
    }

    /// <summary>
    /// Counts orders the CA created for an instance: newOrder requests (RFC 8555 section 7.4) answered
    /// 201. A request Pebble refuses with badNonce (it does so for 5% of requests) and the client
    /// retries is one order, not two.
    /// </summary>
    private sealed class CountingHandler(OrderCounter orders) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Post && request.RequestUri == orders.NewOrder && response.StatusCode == System.Net.HttpStatusCode.Created)
            {
                orders.Add();
            }

            return response;
        }
    }

    private sealed class LeaseGate
    {
        public TaskCompletionSource Taken { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The store of instance A: once it holds a lease, it waits for the gate before going on (so B is listening).</summary>
    private sealed class GatedLeaseStore(ICertificateStore inner, LeaseGate gate) : ICertificateStore
    {
        public Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken) => inner.ReadAsync(key, cancellationToken);

        public Task WriteAsync(string key, ReadOnlyMemory<byte> value, bool isSecret, CancellationToken cancellationToken) => inner.WriteAsync(key, value, isSecret, cancellationToken);

        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

        public async Task<ICertificateStoreLease?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken)
        {
            var lease = await inner.TryAcquireLeaseAsync(name, owner, duration, cancellationToken);
            if (lease is not null)
            {
                gate.Taken.TrySetResult();
                await gate.Open.Task.WaitAsync(cancellationToken);
            }

            return lease;
        }
    }
}
