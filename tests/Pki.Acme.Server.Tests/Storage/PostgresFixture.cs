using Pki.TestSupport;

namespace Pki.Acme.Server.Tests.Storage;

/// <summary>One real PostgreSQL cluster per test collection (startup is seconds); each test creates its own database.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL fixture has not started.");

    /// <summary>A fresh, empty database for one test; returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync() => Server.CreateDatabaseAsync("t_" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}

/// <summary>The fault tests kill and restart their server, so they get a cluster of their own.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresFaultCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL faults";
}
