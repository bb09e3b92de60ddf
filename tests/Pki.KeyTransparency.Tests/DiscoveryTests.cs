using System.Net;
using DnsClient;
using Pki.KeyTransparency.Discovery;
using Pki.TestSupport;
using Xunit.Abstractions;

namespace Pki.KeyTransparency.Tests;

/// <summary>knotd on loopback serving key transparency SRV records, shared by the discovery tests.</summary>
public sealed class KnotFixture : IAsyncLifetime
{
    public KnotServer Knot { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        const string Soa = "@ SOA ns1.kt.test. hostmaster.kt.test. 1 3600 600 86400 60\n@ NS ns1.kt.test.\n";
        Knot = await KnotServer.StartAsync(
        [
            new KnotZone("test", "$ORIGIN test.\n$TTL 60\n" + Soa),
            new KnotZone("kt.test", "$ORIGIN kt.test.\n$TTL 60\n" + Soa +
                "ns1 A 127.0.0.1\n" +
                "_sm._keytransparency._https SRV 10 60 8443 kt-a.kt.test.\n" +
                "_sm._keytransparency._https SRV 10 20 8444 kt-b.kt.test.\n" +
                "_sm._keytransparency._https SRV 10 0 8445 kt-zero.kt.test.\n" +
                "_sm._keytransparency._https SRV 20 5 443 backup.kt.test.\n" +
                "_sm._keytransparency._https.declined SRV 0 0 0 .\n" +
                "_sm._keytransparency._https.hash SRV 10 0 443 evil.com\\035.kt.test.\n" +
                "_sm._keytransparency._https.at SRV 10 0 443 user\\064evil.kt.test.\n" +
                "_sm._keytransparency._https.mixed SRV 10 0 443 good.kt.test.\n" +
                "_sm._keytransparency._https.mixed SRV 20 0 443 evil.com\\047x.kt.test.\n" +
                "_acme._tcp SRV 10 5 443 other.kt.test.\n" +
                "plain A 127.0.0.3\n"),
            new KnotZone("broken.test", null),
        ]);
    }

    public async Task DisposeAsync() => await Knot.DisposeAsync();
}

public sealed class DiscoveryTests : IClassFixture<KnotFixture>
{
    private readonly KnotFixture _fixture;

    public DiscoveryTests(KnotFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        fixture.Knot.Process.Output = output;
    }

    private KeyTransparencyServiceDiscovery Discovery(int seed = 1) =>
        new(new LookupClient(new LookupClientOptions(new NameServer(_fixture.Knot.EndPoint))
        {
            UseCache = false,
            Retries = 0,
            Timeout = TimeSpan.FromSeconds(3),
            ThrowDnsErrors = false,
        }), new Random(seed));

    [Fact]
    public async Task Published_records_are_found_and_ordered_by_priority()
    {
        var result = await Discovery().DiscoverAsync("kt.test");
        Assert.Equal(KeyTransparencyDiscoveryStatus.Found, result.Status);
        Assert.Equal("_sm._keytransparency._https.kt.test", result.QueryName);
        Assert.Equal(4, result.Endpoints.Count);
        Assert.Equal(["kt-a.kt.test", "kt-b.kt.test", "kt-zero.kt.test"], result.Endpoints.Take(3).Select(e => e.Host).Order());
        Assert.Equal(new KeyTransparencyEndpoint("backup.kt.test", 443, 20, 5), result.Endpoints[3]);
        Assert.Equal(new Uri("https://backup.kt.test/"), result.Endpoints[3].BaseUri);
        Assert.Equal(10, result.Preferred!.Priority);
    }

    [Fact]
    public async Task Weights_share_the_first_choice_in_proportion()
    {
        var discovery = Discovery(seed: 12345);
        var firsts = new Dictionary<string, int>();
        for (var i = 0; i < 400; i++)
        {
            var host = (await discovery.DiscoverAsync("kt.test")).Preferred!.Host;
            firsts[host] = firsts.GetValueOrDefault(host) + 1;
        }

        // Weights 60 : 20 : 0 out of 80 (plus the one zero-weight draw in 81).
        Assert.InRange(firsts["kt-a.kt.test"], 250, 340);
        Assert.InRange(firsts["kt-b.kt.test"], 60, 140);
        Assert.InRange(firsts.GetValueOrDefault("kt-zero.kt.test"), 0, 20);
    }

