using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pki.Acme.Server.Storage;

namespace Pki.Acme.Server.Tests.Protocol;

/// <summary>A test CA: issues with .NET's CertificateRequest from a throw-away ECDSA root, two chains per certificate.</summary>
internal sealed class TestIssuer : IAcmeCertificateIssuerBackend, IDisposable
{
    private readonly X509Certificate2 _root;

    public TestIssuer()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Test ACME Root", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _root = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    public List<(string Serial, int Reason)> Revoked { get; } = [];

    public int Issued { get; private set; }

    public IReadOnlyList<AcmeProfileDescription> Profiles { get; } = [new("classic", "90 days"), new("shortlived", "6 days")];

    public Task<AcmeIssuedChains> IssueAsync(byte[] csrDer, IReadOnlyList<AcmeIdentifier> identifiers, string profile, byte[] accountKeySpki, CancellationToken cancellationToken)
    {
        var csr = CertificateRequest.LoadSigningRequest(csrDer, HashAlgorithmName.SHA256, out _, CertificateRequestLoadOptions.Default);
        if (csr.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(accountKeySpki))
        {
            throw AcmeIssuanceRejectedException.BadPublicKey("The certificate key must not be the account key.");
        }

        var request = new CertificateRequest(new X500DistinguishedName("CN=" + identifiers[0].Value), csr.PublicKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var identifier in identifiers)
        {
            if (identifier.Type == AcmeIdentifier.IpType)
            {
                san.AddIpAddress(IPAddress.Parse(identifier.Value));
            }
            else
            {
                san.AddDnsName(identifier.Value);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_root, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-1);
        var notAfter = notBefore.AddDays(profile == "shortlived" ? 6 : 90);
        using var leaf = request.Create(_root, notBefore, notAfter, serial);
        var leafPem = PemEncoding.WriteString("CERTIFICATE", leaf.RawData);
        var rootPem = PemEncoding.WriteString("CERTIFICATE", _root.RawData);
        var ski = _root.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray();
        Issued++;
        return Task.FromResult(new AcmeIssuedChains(
            leaf.SerialNumber,
            [leafPem + "\n" + rootPem + "\n", leafPem + "\n"],
            leaf.NotBefore.ToUniversalTime(),
            leaf.NotAfter.ToUniversalTime(),
            ski,
            serial));
    }

    public Task RevokeAsync(string serialNumber, int reason, DateTimeOffset revokedAt, CancellationToken cancellationToken)
    {
        lock (Revoked)
        {
            Revoked.Add((serialNumber, reason));
        }

        return Task.CompletedTask;
    }

    public void Dispose() => _root.Dispose();
}

/// <summary>A validator that accepts (or refuses) without network, optionally held until released.</summary>
internal sealed class TestValidator(string type) : IAcmeChallengeValidator
{
    public string Type { get; } = type;

    public bool Accept { get; set; } = true;

    public TaskCompletionSource? Gate { get; set; }

    /// <summary>How many attempts fail retryably (a transient error) before the answer.</summary>
    public int TransientFailures { get; set; }

    public List<string> KeyAuthorizations { get; } = [];

    public bool Supports(AcmeIdentifier identifier) =>
        Type == "dns-01" ? identifier.Type == AcmeIdentifier.DnsType : !identifier.IsWildcard;

    public async Task<AcmeChallengeCheck> ValidateAsync(AcmeIdentifier identifier, string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        lock (KeyAuthorizations)
        {
            KeyAuthorizations.Add(keyAuthorization);
            if (TransientFailures > 0)
            {
                TransientFailures--;
                return new AcmeChallengeCheck(false, new AcmeProblem { Type = AcmeProblemTypes.Connection, Detail = "refused" }, IsRetryable: true);
            }
        }

        return Accept
            ? AcmeChallengeCheck.Valid
            : new AcmeChallengeCheck(false, new AcmeProblem { Type = AcmeProblemTypes.IncorrectResponse, Detail = "test validator refused" });
    }
}

/// <summary>The server in Kestrel on 127.0.0.1 with a free port, a test CA and test validators.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, Uri root, TestIssuer issuer, TestValidator http01)
    {
        _app = app;
        Root = root;
        Issuer = issuer;
        Http01 = http01;
    }

    public Uri Root { get; }

    public Uri DirectoryUri => new(Root, "/acme/directory");

    public TestIssuer Issuer { get; }

    public TestValidator Http01 { get; }

    public IServiceProvider Services => _app.Services;

    internal IAcmeServerStore Store => _app.Services.GetRequiredService<IAcmeServerStore>();

    public static async Task<TestServer> StartAsync(string databasePath, Action<AcmeServerOptions>? configure = null, TestIssuer? issuer = null, TestValidator? http01 = null, TimeProvider? time = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("ACME_SERVER_TEST_LOG") is not null)
        {
            builder.Logging.AddConsole();
        }
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        issuer ??= new TestIssuer();
        http01 ??= new TestValidator("http-01");
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        services?.Invoke(builder.Services);
        builder.Services.AddSingleton<IAcmeCertificateIssuerBackend>(issuer);
        if (http01.Type.Length > 0)
        {
            builder.Services.AddSingleton<IAcmeChallengeValidator>(http01);
        }
        builder.Services.AddSingleton<IAcmeChallengeValidator>(new TestValidator("dns-01"));
        builder.Services.AddAcmeServer(o =>
        {
            o.DatabasePath = databasePath;
            o.RetryAfter = TimeSpan.FromSeconds(1);
            o.Validation.EnforceCaa = false; // tests of CAA register their own policy
            configure?.Invoke(o);
        });
        var app = builder.Build();
        app.MapAcmeServer();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestServer(app, new Uri(address), issuer, http01);
    }

    public AcmeClient CreateClient() =>
        new(new HttpClient { Timeout = TimeSpan.FromSeconds(30) }, new AcmeClientOptions { DirectoryUri = DirectoryUri, AllowInsecureHttp = true, PollTimeout = TimeSpan.FromSeconds(30) });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A temporary directory for one test's database.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pki-acme-server-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Database => System.IO.Path.Combine(Path, "acme.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Builds raw JWS requests for the hostile-client tests.</summary>
internal sealed class RawJws : IDisposable
{
    public RawJws() => Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public ECDsa Key { get; }

    public string Jwk
    {
        get
        {
            var p = Key.ExportParameters(false);
            return $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{WebEncoders.Base64UrlEncode(p.Q.X!)}\",\"y\":\"{WebEncoders.Base64UrlEncode(p.Q.Y!)}\"}}";
        }
    }

    public string Sign(string url, string? nonce, string? payload, string? kid = null, string alg = "ES256", bool corruptSignature = false)
    {
        var header = new StringBuilder($"{{\"alg\":\"{alg}\",");
        header.Append(kid is null ? $"\"jwk\":{Jwk}," : $"\"kid\":\"{kid}\",");
        if (nonce is not null)
        {
            header.Append($"\"nonce\":\"{nonce}\",");
        }

        header.Append($"\"url\":\"{url}\"}}");
        var protectedPart = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(header.ToString()));
        var payloadPart = payload is null ? string.Empty : WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(payload));
        var signature = Key.SignData(Encoding.ASCII.GetBytes(protectedPart + "." + payloadPart), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        if (corruptSignature)
        {
            signature[5] ^= 0x01;
        }

        return JsonSerializer.Serialize(new Dictionary<string, string> { ["protected"] = protectedPart, ["payload"] = payloadPart, ["signature"] = WebEncoders.Base64UrlEncode(signature) });
    }

    public void Dispose() => Key.Dispose();
}
