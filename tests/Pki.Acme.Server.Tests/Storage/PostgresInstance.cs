using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pki.Acme.Server.Storage;
using Pki.Acme.Server.Tests.Protocol;

namespace Pki.Acme.Server.Tests.Storage;

/// <summary>
/// One server instance in Kestrel on 127.0.0.1 with the PostgreSQL store, its own test CA and validators, and the
/// public URL of the load balancer in front of all instances (<see cref="LoadBalancer.PublicRoot"/>).
/// </summary>
internal sealed class PostgresInstance : IAsyncDisposable
{
    private readonly WebApplication _app;

    /// <summary>Where this instance listens (the load balancer forwards here).</summary>
    public Uri Address { get; }

    public TestIssuer Issuer { get; }

    public TestValidator Http01 { get; }

    public IAcmeServerStore Store => _app.Services.GetRequiredService<IAcmeServerStore>();

    public static async Task<PostgresInstance> StartAsync(string connectionString)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var issuer = new TestIssuer();
        var http01 = new TestValidator("http-01");
        builder.Services.AddSingleton<IAcmeCertificateIssuerBackend>(issuer);
        builder.Services.AddSingleton<IAcmeChallengeValidator>(http01);
        builder.Services.AddAcmeServer(o =>
        {
            o.BaseUrl = LoadBalancer.PublicRoot;
            o.RetryAfter = TimeSpan.FromSeconds(1);
            o.Validation.EnforceCaa = false; // no public DNS on loopback
        });
        builder.Services.AddAcmeServerPostgres(connectionString);
        var app = builder.Build();
        app.MapAcmeServer();
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new PostgresInstance(app, address, issuer, http01);
    }

    private PostgresInstance(WebApplication app, Uri address, TestIssuer issuer, TestValidator http01)
    {
        _app = app;
        Address = address;
        Issuer = issuer;
        Http01 = http01;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Issuer.Dispose();
    }
}

/// <summary>
/// The load balancer in front of the instances, as a client-side handler: every request to the public URL goes to
/// the instance <see cref="Route"/> picks, and the log records who answered what.
/// </summary>
internal sealed class LoadBalancer(Func<HttpRequestMessage, PostgresInstance> route) : DelegatingHandler(new SocketsHttpHandler())
{
    public static readonly Uri PublicRoot = new("http://acme.lb.test");

    public Func<HttpRequestMessage, PostgresInstance> Route { get; set; } = route;

    public List<(PostgresInstance Instance, HttpMethod Method, string Path, HttpStatusCode Status)> Log { get; } = [];

    public AcmeClient CreateClient() =>
        new(new HttpClient(this, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(30) }, new AcmeClientOptions { DirectoryUri = new Uri(PublicRoot, "/acme/directory"), AllowInsecureHttp = true, PollTimeout = TimeSpan.FromSeconds(30) });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var instance = Route(request);
        var path = request.RequestUri!.AbsolutePath;
        request.RequestUri = new UriBuilder(request.RequestUri) { Scheme = instance.Address.Scheme, Host = instance.Address.Host, Port = instance.Address.Port }.Uri;
        var response = await base.SendAsync(request, cancellationToken);
        lock (Log)
        {
            Log.Add((instance, request.Method, path, response.StatusCode));
        }

        return response;
    }
}
