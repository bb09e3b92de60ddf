using Pki.TestSupport;
using Xunit.Abstractions;

namespace Pki.TestSupport.Tests;

/// <summary>A real Pebble (its own ports, so each test class gets its own) and a CA bundle file with its listener certificate.</summary>
public class AcmeCliPebbleFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();

    public PebbleServer Pebble => _pebble ?? throw new InvalidOperationException("Pebble did not start.");

    private PebbleServer? _pebble;

    public string CaBundlePath { get; private set; } = null!;

    // Pebble rejects 5% of nonces by default, and certbot retries a badNonce only once: over the
    // dozens of requests of an obtain/renew/revoke run, two rejections in a row happen often
    // enough to fail CI now and then (seen: a renewal failed with badNonce twice). These tests
    // check the certbot/lego harness, not Pebble's nonce fault, which Pki.Acme's own tests inject
    // at 100%, so the injection is off here.
    protected virtual PebbleOptions Options => new() { Environment = NoNonceRejection };

    protected static IReadOnlyDictionary<string, string?> NoNonceRejection { get; } =
        new Dictionary<string, string?> { ["PEBBLE_WFE_NONCEREJECT"] = "0" };

    public AcmeCliOptions ClientOptions(ITestOutputHelper output) => new()
    {
        DirectoryUri = Pebble.DirectoryUri,
        CaBundlePath = CaBundlePath,
        Output = output,
        Timeout = TimeSpan.FromSeconds(90),
    };

    public async Task InitializeAsync()
    {
        _pebble = await PebbleServer.StartAsync(Options);
        CaBundlePath = await TestCertificateAuthorityFiles.WritePemBundleAsync(Path.Combine(_directory.Path, "pebble-listener.pem"), Pebble.ListenerCertificate);
    }

    public async Task DisposeAsync()
    {
        if (_pebble is not null)
        {
            await _pebble.DisposeAsync();
        }

        _directory.Dispose();
    }

    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}.example.test";
}

public sealed class EabPebbleFixture : AcmeCliPebbleFixture
{
    public const string KeyId = "kid-cli";

    // 32 random-looking bytes, base64url without padding, as Pebble and both clients expect.
    public const string MacKey = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";

    protected override PebbleOptions Options => new()
    {
        ExternalAccountBindingRequired = true,
        ExternalAccountMacKeys = new Dictionary<string, string> { [KeyId] = MacKey },
        Environment = NoNonceRejection,
    };
}
