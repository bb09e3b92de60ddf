using System.Data.Common;
using System.Text.Json;
using Pki.Acme;
using Pki.Acme.Server.Protocol;

namespace Pki.Acme.Server.Storage;

/// <summary>
/// The rows both stores read, and the column lists they select, in one place. What differs between the engines is how
/// three kinds of value are kept: times (SQLite: Unix milliseconds; PostgreSQL: timestamptz), lists of strings
/// (SQLite: a JSON array; PostgreSQL: text[]) and flags (SQLite: 0/1; PostgreSQL: boolean). Problems and identifiers
/// are JSON text in both.
/// </summary>
internal abstract class StoreColumns
{
    public const string Account = "id, thumbprint, jwk, status, contact, created_at, eab_kid";
    public const string Order = "id, account_id, status, expires, identifiers, authz_ids, profile, replaces, error, certificate_id";
    public const string Authorization = "id, account_id, order_id, identifier_type, identifier_value, wildcard, status, expires";
    public const string Challenge = "id, authz_id, type, token, status, validated, error";
    public const string Certificate = "id, account_id, order_id, serial, ari_id, chains, not_before, not_after, window_start, window_end, revoked_at, reason, replaced_by";

    public abstract DateTimeOffset Time(DbDataReader r, int i);

    public abstract IReadOnlyList<string> Strings(DbDataReader r, int i);

    public abstract bool Flag(DbDataReader r, int i);

    /// <summary>A time as this engine's parameter takes it.</summary>
    public abstract object TimeValue(DateTimeOffset value);

    /// <summary>A list of strings as this engine's parameter takes it.</summary>
    public abstract object StringsValue(IReadOnlyList<string> values);

    public static string? ProblemJson(AcmeProblem? problem) =>
        problem is null ? null : JsonSerializer.Serialize(problem, AcmeServerJsonContext.Default.AcmeProblem);

    public static string IdentifiersJson(IReadOnlyList<AcmeIdentifier> identifiers) =>
        JsonSerializer.Serialize(identifiers.ToList(), AcmeServerJsonContext.Default.ListAcmeIdentifier);

    public object? NullableTimeValue(DateTimeOffset? value) => value is { } v ? TimeValue(v) : null;

    public AccountRecord ReadAccount(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Strings(r, 4), Time(r, 5), NullableString(r, 6));

    public OrderRecord ReadOrder(DbDataReader r) =>
        new(
            r.GetString(0),
            r.GetString(1),
            r.GetString(2),
            Time(r, 3),
            JsonSerializer.Deserialize(r.GetString(4), AcmeServerJsonContext.Default.ListAcmeIdentifier)!,
            Strings(r, 5),
            r.GetString(6),
            NullableString(r, 7),
            Problem(r, 8),
            NullableString(r, 9));

    public AuthorizationRecord ReadAuthorization(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), new AcmeIdentifier { Type = r.GetString(3), Value = r.GetString(4) }, Flag(r, 5), r.GetString(6), Time(r, 7));

    public ChallengeRecord ReadChallenge(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), NullableTime(r, 5), Problem(r, 6));

    public CertificateRecord ReadCertificate(DbDataReader r) =>
        new(
            r.GetString(0),
            r.GetString(1),
            r.GetString(2),
            r.GetString(3),
            r.GetString(4),
            Strings(r, 5),
            Time(r, 6),
            Time(r, 7),
            NullableTime(r, 8),
            NullableTime(r, 9),
            NullableTime(r, 10),
            r.IsDBNull(11) ? null : r.GetInt32(11),
            NullableString(r, 12));

    public AcmeRevokedCertificate ReadRevoked(DbDataReader r) => new(r.GetString(0), Time(r, 1), r.GetInt32(2));

    private DateTimeOffset? NullableTime(DbDataReader r, int i) => r.IsDBNull(i) ? null : Time(r, i);

    private static string? NullableString(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static AcmeProblem? Problem(DbDataReader r, int i) =>
        r.IsDBNull(i) ? null : JsonSerializer.Deserialize(r.GetString(i), AcmeServerJsonContext.Default.AcmeProblem);
}

/// <summary>SQLite: times in Unix milliseconds, lists as JSON arrays, flags as 0/1.</summary>
internal sealed class SqliteColumns : StoreColumns
{
    public static readonly SqliteColumns Instance = new();

    public override DateTimeOffset Time(DbDataReader r, int i) => DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));

    public override IReadOnlyList<string> Strings(DbDataReader r, int i) => JsonSerializer.Deserialize(r.GetString(i), AcmeServerJsonContext.Default.ListString) ?? [];

    public override bool Flag(DbDataReader r, int i) => r.GetInt32(i) != 0;

    public override object TimeValue(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public override object StringsValue(IReadOnlyList<string> values) => JsonSerializer.Serialize(values.ToList(), AcmeServerJsonContext.Default.ListString);
}

/// <summary>PostgreSQL: timestamptz (UTC only, as Npgsql requires), text[], boolean.</summary>
internal sealed class PostgresColumns : StoreColumns
{
    public static readonly PostgresColumns Instance = new();

    public override DateTimeOffset Time(DbDataReader r, int i) => r.GetFieldValue<DateTimeOffset>(i);

    public override IReadOnlyList<string> Strings(DbDataReader r, int i) => r.GetFieldValue<string[]>(i);

    public override bool Flag(DbDataReader r, int i) => r.GetBoolean(i);

    public override object TimeValue(DateTimeOffset value) => value.ToUniversalTime();

    public override object StringsValue(IReadOnlyList<string> values) => values.ToArray();
}
