using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pki.TestSupport;

/// <summary>How to run a <see cref="PebbleServer"/>.</summary>
public sealed record PebbleOptions
{
    /// <summary>Refuse new accounts without External Account Binding.</summary>
    public bool ExternalAccountBindingRequired { get; init; }

    /// <summary>EAB key ids and their base64url HS256 MAC keys.</summary>
    public IReadOnlyDictionary<string, string> ExternalAccountMacKeys { get; init; } = new Dictionary<string, string>();

    /// <summary>Number of alternate root chains (<c>PEBBLE_ALTERNATE_ROOTS</c>).</summary>
    public int AlternateRoots { get; init; }

    /// <summary>Validity of issued certificates in seconds (<c>certificateValidityPeriod</c>); Pebble's default when null.</summary>
    public long? CertificateValidityPeriodSeconds { get; init; }

    /// <summary>Extra environment for Pebble (e.g. <c>PEBBLE_WFE_NONCEREJECT</c>). <c>PEBBLE_VA_NOSLEEP=1</c> is always set; <c>PEBBLE_VA_ALWAYS_VALID</c> never.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>A DNS server for Pebble's validator (host:port); when null a <see cref="ChallTestServer"/> is started and used.</summary>
    public string? DnsServer { get; init; }

    /// <summary>The ACME port to listen on (e.g. the port of a Pebble that was killed, to restart it in its place); a free port when null.</summary>
    public int? AcmePort { get; init; }

    /// <summary>The port the validator connects to for http-01; a free port when null.</summary>
    public int? HttpPort { get; init; }

    /// <summary>The port the validator connects to for tls-alpn-01 (e.g. 443, as a README example binds it); a free port when null.</summary>
    public int? TlsPort { get; init; }
}

/// <summary>
/// Pebble 2.x (Debian package <c>pebble</c>), Let's Encrypt's test ACME server, on free loopback
/// ports with a listener certificate made for this run, validation on (never always-valid), no
/// validation sleeps and its default 5% badNonce injection. Killed on dispose.
/// </summary>
public sealed class PebbleServer : IAsyncDisposable
{
    private readonly string _directory;

    private PebbleServer(ExternalProcess process, ChallTestServer? dns, string directory, X509Certificate2 listenerCertificate, int acmePort, int managementPort, int httpPort, int tlsPort)
    {
        Process = process;
        Dns = dns;
        _directory = directory;
        ListenerCertificate = listenerCertificate;
        AcmePort = acmePort;
        ManagementPort = managementPort;
        HttpPort = httpPort;
        TlsPort = tlsPort;
    }

    /// <summary>The Pebble process.</summary>
    public ExternalProcess Process { get; }

    /// <summary>The challenge test server used as Pebble's DNS, when one was started.</summary>
    public ChallTestServer? Dns { get; }

    /// <summary>The self-signed certificate Pebble serves its HTTPS on (trust it for this connection only).</summary>
    public X509Certificate2 ListenerCertificate { get; }

    /// <summary>ACME port.</summary>
    public int AcmePort { get; }

    /// <summary>Management port (roots, intermediates, cert status).</summary>
    public int ManagementPort { get; }

    /// <summary>The port Pebble's validator connects to for http-01: the client's responder listens here.</summary>
    public int HttpPort { get; }

    /// <summary>The port Pebble's validator connects to for tls-alpn-01: the client's responder listens here.</summary>
    public int TlsPort { get; }

    /// <summary>The directory URL.</summary>
    public Uri DirectoryUri => new($"https://127.0.0.1:{AcmePort}/dir");

