using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Pki.Acme.Server.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Stores the embedded ACME server's state in PostgreSQL instead of SQLite.</summary>
public static class AcmeServerPostgresServiceCollectionExtensions
{
    /// <summary>
    /// Makes PostgreSQL the ACME server's store, replacing the SQLite default (call it before or after
    /// <c>AddAcmeServer</c>). Several server instances behind one load balancer share one database: a nonce issued by
    /// one is honoured by the others, an order started on one finishes on another, and each challenge and each
    /// finalization is processed by exactly one instance. The tables (prefixed <c>acme_</c>) are created at start-up.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="connectionString">An Npgsql connection string, e.g. <c>Host=db;Database=acme;Username=acme;Password=...</c>;
    /// its <c>Command Timeout</c> (default 30 s) bounds every command. It is never repeated in messages or logs.</param>
    /// <exception cref="ArgumentException">The connection string is empty or malformed.</exception>
    public static IServiceCollection AddAcmeServerPostgres(this IServiceCollection services, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(services);
        var settings = PostgresAcmeServerStore.Parse(connectionString);
        return services.Replace(ServiceDescriptor.Singleton<IAcmeServerStore>(_ => new PostgresAcmeServerStore(NpgsqlDataSource.Create(settings), ownsDataSource: true)));
    }

    /// <summary>
    /// Makes PostgreSQL, reached through <paramref name="dataSource"/>, the ACME server's store (see
    /// <see cref="AddAcmeServerPostgres(IServiceCollection, string)"/>). The data source stays the caller's to dispose.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="dataSource">The data source (its connection string's <c>Command Timeout</c> bounds every command).</param>
    public static IServiceCollection AddAcmeServerPostgres(this IServiceCollection services, NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(dataSource);
        return services.Replace(ServiceDescriptor.Singleton<IAcmeServerStore>(_ => new PostgresAcmeServerStore(dataSource)));
    }
}
