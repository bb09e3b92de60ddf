using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Pki.TestSupport;
using Xunit.Abstractions;

namespace Pki.Acme.Tests.Interop;

/// <summary>
/// One real Pebble (with one alternate root) for the interop collection, with the client-side
/// http-01 and tls-alpn-01 responders listening on the ports Pebble's validator connects to,
/// and pebble-challtestsrv as its DNS (A: 127.0.0.1; TXT set through <see cref="DnsProvider"/>).
/// </summary>
public sealed class PebbleFixture : IAsyncLifetime
{
    public PebbleServer Pebble { get; private set; } = null!;

    public InMemoryHttp01TokenStore TokenStore { get; } = new();

    public Http01Responder HttpResponder { get; private set; } = null!;

    public InMemoryTlsAlpn01ChallengeStore TlsStore { get; } = new();

    public TlsAlpn01Responder TlsResponder { get; private set; } = null!;

    public ChallTestDnsProvider DnsProvider { get; private set; } = null!;

    public X509Certificate2 Root { get; private set; } = null!;

    public X509Certificate2 AlternateRoot { get; private set; } = null!;

    private readonly List<HttpClient> _clients = [];

    public async Task InitializeAsync()
    {
        Pebble = await PebbleServer.StartAsync(new PebbleOptions { AlternateRoots = 1 });
        HttpResponder = Http01Responder.Start(TokenStore, Pebble.HttpPort);
        TlsResponder = TlsAlpn01Responder.Start(TlsStore, new IPEndPoint(IPAddress.Loopback, Pebble.TlsPort));
        DnsProvider = new ChallTestDnsProvider(Pebble.Dns!);
        Root = await Pebble.GetRootAsync(0);
        AlternateRoot = await Pebble.GetRootAsync(1);
    }

    public AcmeClient CreateClient(ITestOutputHelper? output = null, Action<AcmeClientOptions>? configure = null) =>
        CreateClient(Pebble, output, configure, _clients);

    internal static AcmeClient CreateClient(PebbleServer pebble, ITestOutputHelper? output, Action<AcmeClientOptions>? configure, List<HttpClient> owned)
    {
        var http = pebble.CreateHttpClient();
        lock (owned)
        {
            owned.Add(http);
        }

        var options = new AcmeClientOptions { DirectoryUri = pebble.DirectoryUri };
        configure?.Invoke(options);
        return new AcmeClient(http, options, output is null ? null : new TestOutputLogger(output));
    }

    public async Task<AcmeAccount> NewAccountAsync(AcmeClient client, AcmeKeyAlgorithm algorithm = AcmeKeyAlgorithm.ES256) =>
        await client.CreateAccountAsync(AcmeKey.Create(algorithm), new AcmeNewAccountRequest { TermsOfServiceAgreed = true, Contacts = ["mailto:ops@example.test"] });

    public static string UniqueName(string label) => $"{label}-{Guid.NewGuid():N}"[..(label.Length + 13)] + ".example.test";

    /// <summary>Builds the chain of <paramref name="chain"/> against <paramref name="root"/> only; returns the X509Chain status text when it fails.</summary>
    public static void AssertChainsTo(AcmeCertificateChain chain, X509Certificate2 root)
    {
        using var certificates = new DisposableCollection(chain.LoadAll());
        using var x509 = new X509Chain();
        x509.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        x509.ChainPolicy.CustomTrustStore.Add(root);
        x509.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        foreach (var intermediate in certificates.Items.Skip(1))
        {
            x509.ChainPolicy.ExtraStore.Add(intermediate);
        }

        var ok = x509.Build(certificates.Items[0]);
        Assert.True(ok, "chain did not build to " + root.Subject + ": " + string.Join("; ", x509.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(root.Thumbprint, x509.ChainElements[^1].Certificate.Thumbprint);
    }

    public async Task DisposeAsync()
    {
        await HttpResponder.DisposeAsync();
        await TlsResponder.DisposeAsync();
        await Pebble.DisposeAsync();
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        Root?.Dispose();
        AlternateRoot?.Dispose();
    }

    private sealed class DisposableCollection(X509Certificate2Collection items) : IDisposable
    {
        public X509Certificate2Collection Items { get; } = items;

        public void Dispose()
        {
            foreach (var item in Items)
            {
                item.Dispose();
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PebbleCollection : ICollectionFixture<PebbleFixture>
{
    public const string Name = "pebble";
}

/// <summary>
/// An <see cref="IDnsProvider"/> over pebble-challtestsrv's management API, which adds values one
/// by one but clears a name as a whole: the provider keeps the values per name.
/// </summary>
public sealed class ChallTestDnsProvider(ChallTestServer server) : IDnsProvider
{
    private readonly ConcurrentDictionary<string, List<string>> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _lock = new(1, 1);

    public int Published => _values.Values.Sum(v => v.Count);

    public async Task PublishTxtAsync(string recordName, string value, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            _values.GetOrAdd(recordName, _ => []).Add(value);
            await server.SetTxtAsync(recordName, value, cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task RemoveTxtAsync(string recordName, string value, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            // challtestsrv can only clear a name as a whole. Clearing and re-adding the other values
            // would leave a moment in which a concurrent validation of a sibling authorization (a
            // wildcard and its base name share the name) sees no record, so the name is cleared only
            // once its last value is removed; a value left behind a little longer is harmless.
            var values = _values.GetOrAdd(recordName, _ => []);
            values.Remove(value);
            if (values.Count == 0)
            {
                _values.TryRemove(recordName, out _);
                await server.ClearTxtAsync(recordName, cancellationToken);
            }
        }
        finally
        {
            _lock.Release();
        }
    }
}