    /// <summary>Starts Pebble (and a challenge test server for DNS unless one is given) and waits for its directory.</summary>
    public static async Task<PebbleServer> StartAsync(PebbleOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PebbleOptions();
        var directory = Path.Combine(Path.GetTempPath(), "pki-pebble-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        var certificate = CreateListenerCertificate();
        await File.WriteAllTextAsync(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem(), cancellationToken).ConfigureAwait(false);
        using (var key = certificate.GetECDsaPrivateKey()!)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "key.pem"), key.ExportPkcs8PrivateKeyPem(), cancellationToken).ConfigureAwait(false);
        }

        var acmePort = options.AcmePort ?? FreePorts.Tcp();
        var managementPort = FreePorts.Tcp();
        var httpPort = options.HttpPort ?? FreePorts.Tcp();
        var tlsPort = options.TlsPort ?? FreePorts.Tcp();
        var config = new Dictionary<string, object?>
        {
            ["listenAddress"] = $"127.0.0.1:{acmePort}",
            ["managementListenAddress"] = $"127.0.0.1:{managementPort}",
            ["certificate"] = Path.Combine(directory, "cert.pem"),
            ["privateKey"] = Path.Combine(directory, "key.pem"),
            ["httpPort"] = httpPort,
            ["tlsPort"] = tlsPort,
            ["ocspResponderURL"] = string.Empty,
            ["externalAccountBindingRequired"] = options.ExternalAccountBindingRequired,
        };
        if (options.ExternalAccountMacKeys.Count > 0)
        {
            config["externalAccountMACKeys"] = options.ExternalAccountMacKeys;
        }

        if (options.CertificateValidityPeriodSeconds is { } validity)
        {
            config["certificateValidityPeriod"] = validity;
        }

        var configPath = Path.Combine(directory, "pebble-config.json");
        await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(new Dictionary<string, object> { ["pebble"] = config }), cancellationToken).ConfigureAwait(false);

        ChallTestServer? dns = null;
        try
        {
            string dnsServer;
            if (options.DnsServer is { } given)
            {
                dnsServer = given;
            }
            else
            {
                dns = await ChallTestServer.StartAsync(cancellationToken).ConfigureAwait(false);
                dnsServer = $"127.0.0.1:{dns.DnsPort}";
            }

            var environment = new Dictionary<string, string?>
            {
                ["PEBBLE_VA_NOSLEEP"] = "1",
                ["PEBBLE_VA_ALWAYS_VALID"] = null,
            };
            if (options.AlternateRoots > 0)
            {
                environment["PEBBLE_ALTERNATE_ROOTS"] = options.AlternateRoots.ToString(CultureInfo.InvariantCulture);
            }

            foreach (var (name, value) in options.Environment)
            {
                environment[name] = value;
            }

            var process = await ExternalProcess.StartAsync(
                new ExternalProcessOptions
                {
                    FileName = "pebble",
                    Arguments = ["-config", configPath, "-dnsserver", dnsServer],
                    WorkingDirectory = directory,
                    Environment = environment,
                    DisplayName = $"pebble:{acmePort}",
                    ReadyWhenLogMatches = new Regex("ACME directory available at", RegexOptions.CultureInvariant),
                    StartTimeout = TimeSpan.FromSeconds(60),
                },
                cancellationToken).ConfigureAwait(false);

            // Pebble logs its addresses just before it binds them.
            try
            {
                await process.WaitForTcpAsync(new IPEndPoint(IPAddress.Loopback, acmePort), TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
                await process.WaitForTcpAsync(new IPEndPoint(IPAddress.Loopback, managementPort), TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await process.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            return new PebbleServer(process, dns, directory, certificate, acmePort, managementPort, httpPort, tlsPort);
        }
        catch
        {
            if (dns is not null)
            {
                await dns.DisposeAsync().ConfigureAwait(false);
            }

            certificate.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A handler that trusts exactly Pebble's listener certificate (pinned by its bytes) and
    /// nothing else; use it for the ACME and management connections only.
    /// </summary>
    public HttpMessageHandler CreatePinnedHandler()
    {
        var pinned = ListenerCertificate.RawData;
        return new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(pinned) },
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
    }

    /// <summary>An HttpClient over <see cref="CreatePinnedHandler"/>.</summary>
    public HttpClient CreateHttpClient() => new(CreatePinnedHandler()) { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Root <paramref name="index"/> of this run's random hierarchy (0 = default chain, 1.. = alternates).</summary>
    public async Task<X509Certificate2> GetRootAsync(int index = 0, CancellationToken cancellationToken = default)
    {
        using var http = CreateHttpClient();
        var pem = await http.GetStringAsync(new Uri($"https://127.0.0.1:{ManagementPort}/roots/{index}"), cancellationToken).ConfigureAwait(false);
        return X509Certificate2.CreateFromPem(pem);
    }

    /// <summary>Revocation status of a certificate by hex serial (Pebble management API): "Valid" or "Revoked".</summary>
    public async Task<string> GetCertificateStatusAsync(string serialHex, CancellationToken cancellationToken = default)
    {
        using var http = CreateHttpClient();
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri($"https://127.0.0.1:{ManagementPort}/cert-status-by-serial/{serialHex}"), cancellationToken).ConfigureAwait(false));
        return document.RootElement.GetProperty("Status").GetString() ?? string.Empty;
    }

    private static X509Certificate2 CreateListenerCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(7));
    }

    /// <summary>Stops Pebble and its DNS server and removes the temporary directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync().ConfigureAwait(false);
        if (Dns is not null)
        {
            await Dns.DisposeAsync().ConfigureAwait(false);
        }

        ListenerCertificate.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleanup.
        }
    }
}

