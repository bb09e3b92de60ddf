using System.Globalization;
using Microsoft.Data.Sqlite;
using Pki.Acme;
using Pki.Acme.Server.Protocol;

namespace Pki.Acme.Server.Storage;

/// <summary>
/// <see cref="IAcmeServerStore"/> on SQLite (WAL, file created 0600) for one server process. Plain tables, times as
/// Unix milliseconds, state transitions as conditional updates: the same SQL shape serves a PostgreSQL implementation.
/// </summary>
/// <remarks>
/// Two choices make it fast without giving up safety. Writes from this process go through one async gate per
/// database file, so they never meet SQLite's busy lock (Microsoft.Data.Sqlite answers a busy database by sleeping
/// and retrying, which under concurrent requests cost more than the writes). Nonces live in this process's memory,
/// shared by every store object on the same file, not in the database: they are written and consumed on every
/// request, and each would otherwise be a commit (an fsync with <c>synchronous=FULL</c>). A restart forgets them,
/// which only makes clients retry with the fresh nonce of the <c>badNonce</c> answer (RFC 8555 section 6.5); a
/// nonce is still honoured at most once. Several server instances share a PostgreSQL database instead.
/// </remarks>
internal sealed class SqliteAcmeServerStore : IAcmeServerStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, thumbprint TEXT NOT NULL UNIQUE, jwk TEXT NOT NULL, status TEXT NOT NULL,
            contact TEXT NOT NULL, created_at BIGINT NOT NULL, eab_kid TEXT UNIQUE);
        CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, status TEXT NOT NULL, expires BIGINT NOT NULL,
            identifiers TEXT NOT NULL, authz_ids TEXT NOT NULL, profile TEXT NOT NULL, replaces TEXT, error TEXT, certificate_id TEXT, processing_at BIGINT);
        CREATE TABLE IF NOT EXISTS authorizations (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, order_id TEXT NOT NULL, identifier_type TEXT NOT NULL,
            identifier_value TEXT NOT NULL, wildcard INTEGER NOT NULL, status TEXT NOT NULL, expires BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS challenges (id TEXT PRIMARY KEY, authz_id TEXT NOT NULL, type TEXT NOT NULL, token TEXT NOT NULL, status TEXT NOT NULL,
            validated BIGINT, error TEXT);
        CREATE INDEX IF NOT EXISTS challenges_authz ON challenges (authz_id);
        CREATE INDEX IF NOT EXISTS challenges_status ON challenges (status);
        CREATE TABLE IF NOT EXISTS certificates (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, order_id TEXT NOT NULL, serial TEXT NOT NULL UNIQUE,
            ari_id TEXT NOT NULL UNIQUE, chains TEXT NOT NULL, not_before BIGINT NOT NULL, not_after BIGINT NOT NULL, window_start BIGINT, window_end BIGINT,
            revoked_at BIGINT, reason INTEGER, replaced_by TEXT);
        CREATE INDEX IF NOT EXISTS certificates_revoked ON certificates (revoked_at);
        """;

    /// <summary>The most nonces held per database file; past it the oldest are forgotten (their clients get badNonce and retry).</summary>
    internal const int MaxNonces = 200_000;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SharedState> Databases = new(StringComparer.Ordinal);

    /// <summary>The database's clock in Unix milliseconds (when an order began processing).</summary>
    private static readonly SqliteColumns Columns = SqliteColumns.Instance;

    private const string NowMs = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

    private readonly string _path;
    private readonly string _connectionString;
    private readonly string? _synchronous;
    private readonly SharedState _shared;

    public SqliteAcmeServerStore(string path, bool syncEveryCommit = true)
    {
        _path = Path.GetFullPath(path);
        _shared = Databases.GetOrAdd(_path, _ => new SharedState());
        _synchronous = syncEveryCommit ? null : "PRAGMA synchronous=NORMAL;";
        _connectionString = new SqliteConnectionStringBuilder { DataSource = _path, Pooling = true, DefaultTimeout = 30 }.ToString();
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(_path)!;
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (!File.Exists(_path))
            {
                // Created 0600 before SQLite opens it; SQLite gives its -wal/-shm files the same mode.
                using var created = new FileStream(_path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
            }
        }
        else
        {
            Directory.CreateDirectory(directory);
        }

        using var writing = await _shared.WriteAsync(cancellationToken).ConfigureAwait(false);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        await ExecAsync(connection, null, Schema, cancellationToken).ConfigureAwait(false);

        // Databases made before orders recorded when they began processing get the column.
        if (await ScalarAsync(connection, null, "SELECT COUNT(*) FROM pragma_table_info('orders') WHERE name = 'processing_at'", cancellationToken).ConfigureAwait(false) == 0)
        {
            await ExecAsync(connection, null, "ALTER TABLE orders ADD COLUMN processing_at BIGINT", cancellationToken).ConfigureAwait(false);
        }
    }

    // ---- nonces ----

    public Task AddNonceAsync(string nonce, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _shared.Nonces.Add(nonce, Ms(expires));
        return Task.CompletedTask;
    }

    public Task<bool> ConsumeNonceAsync(string nonce, DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_shared.Nonces.Consume(nonce, Ms(now)));
    }

    // ---- accounts ----

    public async Task<AccountCreateResult> CreateAccountAsync(AccountRecord account, CancellationToken cancellationToken)
    {
        using var writing = await _shared.WriteAsync(cancellationToken).ConfigureAwait(false);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await ScalarAsync(connection, transaction, "SELECT COUNT(*) FROM accounts WHERE thumbprint = $t", cancellationToken, ("$t", account.Thumbprint)).ConfigureAwait(false) > 0)
        {
            return AccountCreateResult.KeyExists;
        }

        if (account.EabKeyId is not null &&
            await ScalarAsync(connection, transaction, "SELECT COUNT(*) FROM accounts WHERE eab_kid = $k", cancellationToken, ("$k", account.EabKeyId)).ConfigureAwait(false) > 0)
        {
            return AccountCreateResult.ExternalKeyAlreadyBound;
        }

        try
        {
            await ExecAsync(
                connection,
                transaction,
                "INSERT INTO accounts (id, thumbprint, jwk, status, contact, created_at, eab_kid) VALUES ($id, $t, $j, $s, $c, $at, $k)",
                cancellationToken,
                ("$id", account.Id),
                ("$t", account.Thumbprint),
                ("$j", account.Jwk),
                ("$s", account.Status),
                ("$c", Columns.StringsValue(account.Contact)),
                ("$at", Ms(account.CreatedAt)),
                ("$k", account.EabKeyId)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return AccountCreateResult.Created;
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == 19)
        {
            // Another instance won the race between the checks and the insert.
            return await FindAccountByThumbprintAsync(account.Thumbprint, cancellationToken).ConfigureAwait(false) is null
                ? AccountCreateResult.ExternalKeyAlreadyBound
                : AccountCreateResult.KeyExists;
        }
    }

    public Task<AccountRecord?> GetAccountAsync(string id, CancellationToken cancellationToken) =>
        QuerySingleAsync("SELECT " + StoreColumns.Account + " FROM accounts WHERE id = $p", id, Columns.ReadAccount, cancellationToken);

    public Task<AccountRecord?> FindAccountByThumbprintAsync(string thumbprint, CancellationToken cancellationToken) =>
        QuerySingleAsync("SELECT " + StoreColumns.Account + " FROM accounts WHERE thumbprint = $p", thumbprint, Columns.ReadAccount, cancellationToken);

    public async Task<bool> UpdateAccountAsync(string id, IReadOnlyList<string> contact, string status, CancellationToken cancellationToken)
    {
        using var writing = await _shared.WriteAsync(cancellationToken).ConfigureAwait(false);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecAsync(connection, null, "UPDATE accounts SET contact = $c, status = $s WHERE id = $id AND status = 'valid'", cancellationToken, ("$c", Columns.StringsValue(contact)), ("$s", status), ("$id", id)).ConfigureAwait(false) == 1;
    }

    public async Task<bool> ChangeAccountKeyAsync(string id, string oldThumbprint, string newThumbprint, string newJwk, CancellationToken cancellationToken)
    {
        using var writing = await _shared.WriteAsync(cancellationToken).ConfigureAwait(false);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ExecAsync(
                connection,
                null,
                "UPDATE accounts SET thumbprint = $n, jwk = $j WHERE id = $id AND thumbprint = $o AND status = 'valid'",
                cancellationToken,
                ("$n", newThumbprint),
                ("$j", newJwk),
                ("$id", id),
                ("$o", oldThumbprint)).ConfigureAwait(false) == 1;
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == 19)
        {
            return false;
        }
    }

    // ---- orders, authorizations, challenges ----

    public async Task<bool> CreateOrderAsync(OrderRecord order, IReadOnlyList<AuthorizationRecord> authorizations, IReadOnlyList<ChallengeRecord> challenges, string? replacesCertificateId, CancellationToken cancellationToken)
    {
        using var writing = await _shared.WriteAsync(cancellationToken).ConfigureAwait(false);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (replacesCertificateId is not null &&
            await ExecAsync(connection, transaction, "UPDATE certificates SET replaced_by = $o WHERE id = $id AND replaced_by IS NULL", cancellationToken, ("$o", order.Id), ("$id", replacesCertificateId)).ConfigureAwait(false) != 1)
        {
            return false;
        }

        await ExecAsync(
            connection,
            transaction,
            "INSERT INTO orders (id, account_id, status, expires, identifiers, authz_ids, profile, replaces, error, certificate_id) VALUES ($id, $a, $s, $e, $i, $z, $p, $r, $err, $c)",
            cancellationToken,
            OrderParameters(order)).ConfigureAwait(false);
        foreach (var authz in authorizations)
        {
            await ExecAsync(
                connection,
                transaction,
                "INSERT INTO authorizations (id, account_id, order_id, identifier_type, identifier_value, wildcard, status, expires) VALUES ($id, $a, $o, $t, $v, $w, $s, $e)",
                cancellationToken,
                ("$id", authz.Id),
                ("$a", authz.AccountId),
                ("$o", authz.OrderId),
                ("$t", authz.Identifier.Type),
                ("$v", authz.Identifier.Value),
                ("$w", authz.Wildcard ? 1 : 0),
                ("$s", authz.Status),
                ("$e", Ms(authz.Expires))).ConfigureAwait(false);
        }

        foreach (var challenge in challenges)
        {
            await ExecAsync(
                connection,
                transaction,
                "INSERT INTO challenges (id, authz_id, type, token, status, validated, error) VALUES ($id, $z, $t, $k, $s, NULL, NULL)",
                cancellationToken,
                ("$id", challenge.Id),
                ("$z", challenge.AuthorizationId),
                ("$t", challenge.Type),
                ("$k", challenge.Token),
                ("$s", challenge.Status)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public Task<OrderRecord?> GetOrderAsync(string id, CancellationToken cancellationToken) =>
        QuerySingleAsync("SELECT " + StoreColumns.Order + " FROM orders WHERE id = $p", id, Columns.ReadOrder, cancellationToken);

    public async Task<IReadOnlyList<string>> ListOrdersAsync(string accountId, int limit, CancellationToken cancellationToken)
    {
        var ids = await QueryListAsync("SELECT id FROM orders WHERE account_id = $p AND status <> 'invalid' ORDER BY expires DESC", accountId, r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        return ids.Take(limit).Reverse().ToList();
    }

    public async Task<bool> TransitionOrderAsync(string from, OrderRecord updated, CancellationToken cancellationToken)
    {
        using var writing = await _shared.WriteAsync(cancellationToken).ConfigureAwait(false);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await TransitionOrderAsync(connection, null, from, updated, cancellationToken).ConfigureAwait(false);
    }

    public Task<AuthorizationRecord?> GetAuthorizationAsync(string id, CancellationToken cancellationToken) =>
        QuerySingleAsync("SELECT " + StoreColumns.Authorization + " FROM authorizations WHERE id = $p", id, Columns.ReadAuthorization, cancellationToken);

    public async Task<IReadOnlyList<AuthorizationRecord>> GetAuthorizationsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var result = new List<AuthorizationRecord>(ids.Count);
        foreach (var id in ids)
        {
            if (await GetAuthorizationAsync(id, cancellationToken).ConfigureAwait(false) is { } authz)
            {
                result.Add(authz);
            }
        }

        return result;
    }

    public async Task<bool> TransitionAuthorizationAsync(string id, string from, string to, CancellationToken cancellationToken)
    {
        using var writing = await _shared.WriteAsync(cancellationToken).ConfigureAwait(false);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecAsync(connection, null, "UPDATE authorizations SET status = $t WHERE id = $id AND status = $f", cancellationToken, ("$t", to), ("$id", id), ("$f", from)).ConfigureAwait(false) == 1;
    }

    public Task<ChallengeRecord?> GetChallengeAsync(string id, CancellationToken cancellationToken) =>
        QuerySingleAsync("SELECT " + StoreColumns.Challenge + " FROM challenges WHERE id = $p", id, Columns.ReadChallenge, cancellationToken);

    public Task<IReadOnlyList<ChallengeRecord>> GetChallengesAsync(string authorizationId, CancellationToken cancellationToken) =>
        QueryListAsync("SELECT " + StoreColumns.Challenge + " FROM challenges WHERE authz_id = $p ORDER BY rowid", authorizationId, Columns.ReadChallenge, cancellationToken);

    public async Task<bool> TransitionChallengeAsync(string id, string from, string to, DateTimeOffset? validated, AcmeProblem? error, CancellationToken cancellationToken)
    {
        using var writing = await _shared.WriteAsync(cancellationToken).ConfigureAwait(false);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecAsync(
            connection,
            null,
            "UPDATE challenges SET status = $t, validated = $v, error = $e WHERE id = $id AND status = $f",
            cancellationToken,
            ("$t", to),
            ("$v", validated is { } v ? Ms(v) : null),
            ("$e", StoreColumns.ProblemJson(error)),
            ("$id", id),
            ("$f", from)).ConfigureAwait(false) == 1;
    }

    public async Task<bool> CompleteValidationAsync(string challengeId, string authorizationId, string outcome, DateTimeOffset? validated, AcmeProblem? error, CancellationToken cancellationToken)
    {
        using var writing = await _shared.WriteAsync(cancellationToken).ConfigureAwait(false);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var challenge = await ExecAsync(
            connection,
            transaction,
            "UPDATE challenges SET status = $t, validated = $v, error = $e WHERE id = $id AND status = 'processing'",
            cancellationToken,
            ("$t", outcome),
            ("$v", validated is { } v ? Ms(v) : null),
            ("$e", StoreColumns.ProblemJson(error)),
            ("$id", challengeId)).ConfigureAwait(false);
        var authorization = await ExecAsync(connection, transaction, "UPDATE authorizations SET status = $t WHERE id = $id AND status = 'pending'", cancellationToken, ("$t", outcome), ("$id", authorizationId)).ConfigureAwait(false);
        if (challenge != 1 || authorization != 1)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<int> FailInterruptedOrdersAsync(AcmeProblem error, TimeSpan olderThan, CancellationToken cancellationToken)
    {
        using var writing = await _shared.WriteAsync(cancellationToken).ConfigureAwait(false);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecAsync(
            connection,
            null,
            "UPDATE orders SET status = 'invalid', error = $e WHERE status = 'processing' AND (processing_at IS NULL OR processing_at <= " + NowMs + " - $age)",
            cancellationToken,
            ("$e", StoreColumns.ProblemJson(error)),
            ("$age", (long)olderThan.TotalMilliseconds)).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<string>> ListProcessingChallengesAsync(CancellationToken cancellationToken) =>
        QueryListAsync("SELECT id FROM challenges WHERE status = $p", "processing", r => r.GetString(0), cancellationToken);

    // ---- certificates ----

    public async Task<bool> AddCertificateAsync(CertificateRecord certificate, OrderRecord validOrder, CancellationToken cancellationToken)
    {
        using var writing = await _shared.WriteAsync(cancellationToken).ConfigureAwait(false);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await TransitionOrderAsync(connection, transaction, "processing", validOrder, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await ExecAsync(
            connection,
            transaction,
            "INSERT INTO certificates (id, account_id, order_id, serial, ari_id, chains, not_before, not_after, window_start, window_end, revoked_at, reason, replaced_by) VALUES ($id, $a, $o, $s, $ari, $c, $nb, $na, NULL, NULL, NULL, NULL, NULL)",
            cancellationToken,
            ("$id", certificate.Id),
            ("$a", certificate.AccountId),
            ("$o", certificate.OrderId),
            ("$s", certificate.SerialNumber),
            ("$ari", certificate.AriCertId),
            ("$c", Columns.StringsValue(certificate.ChainsPem)),
            ("$nb", Ms(certificate.NotBefore)),
            ("$na", Ms(certificate.NotAfter))).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private const string CertificateColumns = "SELECT " + StoreColumns.Certificate + " FROM certificates";

    public Task<CertificateRecord?> GetCertificateAsync(string id, CancellationToken cancellationToken) =>
        QuerySingleAsync(CertificateColumns + " WHERE id = $p", id, Columns.ReadCertificate, cancellationToken);

    public Task<CertificateRecord?> FindCertificateBySerialAsync(string serialNumber, CancellationToken cancellationToken) =>
        QuerySingleAsync(CertificateColumns + " WHERE serial = $p", serialNumber, Columns.ReadCertificate, cancellationToken);

    public Task<CertificateRecord?> FindCertificateByAriIdAsync(string ariCertId, CancellationToken cancellationToken) =>
        QuerySingleAsync(CertificateColumns + " WHERE ari_id = $p", ariCertId, Columns.ReadCertificate, cancellationToken);

    public async Task<bool> RevokeAsync(string certificateId, int reason, DateTimeOffset revokedAt, CancellationToken cancellationToken)
    {
        using var writing = await _shared.WriteAsync(cancellationToken).ConfigureAwait(false);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecAsync(connection, null, "UPDATE certificates SET revoked_at = $at, reason = $r WHERE id = $id AND revoked_at IS NULL", cancellationToken, ("$at", Ms(revokedAt)), ("$r", reason), ("$id", certificateId)).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyList<AcmeRevokedCertificate>> ListRevokedAsync(CancellationToken cancellationToken)
    {
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT serial, revoked_at, reason FROM certificates WHERE revoked_at IS NOT NULL ORDER BY revoked_at";
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<AcmeRevokedCertificate>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(Columns.ReadRevoked(reader));
        }

        return result;
    }

    public async Task<int> MoveRenewalWindowsAsync(IReadOnlyCollection<string> serialNumbers, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        using var writing = await _shared.WriteAsync(cancellationToken).ConfigureAwait(false);
        // Set-based: the serial numbers go into a temporary table through one prepared statement inside one
        // transaction, then one UPDATE joins it (PostgreSQL: one UPDATE ... WHERE serial = ANY($array)).
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecAsync(connection, null, "CREATE TEMP TABLE IF NOT EXISTS move_serials (serial TEXT PRIMARY KEY)", cancellationToken).ConfigureAwait(false);
        using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecAsync(connection, transaction, "DELETE FROM move_serials", cancellationToken).ConfigureAwait(false);
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT OR IGNORE INTO move_serials (serial) VALUES ($s)";
            var parameter = insert.Parameters.Add("$s", SqliteType.Text);
            insert.Prepare();
            foreach (var serial in serialNumbers)
            {
                parameter.Value = serial;
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var moved = await ExecAsync(
            connection,
            transaction,
            "UPDATE certificates SET window_start = $s, window_end = $e WHERE serial IN (SELECT serial FROM move_serials)",
            cancellationToken,
            ("$s", Ms(start)),
            ("$e", Ms(end))).ConfigureAwait(false);
        await ExecAsync(connection, transaction, "DELETE FROM move_serials", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return moved;
    }

    // ---- helpers ----

    private static async Task<bool> TransitionOrderAsync(SqliteConnection connection, SqliteTransaction? transaction, string from, OrderRecord updated, CancellationToken cancellationToken) =>
        await ExecAsync(
            connection,
            transaction,
            "UPDATE orders SET status = $s, error = $err, certificate_id = $c, processing_at = CASE WHEN $s = 'processing' THEN " + NowMs + " ELSE processing_at END WHERE id = $id AND status = $from",
            cancellationToken,
            ("$s", updated.Status),
            ("$err", StoreColumns.ProblemJson(updated.Error)),
            ("$c", updated.CertificateId),
            ("$id", updated.Id),
            ("$from", from)).ConfigureAwait(false) == 1;

    private static (string, object?)[] OrderParameters(OrderRecord order) =>
    [
        ("$id", order.Id),
        ("$a", order.AccountId),
        ("$s", order.Status),
        ("$e", Ms(order.Expires)),
        ("$i", StoreColumns.IdentifiersJson(order.Identifiers)),
        ("$z", Columns.StringsValue(order.AuthorizationIds)),
        ("$p", order.Profile),
        ("$r", order.Replaces),
        ("$err", StoreColumns.ProblemJson(order.Error)),
        ("$c", order.CertificateId),
    ];

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (_synchronous is not null)
        {
            // Per connection (pooled connections keep it): AcmeServerOptions.SqliteSyncEveryCommit = false. FULL is
            // SQLite's own default, so the default option costs no statement per open.
            using var pragma = connection.CreateCommand();
            pragma.CommandText = _synchronous;
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return connection;
    }

    /// <summary>The value of a PRAGMA as a connection of this store sees it (for tests).</summary>
    internal async Task<long> ReadPragmaAsync(string name, CancellationToken cancellationToken)
    {
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA " + name + ";";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<T?> QuerySingleAsync<T>(string sql, string parameter, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        var list = await QueryListAsync(sql, parameter, read, cancellationToken).ConfigureAwait(false);
        return list.Count == 0 ? null : list[0];
    }

    private async Task<IReadOnlyList<T>> QueryListAsync<T>(string sql, string parameter, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$p", parameter);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(read(reader));
        }

        return result;
    }

    private static async Task<int> ExecAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }


    private static long Ms(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    /// <summary>What every store object on one database file in this process shares: the write gate and the nonces.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "One per database file for the life of the process; a SemaphoreSlim without AvailableWaitHandle holds nothing to dispose.")]
    private sealed class SharedState
    {
        private readonly SemaphoreSlim _writer = new(1, 1);

        public NonceTable Nonces { get; } = new(MaxNonces);

        public async Task<Releaser> WriteAsync(CancellationToken cancellationToken)
        {
            await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new Releaser(_writer);
        }
    }

    private readonly struct Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }
}

/// <summary>
/// Single-use nonces with an expiry, in memory, bounded. Nonces are issued with one lifetime, so issue order is expiry
/// order: a queue in that order drops expired ones from its front, and past <c>capacity</c> the oldest are forgotten
/// (a client holding one gets badNonce with a fresh nonce and retries).
/// </summary>
internal sealed class NonceTable(int capacity)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, long> _live = new(StringComparer.Ordinal);
    private readonly Queue<(string Nonce, long Expires)> _issued = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _live.Count;
            }
        }
    }

    public void Add(string nonce, long expiresMs)
    {
        lock (_gate)
        {
            if (!_live.TryAdd(nonce, expiresMs))
            {
                throw new InvalidOperationException("A nonce was issued twice.");
            }

            _issued.Enqueue((nonce, expiresMs));
            while (_issued.Count > capacity)
            {
                _live.Remove(_issued.Dequeue().Nonce);
            }
        }
    }

    public bool Consume(string nonce, long nowMs)
    {
        lock (_gate)
        {
            while (_issued.TryPeek(out var oldest) && oldest.Expires <= nowMs)
            {
                _live.Remove(_issued.Dequeue().Nonce);
            }

            return _live.Remove(nonce, out var expires) && expires > nowMs;
        }
    }
}
