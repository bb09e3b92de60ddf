using Pki.TestSupport;
using StackExchange.Redis;

namespace Pki.Acme.Redis.Tests;

/// <summary>A real redis-server on loopback, and a connection to it.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RedisServer.StartAsync();
        Connection = await ConnectionMultiplexer.ConnectAsync(Server.Configuration);
    }

    public RedisCertificateStore NewStore() => new(Connection, new RedisCertificateStoreOptions { KeyPrefix = "test-" + Guid.NewGuid().ToString("N")[..8] + ":" });

    public async Task DisposeAsync()
    {
        await Connection.DisposeAsync();
        await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}