/// <summary>
/// <c>pebble-challtestsrv</c> as a DNS server only (its own http-01/tls-alpn-01 responders are off
/// so the client's responders can take those ports): A queries answer 127.0.0.1, AAAA nothing,
/// TXT records are set through its management API.
/// </summary>
public sealed class ChallTestServer : IAsyncDisposable
{
    private readonly HttpClient _management = new() { Timeout = TimeSpan.FromSeconds(10) };

    private ChallTestServer(ExternalProcess process, int dnsPort, int managementPort)
    {
        Process = process;
        DnsPort = dnsPort;
        ManagementPort = managementPort;
    }

    /// <summary>The process.</summary>
    public ExternalProcess Process { get; }

    /// <summary>DNS port (UDP and TCP) on 127.0.0.1.</summary>
    public int DnsPort { get; }

    /// <summary>Management API port.</summary>
    public int ManagementPort { get; }

    /// <summary>Starts the server.</summary>
    public static async Task<ChallTestServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var dnsPort = FreePorts.TcpAndUdp();
        var managementPort = FreePorts.Tcp();
        var process = await ExternalProcess.StartAsync(
            new ExternalProcessOptions
            {
                FileName = "pebble-challtestsrv",
                Arguments = ["-http01", string.Empty, "-https01", string.Empty, "-tlsalpn01", string.Empty, "-dns01", $"127.0.0.1:{dnsPort}", "-management", $"127.0.0.1:{managementPort}", "-defaultIPv6", string.Empty, "-defaultIPv4", "127.0.0.1"],
                DisplayName = $"challtestsrv:{dnsPort}",
                ReadyWhenTcpAccepts = new IPEndPoint(IPAddress.Loopback, managementPort),
                StartTimeout = TimeSpan.FromSeconds(30),
            },
            cancellationToken).ConfigureAwait(false);
        return new ChallTestServer(process, dnsPort, managementPort);
    }

    /// <summary>Serves a TXT record (<paramref name="host"/> with or without trailing dot).</summary>
    public Task SetTxtAsync(string host, string value, CancellationToken cancellationToken = default) =>
        PostAsync("set-txt", new { host = Fqdn(host), value }, cancellationToken);

    /// <summary>Removes the TXT records at <paramref name="host"/>.</summary>
    public Task ClearTxtAsync(string host, CancellationToken cancellationToken = default) =>
        PostAsync("clear-txt", new { host = Fqdn(host) }, cancellationToken);

    private static string Fqdn(string host) => host.EndsWith('.') ? host : host + ".";

    private async Task PostAsync(string path, object body, CancellationToken cancellationToken)
    {
        using var response = await _management.PostAsJsonAsync(new Uri($"http://127.0.0.1:{ManagementPort}/{path}"), body, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        _management.Dispose();
        await Process.DisposeAsync().ConfigureAwait(false);
    }
}
