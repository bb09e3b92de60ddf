using Pki.Acme;

namespace Pki.Acme.Server.Storage;

// The server's state. Every state transition is a conditional update (WHERE status = expected) so two
// instances sharing one database never both process one challenge or finalize one order. The SQL in the
// SQLite implementation is plain tables and transactions so a PostgreSQL implementation can follow it.

/// <summary>An ACME account. <see cref="Jwk"/> is the canonical RFC 7638 JWK; <see cref="Thumbprint"/> its SHA-256 thumbprint.</summary>
internal sealed record AccountRecord(string Id, string Thumbprint, string Jwk, string Status, IReadOnlyList<string> Contact, DateTimeOffset CreatedAt, string? EabKeyId);

/// <summary>An order and its authorizations (ids), in the order of <see cref="Identifiers"/>.</summary>
internal sealed record OrderRecord(
    string Id,
    string AccountId,
    string Status,
    DateTimeOffset Expires,
    IReadOnlyList<AcmeIdentifier> Identifiers,
    IReadOnlyList<string> AuthorizationIds,
    string Profile,
    string? Replaces,
    AcmeProblem? Error,
    string? CertificateId);

/// <summary>One authorization for one identifier of one order.</summary>
internal sealed record AuthorizationRecord(string Id, string AccountId, string OrderId, AcmeIdentifier Identifier, bool Wildcard, string Status, DateTimeOffset Expires);

/// <summary>One challenge of an authorization.</summary>
internal sealed record ChallengeRecord(string Id, string AuthorizationId, string Type, string Token, string Status, DateTimeOffset? Validated, AcmeProblem? Error);

/// <summary>An issued certificate with its ARI identifier, renewal window and revocation.</summary>
internal sealed record CertificateRecord(
    string Id,
    string AccountId,
    string OrderId,
    string SerialNumber,
    string AriCertId,
    IReadOnlyList<string> ChainsPem,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    DateTimeOffset? WindowStart,
    DateTimeOffset? WindowEnd,
    DateTimeOffset? RevokedAt,
    int? RevocationReason,
    string? ReplacedByOrderId);

/// <summary>The outcome of creating an account.</summary>
internal enum AccountCreateResult
{
    Created,
    KeyExists,
    ExternalKeyAlreadyBound,
}

/// <summary>The server's storage: accounts, nonces, orders, authorizations, challenges, certificates, revocations, renewal windows and EAB bindings.</summary>
internal interface IAcmeServerStore : IAcmeRevocationSource
{
    /// <summary>Creates the schema when missing.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    Task AddNonceAsync(string nonce, DateTimeOffset expires, CancellationToken cancellationToken);

    /// <summary>Removes the nonce; true only when it existed and had not expired (single use).</summary>
    Task<bool> ConsumeNonceAsync(string nonce, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Creates the account unless its key is in use; binds the EAB key id at most once, in the same transaction.</summary>
    Task<AccountCreateResult> CreateAccountAsync(AccountRecord account, CancellationToken cancellationToken);

    Task<AccountRecord?> GetAccountAsync(string id, CancellationToken cancellationToken);

    Task<AccountRecord?> FindAccountByThumbprintAsync(string thumbprint, CancellationToken cancellationToken);

    /// <summary>Updates contact and status of a valid account; false when it is no longer valid.</summary>
    Task<bool> UpdateAccountAsync(string id, IReadOnlyList<string> contact, string status, CancellationToken cancellationToken);

    /// <summary>Replaces the account key when the old one still matches and the new one is unused; false otherwise.</summary>
    Task<bool> ChangeAccountKeyAsync(string id, string oldThumbprint, string newThumbprint, string newJwk, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new order with its authorizations and challenges in one transaction; when the order replaces a
    /// certificate (RFC 9773 section 5) marks that certificate replaced in the same transaction, and returns false
    /// (storing nothing) when it already was.
    /// </summary>
    Task<bool> CreateOrderAsync(OrderRecord order, IReadOnlyList<AuthorizationRecord> authorizations, IReadOnlyList<ChallengeRecord> challenges, string? replacesCertificateId, CancellationToken cancellationToken);

    Task<OrderRecord?> GetOrderAsync(string id, CancellationToken cancellationToken);

    /// <summary>The ids of the account's orders that are not invalid (RFC 8555 section 7.1.2.1), newest last, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<string>> ListOrdersAsync(string accountId, int limit, CancellationToken cancellationToken);

    /// <summary>Moves the order from <paramref name="from"/> to <paramref name="updated"/>'s status; false when another request moved it first.</summary>
    Task<bool> TransitionOrderAsync(string from, OrderRecord updated, CancellationToken cancellationToken);

    Task<AuthorizationRecord?> GetAuthorizationAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuthorizationRecord>> GetAuthorizationsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken);

    Task<bool> TransitionAuthorizationAsync(string id, string from, string to, CancellationToken cancellationToken);

    Task<ChallengeRecord?> GetChallengeAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<ChallengeRecord>> GetChallengesAsync(string authorizationId, CancellationToken cancellationToken);

    /// <summary>Moves a challenge between states; false when it was not in <paramref name="from"/>.</summary>
    Task<bool> TransitionChallengeAsync(string id, string from, string to, DateTimeOffset? validated, AcmeProblem? error, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a validation outcome in one transaction: the challenge processing -> <paramref name="outcome"/> and its
    /// authorization pending -> <paramref name="outcome"/>; false (nothing changed) when either was already moved.
    /// </summary>
    Task<bool> CompleteValidationAsync(string challengeId, string authorizationId, string outcome, DateTimeOffset? validated, AcmeProblem? error, CancellationToken cancellationToken);

    /// <summary>The challenges left in <c>processing</c> (after a crash or restart) to queue again.</summary>
    Task<IReadOnlyList<string>> ListProcessingChallengesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Makes orders that have been <c>processing</c> for at least <paramref name="olderThan"/> (by the database's
    /// clock) <c>invalid</c> with <paramref name="error"/>: an instance stopped mid-issuance, and their clients would
    /// otherwise poll until the order expires. Returns how many.
    /// </summary>
    Task<int> FailInterruptedOrdersAsync(AcmeProblem error, TimeSpan olderThan, CancellationToken cancellationToken);

    /// <summary>Stores the certificate and moves its order processing -> valid in one transaction; false when the order was not processing.</summary>
    Task<bool> AddCertificateAsync(CertificateRecord certificate, OrderRecord validOrder, CancellationToken cancellationToken);

    Task<CertificateRecord?> GetCertificateAsync(string id, CancellationToken cancellationToken);

    Task<CertificateRecord?> FindCertificateBySerialAsync(string serialNumber, CancellationToken cancellationToken);

    Task<CertificateRecord?> FindCertificateByAriIdAsync(string ariCertId, CancellationToken cancellationToken);

    /// <summary>Records the revocation; false when already revoked.</summary>
    Task<bool> RevokeAsync(string certificateId, int reason, DateTimeOffset revokedAt, CancellationToken cancellationToken);

    /// <summary>Sets the renewal window of every listed serial number in one set-based update; returns how many certificates matched.</summary>
    Task<int> MoveRenewalWindowsAsync(IReadOnlyCollection<string> serialNumbers, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken);
}