    [Theory]
    [InlineData("plain.kt.test")]
    [InlineData("nothing-here.kt.test")]
    [InlineData("KT.TEST.")]
    public async Task Missing_records_mean_none_published(string domain)
    {
        var result = await Discovery().DiscoverAsync(domain);
        if (domain == "KT.TEST.")
        {
            Assert.Equal(KeyTransparencyDiscoveryStatus.Found, result.Status);
            Assert.Equal("kt.test", result.Domain);
            return;
        }

        Assert.Equal(KeyTransparencyDiscoveryStatus.NonePublished, result.Status);
        Assert.Empty(result.Endpoints);
        Assert.Null(result.Preferred);
    }

    [Fact]
    public async Task A_dot_target_means_declined()
    {
        var result = await Discovery().DiscoverAsync("declined.kt.test");
        Assert.Equal(KeyTransparencyDiscoveryStatus.Declined, result.Status);
        Assert.Empty(result.Endpoints);
    }

    [Fact]
    public async Task Server_failure_is_an_error_not_none()
    {
        var error = await Assert.ThrowsAsync<KeyTransparencyDiscoveryException>(() => Discovery().DiscoverAsync("broken.test"));
        Assert.Equal("_sm._keytransparency._https.broken.test", error.QueryName);
        Assert.StartsWith("The SRV lookup of _sm._keytransparency._https.broken.test failed with ServerFailure", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dead_server_is_an_error()
    {
        var port = FreePorts.TcpAndUdp();
        var discovery = new KeyTransparencyServiceDiscovery(new LookupClient(new LookupClientOptions(new NameServer(new IPEndPoint(IPAddress.Loopback, port)))
        {
            UseCache = false,
            Retries = 0,
            Timeout = TimeSpan.FromMilliseconds(300),
            UseTcpFallback = false,
        }));
        var error = await Assert.ThrowsAsync<KeyTransparencyDiscoveryException>(() => discovery.DiscoverAsync("kt.test"));
        Assert.StartsWith("The SRV lookup of _sm._keytransparency._https.kt.test failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Labels_are_checked_after_idn_conversion()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Discovery().DiscoverAsync("a*b.example"));
        Assert.Equal("'a*b.example' is not a valid domain name: the label 'a*b' must be 1 to 63 letters, digits or hyphens, not starting or ending with a hyphen. (Parameter 'domain')", error.Message);
    }

    [Fact]
    public async Task Cancellation_is_honoured()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Discovery().DiscoverAsync("kt.test", cts.Token));
    }

    [Theory]
    [InlineData("", "The domain is empty; give an email domain such as example.com.")]
    [InlineData("bad..name", "'bad..name' is not a valid domain name")]
    [InlineData("-lead.example", "'-lead.example' is not a valid domain name")]
    [InlineData("under_score!.example", "'under_score!.example' is not a valid domain name")]
    [InlineData("sp ace.example", "'sp ace.example' is not a valid domain name")]
    [InlineData("bücher..example", "'bücher..example' is not a valid domain name: ")]
    [InlineData("a\u0378.example", "'a\u0378.example' is not a valid domain name: ")]
    public async Task Invalid_domains_are_rejected_by_name(string domain, string messageStart)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Discovery().DiscoverAsync(domain));
        Assert.StartsWith(messageStart, error.Message, StringComparison.Ordinal);
        Assert.Equal("domain", error.ParamName);
    }

    [Theory]
    [InlineData("hash.kt.test", "evil.com#.kt.test.")]
    [InlineData("at.kt.test", "user@evil.kt.test.")]
    [InlineData("mixed.kt.test", "evil.com/x.kt.test.")]
    public async Task A_target_that_is_not_a_host_name_is_refused_by_name(string domain, string target)
    {
        // "evil.com#.kt.test" ends in ".kt.test", but https://evil.com#.kt.test:443/ is evil.com.
        var error = await Assert.ThrowsAsync<KeyTransparencyDiscoveryException>(() => Discovery().DiscoverAsync(domain));

        Assert.Equal("_sm._keytransparency._https." + domain, error.QueryName);
        Assert.Equal(
            $"The SRV record of _sm._keytransparency._https.{domain} names the target '{target}', which is not a host name: labels of 1 to 63 letters, digits or hyphens, not starting or ending with a hyphen, at most 253 characters in all.",
            error.Message);
    }

    [Theory]
    [InlineData("kt-a.kt.test", true)]
    [InlineData("x", true)]
    [InlineData("A1.Example.ORG", true)]
    [InlineData("evil.com#", false)]
    [InlineData("evil.com#.example.org", false)]
    [InlineData("a/b.example.org", false)]
    [InlineData("a?b.example.org", false)]
    [InlineData("user@evil.example.org", false)]
    [InlineData("evil.example.org:444", false)]
    [InlineData("a%2eb.example.org", false)]
    [InlineData("a b.example.org", false)]
    [InlineData("a\\035b.example.org", false)]
    [InlineData("a..b", false)]
    [InlineData(".a", false)]
    [InlineData("-a.example.org", false)]
    [InlineData("a-.example.org", false)]
    [InlineData("_srv.example.org", false)]
    [InlineData("", false)]
    public void Host_names_are_ldh_labels(string name, bool expected)
    {
        Assert.Equal(expected, KeyTransparencyServiceDiscovery.IsHostName(name));
    }

    [Fact]
    public void Host_names_are_bounded_per_label_and_in_all()
    {
        var label63 = new string('a', 63);
        Assert.True(KeyTransparencyServiceDiscovery.IsHostName(label63 + ".example"));
        Assert.False(KeyTransparencyServiceDiscovery.IsHostName(label63 + "a.example"));
        var name253 = string.Join(".", Enumerable.Repeat(label63, 3)) + "." + new string('b', 61);
        Assert.Equal(253, name253.Length);
        Assert.True(KeyTransparencyServiceDiscovery.IsHostName(name253));
        Assert.False(KeyTransparencyServiceDiscovery.IsHostName(name253 + "b"));
    }

    [Fact]
    public void An_endpoint_whose_host_is_not_the_uri_host_has_no_base_uri()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new KeyTransparencyEndpoint("evil.com#.kt.test", 443, 0, 0).BaseUri);
        Assert.Equal("The host 'evil.com#.kt.test' is not a host name: as a URI it points at 'evil.com'.", error.Message);
        Assert.Equal(new Uri("https://kt-a.kt.test:8443/"), new KeyTransparencyEndpoint("kt-a.kt.test", 8443, 0, 0).BaseUri);
    }

    [Fact]
    public void Rfc2782_selection_follows_the_running_sum()
    {
        List<KeyTransparencyEndpoint> records =
        [
            new("a", 1, 10, 60),
            new("b", 1, 10, 20),
            new("z", 1, 10, 0),
            new("low", 1, 5, 1),
        ];

        // Priority 5 first. Then zero-weight first in the running order: z(0), a(60), b(80).
        // Draw 0 picks z; then a(60), b(80): draw 61 picks b; then a.
        var draws = new Queue<int>([1, 0, 61, 0]);
        var order = KeyTransparencyServiceDiscovery.OrderByPriorityAndWeight(records, _ => draws.Dequeue());
        Assert.Equal(["low", "z", "b", "a"], order.Select(r => r.Host));

        draws = new Queue<int>([0, 60, 20, 0]);
        order = KeyTransparencyServiceDiscovery.OrderByPriorityAndWeight(records, _ => draws.Dequeue());
        Assert.Equal(["low", "a", "b", "z"], order.Select(r => r.Host));
    }
}
