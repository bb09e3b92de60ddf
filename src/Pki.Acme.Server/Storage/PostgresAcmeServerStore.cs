using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Pki.Acme;
using Pki.Acme.Server.Protocol;

namespace Pki.Acme.Server.Storage;

/// <summary>
/// <see cref="IAcmeServerStore"/> on PostgreSQL, for several server instances behind one load balancer. The same
/// semantics as <see cref="SqliteAcmeServerStore"/>: nonces consumed with <c>DELETE ... RETURNING</c>, every state
/// transition a conditional <c>UPDATE ... WHERE status = expected</c> (under READ COMMITTED a second updater waits
/// for the first and then finds the row no longer matching, so exactly one instance wins), uniqueness of account
/// keys and EAB bindings enforced by unique constraints. Tables are prefixed <c>acme_</c>.
/// </summary>
internal sealed class PostgresAcmeServerStore : IAcmeServerStore, IAsyncDisposable
{
    // Any constant: serializes schema creation between instances starting at once (CREATE TABLE IF NOT EXISTS is
    // not safe against a concurrent creator by itself).
    private const long SchemaLockKey = 0x41434D4553525652; // "ACMESRVR"
    private const int DefaultCommandTimeoutSeconds = 30;
    private const string UniqueViolation = "23505";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS acme_nonces (value TEXT PRIMARY KEY, expires TIMESTAMPTZ NOT NULL);
        CREATE INDEX IF NOT EXISTS acme_nonces_expires ON acme_nonces (expires);
        CREATE TABLE IF NOT EXISTS acme_accounts (id TEXT PRIMARY KEY, thumbprint TEXT NOT NULL UNIQUE, jwk TEXT NOT NULL, status TEXT NOT NULL,
            contact TEXT[] NOT NULL, created_at TIMESTAMPTZ NOT NULL, eab_kid TEXT UNIQUE);
        CREATE TABLE IF NOT EXISTS acme_orders (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, status TEXT NOT NULL, expires TIMESTAMPTZ NOT NULL,
            identifiers TEXT NOT NULL, authz_ids TEXT[] NOT NULL, profile TEXT NOT NULL, replaces TEXT, error TEXT, certificate_id TEXT);
        CREATE TABLE IF NOT EXISTS acme_authorizations (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, order_id TEXT NOT NULL, identifier_type TEXT NOT NULL,
            identifier_value TEXT NOT NULL, wildcard BOOLEAN NOT NULL, status TEXT NOT NULL, expires TIMESTAMPTZ NOT NULL);
        CREATE TABLE IF NOT EXISTS acme_challenges (id TEXT PRIMARY KEY, authz_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, token TEXT NOT NULL,
            status TEXT NOT NULL, validated TIMESTAMPTZ, error TEXT);
        CREATE INDEX IF NOT EXISTS acme_challenges_authz ON acme_challenges (authz_id);
        CREATE INDEX IF NOT EXISTS acme_challenges_processing ON acme_challenges (status) WHERE status = 'processing';
        CREATE TABLE IF NOT EXISTS acme_certificates (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, order_id TEXT NOT NULL, serial TEXT NOT NULL UNIQUE,
            ari_id TEXT NOT NULL UNIQUE, chains TEXT[] NOT NULL, not_before TIMESTAMPTZ NOT NULL, not_after TIMESTAMPTZ NOT NULL, window_start TIMESTAMPTZ,
            window_end TIMESTAMPTZ, revoked_at TIMESTAMPTZ, reason INTEGER, replaced_by TEXT);
        CREATE INDEX IF NOT EXISTS acme_certificates_revoked ON acme_certificates (revoked_at) WHERE revoked_at IS NOT NULL;
        ALTER TABLE acme_orders ADD COLUMN IF NOT EXISTS processing_at TIMESTAMPTZ;
        """;

    private const string AccountColumns = "SELECT " + StoreColumns.Account + " FROM acme_accounts";
    private const string OrderColumns = "SELECT " + StoreColumns.Order + " FROM acme_orders";
    private const string AuthorizationColumns = "SELECT " + StoreColumns.Authorization + " FROM acme_authorizations";
    private const string ChallengeColumns = "SELECT " + StoreColumns.Challenge + " FROM acme_challenges";
    private const string CertificateColumns = "SELECT " + StoreColumns.Certificate + " FROM acme_certificates";

    private static readonly PostgresColumns Columns = PostgresColumns.Instance;

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly int _commandTimeoutSeconds;

    /// <summary>Opens connections from <paramref name="connectionString"/> (the store owns and disposes its data source).</summary>
    public PostgresAcmeServerStore(string connectionString)
        : this(NpgsqlDataSource.Create(Parse(connectionString)), ownsDataSource: true)
    {
    }

    /// <summary>Opens connections from <paramref name="dataSource"/>, which stays the caller's to dispose unless <paramref name="ownsDataSource"/>.</summary>
    public PostgresAcmeServerStore(NpgsqlDataSource dataSource, bool ownsDataSource = false)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);

        // A finite deadline on every command even when the connection string says 0 (wait forever).
        _commandTimeoutSeconds = settings.CommandTimeout > 0 ? settings.CommandTimeout : DefaultCommandTimeoutSeconds;
        Description = Describe(settings);
    }

    /// <summary>The database as messages name it: host, port, database and user, never the password.</summary>
    public string Description { get; }

    /// <summary>Parses and checks a connection string; the error never repeats the string (it may hold a password).</summary>
    internal static NpgsqlConnectionStringBuilder Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            // Npgsql names the bad keyword; the string itself (and any password in it) stays out of the message.
            throw new ArgumentException($"The PostgreSQL connection string is malformed: {ex.Message}", nameof(connectionString));
        }
    }

    internal static string Describe(NpgsqlConnectionStringBuilder settings) =>
        string.Create(CultureInfo.InvariantCulture, $"PostgreSQL database '{settings.Database ?? settings.Username}' on {settings.Host}:{settings.Port} as '{settings.Username}'");

    public ValueTask DisposeAsync() => _ownsDataSource ? _dataSource.DisposeAsync() : ValueTask.CompletedTask;

    public Task InitializeAsync(CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                await ExecAsync(connection, transaction, "SELECT pg_advisory_xact_lock(@k)", cancellationToken, ("k", SchemaLockKey)).ConfigureAwait(false);
                await ExecAsync(connection, transaction, Schema, cancellationToken).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    // ---- nonces ----

    public Task AddNonceAsync(string nonce, DateTimeOffset expires, CancellationToken cancellationToken) =>
        WithConnectionAsync(c => ExecAsync(c, null, "INSERT INTO acme_nonces (value, expires) VALUES (@v, @e)", cancellationToken, ("v", nonce), ("e", Utc(expires))), cancellationToken);

    public Task<bool> ConsumeNonceAsync(string nonce, DateTimeOffset now, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            async c =>
            {
                // Single use: of two instances deleting the same nonce, one gets the row back and the other nothing.
                // The expired ones go in the same statement (indexed on expires).
                const string Sql = """
                    WITH hit AS (DELETE FROM acme_nonces WHERE value = @v RETURNING expires),
                         gone AS (DELETE FROM acme_nonces WHERE expires <= @n AND value <> @v)
                    SELECT count(*) FROM hit WHERE expires > @n
                    """;
                return await ScalarAsync(c, null, Sql, cancellationToken, ("v", nonce), ("n", Utc(now))).ConfigureAwait(false) == 1;
            },
            cancellationToken);

    // ---- accounts ----

    public Task<AccountCreateResult> CreateAccountAsync(AccountRecord account, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            async c =>
            {
                // ON CONFLICT DO NOTHING covers both unique constraints and waits for a concurrent inserter to commit.
                var inserted = await ExecAsync(
                    c,
                    null,
                    "INSERT INTO acme_accounts (id, thumbprint, jwk, status, contact, created_at, eab_kid) VALUES (@id, @t, @j, @s, @c, @at, @k) ON CONFLICT DO NOTHING",
                    cancellationToken,
                    ("id", account.Id),
                    ("t", account.Thumbprint),
                    ("j", account.Jwk),
                    ("s", account.Status),
                    ("c", account.Contact.ToArray()),
                    ("at", Utc(account.CreatedAt)),
                    ("k", account.EabKeyId)).ConfigureAwait(false);
                if (inserted == 1)
                {
                    return AccountCreateResult.Created;
                }

                // The key check comes first, as in the SQLite store.
                return await ScalarAsync(c, null, "SELECT count(*) FROM acme_accounts WHERE thumbprint = @t", cancellationToken, ("t", account.Thumbprint)).ConfigureAwait(false) > 0
                    ? AccountCreateResult.KeyExists
                    : AccountCreateResult.ExternalKeyAlreadyBound;
            },
            cancellationToken);

    public Task<AccountRecord?> GetAccountAsync(string id, CancellationToken cancellationToken) =>
        QuerySingleAsync(AccountColumns + " WHERE id = @p", id, Columns.ReadAccount, cancellationToken);

    public Task<AccountRecord?> FindAccountByThumbprintAsync(string thumbprint, CancellationToken cancellationToken) =>
        QuerySingleAsync(AccountColumns + " WHERE thumbprint = @p", thumbprint, Columns.ReadAccount, cancellationToken);

    public Task<bool> UpdateAccountAsync(string id, IReadOnlyList<string> contact, string status, CancellationToken cancellationToken) =>
        UpdateOneAsync("UPDATE acme_accounts SET contact = @c, status = @s WHERE id = @id AND status = 'valid'", cancellationToken, ("c", contact.ToArray()), ("s", status), ("id", id));

    public Task<bool> ChangeAccountKeyAsync(string id, string oldThumbprint, string newThumbprint, string newJwk, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            async c =>
            {
                try
                {
                    return await ExecAsync(
                        c,
                        null,
                        "UPDATE acme_accounts SET thumbprint = @n, jwk = @j WHERE id = @id AND thumbprint = @o AND status = 'valid'",
                        cancellationToken,
                        ("n", newThumbprint),
                        ("j", newJwk),
                        ("id", id),
                        ("o", oldThumbprint)).ConfigureAwait(false) == 1;
                }
                catch (PostgresException ex) when (ex.SqlState == UniqueViolation)
                {
                    return false;
                }
            },
            cancellationToken);

    // ---- orders, authorizations, challenges ----

    public Task<bool> CreateOrderAsync(OrderRecord order, IReadOnlyList<AuthorizationRecord> authorizations, IReadOnlyList<ChallengeRecord> challenges, string? replacesCertificateId, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                if (replacesCertificateId is not null &&
                    await ExecAsync(connection, transaction, "UPDATE acme_certificates SET replaced_by = @o WHERE id = @id AND replaced_by IS NULL", cancellationToken, ("o", order.Id), ("id", replacesCertificateId)).ConfigureAwait(false) != 1)
                {
                    return false;
                }

                await ExecAsync(
                    connection,
                    transaction,
                    "INSERT INTO acme_orders (id, account_id, status, expires, identifiers, authz_ids, profile, replaces, error, certificate_id) VALUES (@id, @a, @s, @e, @i, @z, @p, @r, @err, @c)",
                    cancellationToken,
                    ("id", order.Id),
                    ("a", order.AccountId),
                    ("s", order.Status),
                    ("e", Utc(order.Expires)),
                    ("i", StoreColumns.IdentifiersJson(order.Identifiers)),
                    ("z", order.AuthorizationIds.ToArray()),
                    ("p", order.Profile),
                    ("r", order.Replaces),
                    ("err", ProblemJson(order.Error)),
                    ("c", order.CertificateId)).ConfigureAwait(false);

                // One statement per table, whatever the number of identifiers: the columns travel as arrays.
                await ExecAsync(
                    connection,
                    transaction,
                    """
                    INSERT INTO acme_authorizations (id, account_id, order_id, identifier_type, identifier_value, wildcard, status, expires)
                    SELECT * FROM unnest(@id::text[], @a::text[], @o::text[], @t::text[], @v::text[], @w::boolean[], @s::text[], @e::timestamptz[])
                    """,
                    cancellationToken,
                    ("id", authorizations.Select(z => z.Id).ToArray()),
                    ("a", authorizations.Select(z => z.AccountId).ToArray()),
                    ("o", authorizations.Select(z => z.OrderId).ToArray()),
                    ("t", authorizations.Select(z => z.Identifier.Type).ToArray()),
                    ("v", authorizations.Select(z => z.Identifier.Value).ToArray()),
                    ("w", authorizations.Select(z => z.Wildcard).ToArray()),
                    ("s", authorizations.Select(z => z.Status).ToArray()),
                    ("e", authorizations.Select(z => Utc(z.Expires)).ToArray())).ConfigureAwait(false);
                await ExecAsync(
                    connection,
                    transaction,
                    """
                    INSERT INTO acme_challenges (id, authz_id, seq, type, token, status, validated, error)
                    SELECT id, authz_id, n::integer, type, token, status, NULL, NULL
                    FROM unnest(@id::text[], @z::text[], @t::text[], @k::text[], @s::text[]) WITH ORDINALITY AS c (id, authz_id, type, token, status, n)
                    """,
                    cancellationToken,
                    ("id", challenges.Select(c => c.Id).ToArray()),
                    ("z", challenges.Select(c => c.AuthorizationId).ToArray()),
                    ("t", challenges.Select(c => c.Type).ToArray()),
                    ("k", challenges.Select(c => c.Token).ToArray()),
                    ("s", challenges.Select(c => c.Status).ToArray())).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    public Task<OrderRecord?> GetOrderAsync(string id, CancellationToken cancellationToken) =>
        QuerySingleAsync(OrderColumns + " WHERE id = @p", id, Columns.ReadOrder, cancellationToken);

    public async Task<IReadOnlyList<string>> ListOrdersAsync(string accountId, int limit, CancellationToken cancellationToken)
    {
        var ids = await QueryListAsync("SELECT id FROM acme_orders WHERE account_id = @p AND status <> 'invalid' ORDER BY expires DESC", accountId, r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        return ids.Take(limit).Reverse().ToList();
    }

    public Task<bool> TransitionOrderAsync(string from, OrderRecord updated, CancellationToken cancellationToken) =>
        WithConnectionAsync(c => TransitionOrderAsync(c, null, from, updated, cancellationToken), cancellationToken);

    public Task<int> FailInterruptedOrdersAsync(AcmeProblem error, TimeSpan olderThan, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            c => ExecAsync(
                c,
                null,
                "UPDATE acme_orders SET status = 'invalid', error = @e WHERE status = 'processing' AND (processing_at IS NULL OR processing_at <= now() - @age)",
                cancellationToken,
                ("e", ProblemJson(error)),
                ("age", olderThan)),
            cancellationToken);

    public Task<AuthorizationRecord?> GetAuthorizationAsync(string id, CancellationToken cancellationToken) =>
        QuerySingleAsync(AuthorizationColumns + " WHERE id = @p", id, Columns.ReadAuthorization, cancellationToken);

    public async Task<IReadOnlyList<AuthorizationRecord>> GetAuthorizationsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var found = await QueryListAsync(AuthorizationColumns + " WHERE id = ANY(@p)", ids.ToArray(), Columns.ReadAuthorization, cancellationToken).ConfigureAwait(false);
        var byId = found.ToDictionary(a => a.Id, StringComparer.Ordinal);
        return ids.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    public Task<bool> TransitionAuthorizationAsync(string id, string from, string to, CancellationToken cancellationToken) =>
        UpdateOneAsync("UPDATE acme_authorizations SET status = @t WHERE id = @id AND status = @f", cancellationToken, ("t", to), ("id", id), ("f", from));

    public Task<ChallengeRecord?> GetChallengeAsync(string id, CancellationToken cancellationToken) =>
        QuerySingleAsync(ChallengeColumns + " WHERE id = @p", id, Columns.ReadChallenge, cancellationToken);

    public Task<IReadOnlyList<ChallengeRecord>> GetChallengesAsync(string authorizationId, CancellationToken cancellationToken) =>
        QueryListAsync(ChallengeColumns + " WHERE authz_id = @p ORDER BY seq", authorizationId, Columns.ReadChallenge, cancellationToken);

    public Task<bool> TransitionChallengeAsync(string id, string from, string to, DateTimeOffset? validated, AcmeProblem? error, CancellationToken cancellationToken) =>
        UpdateOneAsync(
            "UPDATE acme_challenges SET status = @t, validated = @v, error = @e WHERE id = @id AND status = @f",
            cancellationToken,
            ("t", to),
            ("v", validated is { } v ? Utc(v) : null),
            ("e", ProblemJson(error)),
            ("id", id),
            ("f", from));

    public Task<bool> CompleteValidationAsync(string challengeId, string authorizationId, string outcome, DateTimeOffset? validated, AcmeProblem? error, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
                await ExecAsync(
                    connection,
                    transaction,
                    "UPDATE acme_challenges SET status = @t, validated = @v, error = @e WHERE id = @id AND status = 'processing'",
                    cancellationToken,
                    ("t", outcome),
                    ("v", validated is { } v ? Utc(v) : null),
                    ("e", ProblemJson(error)),
                    ("id", challengeId)).ConfigureAwait(false) == 1
                && await ExecAsync(
                    connection,
                    transaction,
                    "UPDATE acme_authorizations SET status = @t WHERE id = @id AND status = 'pending'",
                    cancellationToken,
                    ("t", outcome),
                    ("id", authorizationId)).ConfigureAwait(false) == 1,
            cancellationToken);

    public Task<IReadOnlyList<string>> ListProcessingChallengesAsync(CancellationToken cancellationToken) =>
        QueryListAsync("SELECT id FROM acme_challenges WHERE status = @p", "processing", r => r.GetString(0), cancellationToken);

    // ---- certificates ----

    public Task<bool> AddCertificateAsync(CertificateRecord certificate, OrderRecord validOrder, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                if (!await TransitionOrderAsync(connection, transaction, "processing", validOrder, cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }

                await ExecAsync(
                    connection,
                    transaction,
                    "INSERT INTO acme_certificates (id, account_id, order_id, serial, ari_id, chains, not_before, not_after) VALUES (@id, @a, @o, @s, @ari, @c, @nb, @na)",
                    cancellationToken,
                    ("id", certificate.Id),
                    ("a", certificate.AccountId),
                    ("o", certificate.OrderId),
                    ("s", certificate.SerialNumber),
                    ("ari", certificate.AriCertId),
                    ("c", certificate.ChainsPem.ToArray()),
                    ("nb", Utc(certificate.NotBefore)),
                    ("na", Utc(certificate.NotAfter))).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    public Task<CertificateRecord?> GetCertificateAsync(string id, CancellationToken cancellationToken) =>
        QuerySingleAsync(CertificateColumns + " WHERE id = @p", id, Columns.ReadCertificate, cancellationToken);

    public Task<CertificateRecord?> FindCertificateBySerialAsync(string serialNumber, CancellationToken cancellationToken) =>
        QuerySingleAsync(CertificateColumns + " WHERE serial = @p", serialNumber, Columns.ReadCertificate, cancellationToken);

    public Task<CertificateRecord?> FindCertificateByAriIdAsync(string ariCertId, CancellationToken cancellationToken) =>
        QuerySingleAsync(CertificateColumns + " WHERE ari_id = @p", ariCertId, Columns.ReadCertificate, cancellationToken);

    public Task<bool> RevokeAsync(string certificateId, int reason, DateTimeOffset revokedAt, CancellationToken cancellationToken) =>
        UpdateOneAsync("UPDATE acme_certificates SET revoked_at = @at, reason = @r WHERE id = @id AND revoked_at IS NULL", cancellationToken, ("at", Utc(revokedAt)), ("r", reason), ("id", certificateId));

    public Task<IReadOnlyList<AcmeRevokedCertificate>> ListRevokedAsync(CancellationToken cancellationToken) =>
        QueryListAsync(
            "SELECT serial, revoked_at, reason FROM acme_certificates WHERE revoked_at IS NOT NULL ORDER BY revoked_at",
            null,
            Columns.ReadRevoked,
            cancellationToken);

    public Task<int> MoveRenewalWindowsAsync(IReadOnlyCollection<string> serialNumbers, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            c => ExecAsync(
                c,
                null,
                "UPDATE acme_certificates SET window_start = @s, window_end = @e WHERE serial IN (SELECT unnest(@serials::text[]))",
                cancellationToken,
                ("s", Utc(start)),
                ("e", Utc(end)),
                ("serials", serialNumbers.ToArray())),
            cancellationToken);

    // ---- helpers ----

    private async Task<bool> TransitionOrderAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string from, OrderRecord updated, CancellationToken cancellationToken) =>
        await ExecAsync(
            connection,
            transaction,
            "UPDATE acme_orders SET status = @s, error = @err, certificate_id = @c, processing_at = CASE WHEN @s = 'processing' THEN now() ELSE processing_at END WHERE id = @id AND status = @from",
            cancellationToken,
            ("s", updated.Status),
            ("err", ProblemJson(updated.Error)),
            ("c", updated.CertificateId),
            ("id", updated.Id),
            ("from", from)).ConfigureAwait(false) == 1;

    private static string? ProblemJson(AcmeProblem? problem) => StoreColumns.ProblemJson(problem);

    /// <summary>PostgreSQL's timestamptz takes UTC only (Npgsql refuses other offsets).</summary>
    private static DateTimeOffset Utc(DateTimeOffset value) => value.ToUniversalTime();

    private Task<bool> UpdateOneAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        WithConnectionAsync(async c => await ExecAsync(c, null, sql, cancellationToken, parameters).ConfigureAwait(false) == 1, cancellationToken);

    private async Task<T?> QuerySingleAsync<T>(string sql, string parameter, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        var list = await QueryListAsync(sql, parameter, read, cancellationToken).ConfigureAwait(false);
        return list.Count == 0 ? null : list[0];
    }

    private Task<IReadOnlyList<T>> QueryListAsync<T>(string sql, object? parameter, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<T>>(
            async connection =>
            {
                using var command = Command(connection, null, sql, parameter is null ? [] : [("p", parameter)]);
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                var result = new List<T>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    result.Add(read(reader));
                }

                return result;
            },
            cancellationToken);

    private Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            async connection =>
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using var disposeTransaction = transaction.ConfigureAwait(false);
                var result = await work(connection, transaction).ConfigureAwait(false);
                if (result is false)
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }

                return result;
            },
            cancellationToken);

    /// <summary>Runs <paramref name="work"/> on a pooled connection; database failures become <see cref="AcmeServerStoreException"/>.</summary>
    private async Task<T> WithConnectionAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var disposeConnection = connection.ConfigureAwait(false);
            return await work(connection).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (NpgsqlException ex)
        {
            // Not reachable, connection lost, or the server shutting down or starting up (57P01-57P03).
            var transient = ex.IsTransient || ex is not PostgresException || ex is PostgresException { SqlState: "57P01" or "57P02" or "57P03" };
            if (transient)
            {
                // Pooled connections to a restarted server are dead: drop them so the next request opens fresh ones.
                _dataSource.Clear();
            }

            throw new AcmeServerStoreException(
                transient
                    ? $"The {Description} is unavailable ({ex.Message.TrimEnd('.')}); the request can be retried once it is reachable again."
                    : $"The {Description} refused a command ({ex.Message.TrimEnd('.')}).",
                ex)
            {
                IsTransient = transient,
            };
        }
        catch (TimeoutException ex)
        {
            throw new AcmeServerStoreException($"The {Description} did not answer within {_commandTimeoutSeconds} s; the request can be retried.", ex) { IsTransient = true };
        }
    }

    private async Task<int> ExecAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = _commandTimeoutSeconds };
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(value switch
            {
                // An untyped null: PostgreSQL infers the column's type.
                null => new NpgsqlParameter(name, DBNull.Value),
                DateTimeOffset time => new NpgsqlParameter<DateTimeOffset>(name, NpgsqlDbType.TimestampTz) { TypedValue = time },
                _ => new NpgsqlParameter(name, value),
            });
        }

        return command;
    }
}
