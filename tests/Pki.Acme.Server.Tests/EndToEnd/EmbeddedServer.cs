using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pki.Acme;
using Pki.TestSupport;

namespace Pki.Acme.Server.Tests.EndToEnd;

/// <summary>
/// The real server as an application hosts it: <c>AddAcmeServer</c> + <c>MapAcmeServer</c> with the embedded CA, the real
/// validators and CAA, over HTTPS on loopback with a per-run listener certificate (written as a PEM bundle for certbot and lego).
/// A second, plain-http loopback listener serves only the CA's files (<c>/acme/ca/...</c>, 404 otherwise) and is the CA's
/// <c>PublicationBaseUrl</c>, so certificates carry http AIA and CRL URLs.
/// </summary>
public sealed class EmbeddedServer : IAsyncDisposable
{
    public const string CaIdentity = "ca.example.net";

    private readonly WebApplication _app;
    private readonly TempDirectory _directory;

    private EmbeddedServer(WebApplication app, TempDirectory directory, int port, int caFilesPort, X509Certificate2 listener, string listenerPemPath)
    {
        _app = app;
        _directory = directory;
        BaseUrl = new Uri($"https://127.0.0.1:{port}");
        PublicationBaseUrl = new Uri($"http://127.0.0.1:{caFilesPort}/acme");
        ListenerCertificate = listener;
        ListenerCertificatePemPath = listenerPemPath;
    }

    public Uri BaseUrl { get; }

    public Uri DirectoryUri => new(BaseUrl, "/acme/directory");

    /// <summary>The plain-http base of the CA's files, <c>http://127.0.0.1:PORT/acme</c>.</summary>
    public Uri PublicationBaseUrl { get; }

    public X509Certificate2 ListenerCertificate { get; }

    /// <summary>The listener certificate as a PEM CA bundle (REQUESTS_CA_BUNDLE, LEGO_CA_CERTIFICATES).</summary>
    public string ListenerCertificatePemPath { get; }

    public IServiceProvider Services => _app.Services;

    public string StateDirectory => _directory.Path;

    /// <summary>
    /// Starts the server. http-01 and tls-alpn-01 connect to <paramref name="http01Port"/>/<paramref name="tlsAlpn01Port"/>;
    /// names under <c>*.acme.test</c> resolve to 127.0.0.1 unless <paramref name="nameServer"/> (knotd) is given, which then
    /// answers A, TXT and CAA; without it CAA is off (no public DNS on loopback).
    /// </summary>
    public static async Task<EmbeddedServer> StartAsync(
        int http01Port,
        int tlsAlpn01Port = 443,
        IPEndPoint? nameServer = null,
        Action<AcmeServerOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        TimeProvider? time = null,
        string? databasePath = null)
    {
        var directory = new TempDirectory();
        Directory.CreateDirectory(directory.Path);
        var listener = CreateListenerCertificate();
        var pemPath = Path.Combine(directory.Path, "listener.pem");
        await File.WriteAllTextAsync(pemPath, listener.ExportCertificatePem() + "\n");
        var port = FreePorts.Tcp();
        var caFilesPort = FreePorts.Tcp();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("ACME_SERVER_TEST_LOG") is not null)
        {
            builder.Logging.AddConsole();
        }

        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, port, l => l.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = listener }));
            o.Listen(IPAddress.Loopback, caFilesPort);
        });
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        services?.Invoke(builder.Services);
        builder.Services.AddAcmeServer(o =>
        {
            o.BaseUrl = new Uri($"https://127.0.0.1:{port}");
            o.DatabasePath = databasePath ?? Path.Combine(directory.Path, "acme.db");
            o.RetryAfter = TimeSpan.FromSeconds(1);
            o.CaaIdentities.Add(CaIdentity);
            o.Ca.PublicationBaseUrl = new Uri($"http://127.0.0.1:{caFilesPort}/acme");
            o.Validation.Http01Port = http01Port;
            o.Validation.TlsAlpn01Port = tlsAlpn01Port;
            o.Validation.Timeout = TimeSpan.FromSeconds(5);
            o.Validation.RetryDelay = TimeSpan.FromMilliseconds(50);
            if (nameServer is null)
            {
                o.Validation.Hosts["*.acme.test"] = "127.0.0.1";
                o.Validation.EnforceCaa = false;
            }
            else
            {
                o.Validation.NameServers.Add(nameServer);
            }

            configure?.Invoke(o);
        });
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            // Plain http is for the CA's files only; ACME stays on HTTPS.
            if (!context.Request.IsHttps && !context.Request.Path.StartsWithSegments("/acme/ca", StringComparison.Ordinal))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next(context);
        });
        app.MapAcmeServer();
        await app.StartAsync();
        return new EmbeddedServer(app, directory, port, caFilesPort, listener, pemPath);
    }

    public HttpMessageHandler CreatePinnedHandler()
    {
        var pinned = ListenerCertificate.RawData;
        return new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(pinned) },
        };
    }

    public HttpClient CreateHttpClient() => new(CreatePinnedHandler()) { Timeout = TimeSpan.FromSeconds(60) };

    public AcmeClient CreateClient(HttpClient? http = null) =>
        new(http ?? CreateHttpClient(), new AcmeClientOptions { DirectoryUri = DirectoryUri, PollTimeout = TimeSpan.FromSeconds(60) });

    /// <summary>The embedded CA's root, as served at <c>/acme/ca/root.pem</c>.</summary>
    public async Task<X509Certificate2> GetRootAsync()
    {
        using var http = CreateHttpClient();
        return X509Certificate2.CreateFromPem(await http.GetStringAsync(new Uri(BaseUrl, "/acme/ca/root.pem")));
    }

    public async Task<byte[]> GetCrlAsync()
    {
        using var http = CreateHttpClient();
        return await http.GetByteArrayAsync(new Uri(BaseUrl, "/acme/ca/intermediate.crl"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        ListenerCertificate.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    private static X509Certificate2 CreateListenerCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(7));
#if NET9_0_OR_GREATER
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
#else
        return new X509Certificate2(created.Export(X509ContentType.Pkcs12));
#endif
    }
}
