using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Pki.Acme.Management;
using Pki.TestSupport;

namespace Pki.Acme.AspNetCore.Tests;

/// <summary>A real ASP.NET Core app on Kestrel (loopback) with automatic HTTPS from a Pebble.</summary>
internal static class KestrelHost
{
    public static WebApplication Build(
        PebbleServer pebble,
        string storePath,
        string identifier,
        int httpPort,
        int httpsPort,
        Action<AcmeCertificatesOptions>? configure = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Services.AddAcmeCertificates(options =>
        {
            options.Issuers.Add(new AcmeIssuerOptions { Name = "pebble", DirectoryUri = pebble.DirectoryUri, TermsOfServiceAgreed = true });
            options.Manager.Certificates.Add(new ManagedCertificateOptions { Name = "www", Identifiers = { identifier } });
            options.StorePath = storePath;
            configure?.Invoke(options);
        });
        builder.Services.AddHttpClient(AcmeCertificatesOptions.HttpClientName("pebble")).ConfigurePrimaryHttpMessageHandler(pebble.CreatePinnedHandler);
        builder.Services.AddHealthChecks().AddAcmeCertificates();
        services?.Invoke(builder.Services);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (httpPort > 0)
            {
                kestrel.Listen(IPAddress.Loopback, httpPort);
            }

            kestrel.Listen(IPAddress.Loopback, httpsPort, listen => listen.UseAcmeCertificates());
        });
        var app = builder.Build();
        app.UseAcmeHttp01Challenges();
        app.MapHealthChecks("/health");
        app.MapGet("/", () => "hello over https");
        return app;
    }

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/> with SNI <paramref name="host"/>, requires a chain to <paramref name="root"/>, and returns the leaf and the body of GET /.</summary>
    public static async Task<(X509Certificate2 Leaf, string Body)> GetOverHttpsAsync(string host, int port, X509Certificate2 root)
    {
        X509Certificate2? leaf = null;
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    leaf = new X509Certificate2(certificate);
                    using var custom = new X509Chain();
                    custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    custom.ChainPolicy.CustomTrustStore.Add(root);
                    custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    foreach (var element in chain!.ChainPolicy.ExtraStore)
                    {
                        custom.ChainPolicy.ExtraStore.Add(element);
                    }

                    return (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0 && custom.Build(leaf);
                },
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var body = await client.GetStringAsync(new Uri($"https://{host}:{port}/"));
        return (leaf!, body);
    }

    public static async Task<ManagedCertificate> WaitForCertificateAsync(CertificateManager manager, Func<ManagedCertificate, bool> predicate)
    {
        var done = new TaskCompletionSource<ManagedCertificate>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(object? sender, CertificateChangedEventArgs e)
        {
            if (predicate(e.Certificate))
            {
                done.TrySetResult(e.Certificate);
            }
        }

        manager.CertificateChanged += OnChanged;
        try
        {
            foreach (var status in manager.GetStatus())
            {
                if (manager.GetCurrent(status.Name) is { } current && predicate(current))
                {
                    return current;
                }
            }

            try
            {
                return await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
            }
            catch (TimeoutException)
            {
                var status = string.Join("; ", manager.GetStatus().Select(s => $"{s.Name}: notAfter {s.NotAfter:O}, renewAt {s.RenewAt:O}, lastError {s.LastError}"));
                var pool = string.Join("; ", manager.Pool.GetStatus().Select(s => $"{s.Name}: failures {s.ConsecutiveFailures}, backoff {s.BackoffUntil:O}, {s.LastError}"));
                throw new TimeoutException($"No matching certificate within 2 minutes. Manager: {status}. Pool: {pool}");
            }
        }
        finally
        {
            manager.CertificateChanged -= OnChanged;
        }
    }

    public static string UniqueName(string label) => $"{label}-{Guid.NewGuid():N}"[..(label.Length + 13)] + ".example.test";

    public static string NewStorePath() => Path.Combine(Path.GetTempPath(), "pki-aspnet-" + Guid.NewGuid().ToString("N")[..12]);

    public static async Task<string> GetStringAsync(int port, string path, string host = "localhost")
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{port}{path}"));
        request.Headers.Host = host;
        using var response = await client.SendAsync(request);
        return $"{(int)response.StatusCode} {response.Content.Headers.ContentType} {await response.Content.ReadAsStringAsync()}".TrimEnd();
    }

    public static PathString Health => "/health";
}
