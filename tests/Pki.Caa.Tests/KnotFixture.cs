using Pki.TestSupport;

namespace Pki.Caa.Tests;

/// <summary>One knotd for the test collection, serving Zones/ on a free loopback port (plus a SERVFAIL zone).</summary>
public sealed class KnotFixture : IAsyncLifetime
{
    public KnotServer Server { get; private set; } = null!;

    public string NameServer => $"127.0.0.1:{Server.Port}";

    public async Task InitializeAsync() => Server = await KnotServer.StartAsync(TestZones.ForKnot());

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public DnsCaaResolver CreateResolver(Action<DnsCaaResolverOptions>? configure = null)
    {
        var options = new DnsCaaResolverOptions { Timeout = TimeSpan.FromSeconds(5), Retries = 1 };
        options.NameServers.Add(NameServer);
        configure?.Invoke(options);
        return new DnsCaaResolver(options);
    }
}

[CollectionDefinition(Name)]
public sealed class KnotTests : ICollectionFixture<KnotFixture>
{
    public const string Name = "knotd";
}
