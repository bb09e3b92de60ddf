using Npgsql;
using Pki.TestSupport;
using Xunit.Abstractions;

namespace Pki.TestSupport.Tests;

public sealed class PostgresServerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Starts_a_cluster_that_Npgsql_reaches_creates_databases_and_is_gone_after_dispose()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var server = await PostgresServer.StartAsync(output);
        output.WriteLine($"postgres initdb + start: {clock.Elapsed.TotalSeconds:0.0} s");
        string directory;
        await using (server)
        {
            directory = server.Directory;
            Assert.True(Directory.Exists(Path.Combine(directory, "data")));

            var connectionString = await server.CreateDatabaseAsync("fixture_test");
            Assert.Contains("Database=fixture_test", connectionString, StringComparison.Ordinal);
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            Assert.Equal(1, await command.ExecuteScalarAsync());
            await using var name = new NpgsqlCommand("SELECT current_database() || '/' || current_user", connection);
            Assert.Equal("fixture_test/pki", await name.ExecuteScalarAsync());

            await using var admin = new NpgsqlConnection(server.ConnectionString);
            await admin.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = 'fixture_test'", admin);
            Assert.Equal(1L, await count.ExecuteScalarAsync());
        }

        output.WriteLine($"postgres start, create, query, stop: {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(server.Process is null);
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task Kill_drops_connections_and_restart_recovers_the_committed_data()
    {
        await using var server = await PostgresServer.StartAsync(output);
        var connectionString = await server.CreateDatabaseAsync("crash_test");
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE t (v int); INSERT INTO t VALUES (42);", connection);
            await create.ExecuteNonQueryAsync();

            await server.KillAsync();
            Assert.Null(server.Process);
            await using var dead = new NpgsqlCommand("SELECT 1", connection);
            await Assert.ThrowsAnyAsync<Exception>(() => dead.ExecuteScalarAsync());
        }

        await using (var refused = new NpgsqlConnection(connectionString))
        {
            await Assert.ThrowsAsync<NpgsqlException>(() => refused.OpenAsync());
        }

        await server.RestartAsync();
        await using var again = new NpgsqlConnection(connectionString);
        await again.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT v FROM t", again);
        Assert.Equal(42, await read.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Bad_database_names_are_refused_and_a_second_create_fails_with_psql_output_in_the_message()
    {
        await using var server = await PostgresServer.StartAsync(output);
        foreach (var name in new[] { "Upper", "a;drop", string.Empty, "1abc", new string('a', 64) })
        {
            var bad = await Assert.ThrowsAsync<ArgumentException>(() => server.CreateDatabaseAsync(name));
            Assert.Contains("not a plain identifier", bad.Message, StringComparison.Ordinal);
        }

        await server.CreateDatabaseAsync("twice");
        var ex = await Assert.ThrowsAsync<ExternalProcessException>(() => server.CreateDatabaseAsync("twice"));
        Assert.Contains("already exists", ex.Message, StringComparison.Ordinal);
    }
}
