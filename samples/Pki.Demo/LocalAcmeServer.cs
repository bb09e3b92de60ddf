using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pki.Demo;

/// <summary>
/// An ACME CA hosted the way an application hosts it: <c>AddAcmeServer</c> + <c>MapAcmeServer("/acme")</c> on Kestrel,
/// HTTPS on loopback with a listener certificate made here (clients pin it or trust its PEM), the embedded CA's
/// root and intermediate generated on first start in the state directory. A second, plain-http loopback listener serves
/// only the CA's files (<c>/acme/ca/...</c>, 404 for anything else: no ACME over plain http); it is the CA's
/// <c>PublicationBaseUrl</c>, so certificates carry http AIA and CRL URLs as the TLS BR require. Only the package's public API is used.
/// </summary>
internal sealed class LocalAcmeServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    /// <summary>The path prefix of the CA's files; the plain-http listener answers nothing else.</summary>
    public const string CaFilesPrefix = "/acme/ca";

    private LocalAcmeServer(WebApplication app, Uri baseUrl, Uri publicationBaseUrl, X509Certificate2 listener, string listenerPemPath, string rootPemPath)
    {
        _app = app;
        BaseUrl = baseUrl;
        PublicationBaseUrl = publicationBaseUrl;
        ListenerCertificate = listener;
        ListenerCertificatePemPath = listenerPemPath;
        RootPemPath = rootPemPath;
    }

    public Uri BaseUrl { get; }

    public Uri DirectoryUri => new(BaseUrl, "/acme/directory");

    /// <summary>The plain-http base of the CA's files (<c>http://127.0.0.1:PORT/acme</c>): the AIA and CRL URLs in certificates point under it.</summary>
    public Uri PublicationBaseUrl { get; }

    public X509Certificate2 ListenerCertificate { get; }

    /// <summary>The HTTPS listener's certificate as PEM: what an ACME client must trust (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, LEGO_CA_CERTIFICATES).</summary>
    public string ListenerCertificatePemPath { get; }

    /// <summary>The embedded CA's root certificate (also served at <c>/acme/ca/root.pem</c>): what relying parties trust.</summary>
    public string RootPemPath { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts the server on <paramref name="port"/> (0: any free loopback port).</summary>
    /// <param name="port">The HTTPS port.</param>
    /// <param name="stateDirectory">Where the database, the CA and the listener certificate live.</param>
    /// <param name="http01Port">The port the http-01 validator connects to.</param>
    /// <param name="hosts">Fixed addresses for names (exact or <c>*.suffix</c>) checked before DNS.</param>
    /// <param name="logLevel">The server's console log level (<see cref="LogLevel.None"/> for none).</param>
    /// <param name="configure">Further options (profiles, lifetimes).</param>
    /// <param name="cancellationToken">Stops the start-up.</param>
    /// <param name="services">Further registrations, e.g. <c>AddAcmeServerPostgres</c>.</param>
    /// <param name="caFilesPort">The plain-http port of the CA's files (0: any free loopback port).</param>
    public static async Task<LocalAcmeServer> StartAsync(
        int port,
        string stateDirectory,
        int http01Port,
        IReadOnlyDictionary<string, string> hosts,
        LogLevel logLevel = LogLevel.None,
        Action<Pki.Acme.Server.AcmeServerOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        int caFilesPort = 0,
        CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(stateDirectory);
        port = port == 0 ? FreeLoopbackPort() : port;
        caFilesPort = caFilesPort == 0 ? FreeLoopbackPort() : caFilesPort;

        var listenerPemPath = Path.Combine(stateDirectory, "listener.pem");
        var listener = await LoadOrCreateListenerCertificateAsync(listenerPemPath, Path.Combine(stateDirectory, "listener.key.pem"), cancellationToken);
        var baseUrl = new Uri($"https://127.0.0.1:{port}");
        var publicationBaseUrl = new Uri($"http://127.0.0.1:{caFilesPort}/acme");

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logLevel != LogLevel.None)
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(logLevel);
        }

        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port, l => l.UseHttps(listener));
            k.Listen(IPAddress.Loopback, caFilesPort);
        });
        builder.Services.AddAcmeServer(o =>
        {
            o.BaseUrl = baseUrl;
            o.DatabasePath = Path.Combine(stateDirectory, "acme.db");
            o.RetryAfter = TimeSpan.FromSeconds(1);
            o.CaaIdentities.Add("pki-demo.example.test");
            o.Ca.StateDirectory = Path.Combine(stateDirectory, "ca");
            o.Ca.CommonName = "Pki Demo ACME CA";
            o.Ca.PublicationBaseUrl = publicationBaseUrl;
            o.Validation.Http01Port = http01Port;
            o.Validation.RetryDelay = TimeSpan.FromMilliseconds(200);
            foreach (var (name, address) in hosts)
            {
                o.Validation.Hosts[name] = address;
            }

            // A private namespace on loopback: no public DNS to publish CAA records in.
            o.Validation.EnforceCaa = false;
            configure?.Invoke(o);
        });
        services?.Invoke(builder.Services);

        var app = builder.Build();

        // The plain-http listener is for the CA's files only (relying parties fetch AIA and CRLs over http); ACME stays on HTTPS.
        app.Use(async (context, next) =>
        {
            if (!context.Request.IsHttps && !context.Request.Path.StartsWithSegments(CaFilesPrefix, StringComparison.Ordinal))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next(context);
        });
        app.MapAcmeServer("/acme");
        await app.StartAsync(cancellationToken);
        return new LocalAcmeServer(app, baseUrl, publicationBaseUrl, listener, listenerPemPath, Path.Combine(stateDirectory, "ca", "root.pem"));
    }

    /// <summary>An HTTP client that trusts exactly this server's listener certificate (TLS validation stays on).</summary>
    public HttpClient CreatePinnedHttpClient()
    {
        var pinned = ListenerCertificate.RawData;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 64,
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(pinned) },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Completes when the host is asked to stop (Ctrl+C, SIGTERM) or <paramref name="cancellationToken"/> fires.</summary>
    /// <param name="cancellationToken">Stops the wait.</param>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        ListenerCertificate.Dispose();
    }

    /// <summary>A loopback TCP port that was free a moment ago.</summary>
    internal static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task<X509Certificate2> LoadOrCreateListenerCertificateAsync(string certificatePath, string keyPath, CancellationToken cancellationToken)
    {
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            using var existing = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            if (existing.NotAfter > DateTime.UtcNow.AddDays(1))
            {
                return Exportable(existing);
            }
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
        await WriteAtomicallyAsync(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n", ownerOnly: true, cancellationToken);
        await WriteAtomicallyAsync(certificatePath, created.ExportCertificatePem() + "\n", ownerOnly: false, cancellationToken);
        return Exportable(created);
    }

    // Kestrel on Linux needs the key in a form it can hand to OpenSSL: round-trip through PKCS#12.
    private static X509Certificate2 Exportable(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);

    private static async Task WriteAtomicallyAsync(string path, string content, bool ownerOnly, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (ownerOnly && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(temporary, options))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(content.AsMemory(), cancellationToken);
            await writer.FlushAsync(cancellationToken);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
