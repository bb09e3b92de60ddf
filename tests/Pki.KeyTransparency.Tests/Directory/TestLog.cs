using System.Text;
using Microsoft.Extensions.Time.Testing;
using Pki.KeyTransparency.Directory;
using Bc25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace Pki.KeyTransparency.Tests.Directory;

/// <summary>A log, its clock and one user; users of other TestLogs can share the log's keys (a fork) or its clock.</summary>
internal sealed class TestLog
{
    public const ulong MaxBehind = 60_000;
    public const ulong MaxAhead = 1_000;
    private const long Start = 1_700_000_000_000;
    private static readonly byte[] Seed = Enumerable.Range(70, 32).Select(i => (byte)i).ToArray();

    public TestLog(ulong reasonableMonitoringWindow, KeyTransparencyCipherSuite? suite = null, ulong? maximumLifetime = null)
    {
        suite ??= KeyTransparencyCipherSuite.Ed25519;
        var vrf = suite.CreateVrf();
        var vrfKey = vrf.GenerateKeyPair();
        using var ecdsa = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var ecdsaKey = ecdsa.ExportParameters(true);
        var publicKey = new byte[32];
        Bc25519.GeneratePublicKey(Seed, 0, publicKey, 0);
        Config = new LogConfiguration
        {
            CipherSuite = suite,
            Mode = DeploymentMode.ContactMonitoring,
            SignaturePublicKey = suite == KeyTransparencyCipherSuite.P256 ? TreeHead.EncodeP256PublicKey(ecdsa) : publicKey,
            VrfPublicKey = vrfKey.PublicKey.ToArray(),
            MaxAhead = MaxAhead,
            MaxBehind = MaxBehind,
            ReasonableMonitoringWindow = reasonableMonitoringWindow,
            MaximumLifetime = maximumLifetime,
        };
        Time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(Start));
        var config = Config;
        Sign = suite == KeyTransparencyCipherSuite.P256
            ? (size, root) =>
            {
                using var key = System.Security.Cryptography.ECDsa.Create(ecdsaKey);
                return TreeHead.Sign(config, size, root, key);
            }
            : (size, root) => TreeHead.Sign(config, size, root, Seed);
        VrfKey = vrfKey;
        Directory = new KeyTransparencyDirectory(Config, vrf, vrfKey, Sign, Time);
        Client = new DirectoryClient(Config, suite.CreateVrf(), Time);
    }

    // Same keys and configuration, a directory of its own (a fork when it diverges), the same clock unless given.
    public TestLog(TestLog other, FakeTimeProvider? clientTime = null)
    {
        Config = other.Config;
        Time = other.Time;
        Sign = other.Sign;
        VrfKey = other.VrfKey;
        Directory = new KeyTransparencyDirectory(Config, Config.CipherSuite.CreateVrf(), VrfKey, Sign, Time);
        Client = new DirectoryClient(Config, Config.CipherSuite.CreateVrf(), clientTime ?? Time);
    }

    public LogConfiguration Config { get; }

    public FakeTimeProvider Time { get; }

    public KeyTransparencyDirectory Directory { get; }

    public DirectoryClient Client { get; }

    private Func<ulong, byte[], TreeHead> Sign { get; }

    private Pki.KeyTransparency.Vrf.VrfKeyPair VrfKey { get; }

    public static byte[] Label(int i) => Encoding.ASCII.GetBytes($"user{i}@example.com");

    public static byte[] Value(int i) => Encoding.ASCII.GetBytes($"certificate {i}");

    public static (uint Version, byte[] Value) Unpack((uint Version, UpdateValue Value) result) => (result.Version, result.Value.Value);

    // Entries i = 0..n-1: label 1 gets versions in entries 0, 2, 4...; label 2 in the others.
    public static TestLog WithEntries(int n, TestLog? keys = null, ulong? maximumLifetime = null)
    {
        var log = keys is null ? new TestLog(reasonableMonitoringWindow: 2500, maximumLifetime: maximumLifetime) : new TestLog(keys);
        for (var i = 0; i < n; i++)
        {
            log.Time.Advance(TimeSpan.FromSeconds(1));
            log.Directory.Update([(Label(1 + (i % 2)), Value(i))]);
        }

        return log;
    }

    // Through the wire encodings: the request and the response are encoded and decoded on the way.
    public (uint Version, byte[] Value) Search(byte[] label, uint? version = null)
    {
        var request = Client.CreateSearch(label, version);
        var received = SearchRequest.Decode(request.Encode());
        var response = SearchResponse.Decode(Directory.Search(received).Encode(Config), Config, request);
        return Unpack(Client.VerifySearch(request, response));
    }

    // Contact monitoring through the wire encodings; the new map.
    public IReadOnlyDictionary<long, uint> Monitor(byte[] label)
    {
        var request = Client.CreateContactMonitor(label);
        var response = CombinedTreeResponse.Decode(Directory.MonitorContact(ContactMonitorRequest.Decode(request.Encode())).Encode());
        return Client.VerifyContactMonitor(request, response);
    }

    // Walking the recent distinguished entries through the wire encodings.
    public IReadOnlyList<(long Entry, ulong Timestamp)> Distinguished(int recent, ulong? stop)
    {
        var request = Client.CreateDistinguished(stop);
        var response = CombinedTreeResponse.Decode(Directory.WalkDistinguished(DistinguishedRequest.Decode(request.Encode()), recent).Encode());
        return Client.VerifyDistinguished(request, response, recent);
    }

    // A search by a user who has seen nothing before, against this log's directory.
    public (uint Version, byte[] Value) SearchFresh(byte[] label, uint version)
    {
        var client = new DirectoryClient(Config, Config.CipherSuite.CreateVrf(), Time);
        var request = client.CreateSearch(label, version);
        return Unpack(client.VerifySearch(request, Directory.Search(request)));
    }
}
