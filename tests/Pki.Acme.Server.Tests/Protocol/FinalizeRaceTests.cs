using Microsoft.Extensions.DependencyInjection;
using Pki.Acme.Server.Storage;

namespace Pki.Acme.Server.Tests.Protocol;

/// <summary>
/// The validation service stores an order's "ready" after the authorization's "valid"; a client that polls the
/// authorization and finalizes at once can get in between (seen in the renewal drill as orderNotReady "already being
/// finalized" on a first finalize). The store below holds that "ready" back until the finalize's own update runs.
/// </summary>
public sealed class FinalizeRaceTests
{
    [Fact]
    public async Task A_finalize_that_races_the_validation_service_still_issues_once()
    {
        using var dir = new TempDirectory();
        var store = new LateReadyStore(new SqliteAcmeServerStore(dir.Database));
        await using var server = await TestServer.StartAsync(dir.Database, services: s => s.AddSingleton<IAcmeServerStore>(store));
        var client = server.CreateClient();
        using var accountKey = AcmeKey.Create();
        var account = await client.CreateAccountAsync(accountKey, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });

        var (_, order, _, key) = await EndToEndTests.IssueAsync(client, account, "race.example.com");
        key.Dispose();

        Assert.Equal("valid", order.Resource.Status);
        Assert.Equal(1, store.ReadyUpdatesHeldBack);
        Assert.Equal("valid", (await server.Store.GetOrderAsync(order.Location.Segments[^1], default))!.Status);
    }

    /// <summary>Forwards to a real store, but applies the validation service's pending→ready only when finalize's pending→processing arrives.</summary>
    private sealed class LateReadyStore(IAcmeServerStore inner) : IAcmeServerStore
    {
        private OrderRecord? _heldReady;

        public int ReadyUpdatesHeldBack { get; private set; }

        public async Task<bool> TransitionOrderAsync(string from, OrderRecord updated, CancellationToken cancellationToken)
        {
            if (from == "pending" && updated.Status == "ready")
            {
                _heldReady = updated;
                ReadyUpdatesHeldBack++;
                return true;
            }

            if (from == "pending" && updated.Status == "processing" && _heldReady is { } ready)
            {
                _heldReady = null;
                Assert.True(await inner.TransitionOrderAsync("pending", ready, cancellationToken));
            }

            return await inner.TransitionOrderAsync(from, updated, cancellationToken);
        }

        public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

        public Task AddNonceAsync(string nonce, DateTimeOffset expires, CancellationToken cancellationToken) => inner.AddNonceAsync(nonce, expires, cancellationToken);

        public Task<bool> ConsumeNonceAsync(string nonce, DateTimeOffset now, CancellationToken cancellationToken) => inner.ConsumeNonceAsync(nonce, now, cancellationToken);

        public Task<AccountCreateResult> CreateAccountAsync(AccountRecord account, CancellationToken cancellationToken) => inner.CreateAccountAsync(account, cancellationToken);

        public Task<AccountRecord?> GetAccountAsync(string id, CancellationToken cancellationToken) => inner.GetAccountAsync(id, cancellationToken);

        public Task<AccountRecord?> FindAccountByThumbprintAsync(string thumbprint, CancellationToken cancellationToken) => inner.FindAccountByThumbprintAsync(thumbprint, cancellationToken);

        public Task<bool> UpdateAccountAsync(string id, IReadOnlyList<string> contact, string status, CancellationToken cancellationToken) => inner.UpdateAccountAsync(id, contact, status, cancellationToken);

        public Task<bool> ChangeAccountKeyAsync(string id, string oldThumbprint, string newThumbprint, string newJwk, CancellationToken cancellationToken) => inner.ChangeAccountKeyAsync(id, oldThumbprint, newThumbprint, newJwk, cancellationToken);

        public Task<bool> CreateOrderAsync(OrderRecord order, IReadOnlyList<AuthorizationRecord> authorizations, IReadOnlyList<ChallengeRecord> challenges, string? replacesCertificateId, CancellationToken cancellationToken) =>
            inner.CreateOrderAsync(order, authorizations, challenges, replacesCertificateId, cancellationToken);

        public Task<OrderRecord?> GetOrderAsync(string id, CancellationToken cancellationToken) => inner.GetOrderAsync(id, cancellationToken);

        public Task<IReadOnlyList<string>> ListOrdersAsync(string accountId, int limit, CancellationToken cancellationToken) => inner.ListOrdersAsync(accountId, limit, cancellationToken);

        public Task<AuthorizationRecord?> GetAuthorizationAsync(string id, CancellationToken cancellationToken) => inner.GetAuthorizationAsync(id, cancellationToken);

        public Task<IReadOnlyList<AuthorizationRecord>> GetAuthorizationsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) => inner.GetAuthorizationsAsync(ids, cancellationToken);

        public Task<bool> TransitionAuthorizationAsync(string id, string from, string to, CancellationToken cancellationToken) => inner.TransitionAuthorizationAsync(id, from, to, cancellationToken);

        public Task<ChallengeRecord?> GetChallengeAsync(string id, CancellationToken cancellationToken) => inner.GetChallengeAsync(id, cancellationToken);

        public Task<IReadOnlyList<ChallengeRecord>> GetChallengesAsync(string authorizationId, CancellationToken cancellationToken) => inner.GetChallengesAsync(authorizationId, cancellationToken);

        public Task<bool> TransitionChallengeAsync(string id, string from, string to, DateTimeOffset? validated, AcmeProblem? error, CancellationToken cancellationToken) =>
            inner.TransitionChallengeAsync(id, from, to, validated, error, cancellationToken);

        public Task<bool> CompleteValidationAsync(string challengeId, string authorizationId, string outcome, DateTimeOffset? validated, AcmeProblem? error, CancellationToken cancellationToken) =>
            inner.CompleteValidationAsync(challengeId, authorizationId, outcome, validated, error, cancellationToken);

        public Task<int> FailInterruptedOrdersAsync(AcmeProblem error, TimeSpan olderThan, CancellationToken cancellationToken) => inner.FailInterruptedOrdersAsync(error, olderThan, cancellationToken);

        public Task<IReadOnlyList<string>> ListProcessingChallengesAsync(CancellationToken cancellationToken) => inner.ListProcessingChallengesAsync(cancellationToken);

        public Task<bool> AddCertificateAsync(CertificateRecord certificate, OrderRecord validOrder, CancellationToken cancellationToken) => inner.AddCertificateAsync(certificate, validOrder, cancellationToken);

        public Task<CertificateRecord?> GetCertificateAsync(string id, CancellationToken cancellationToken) => inner.GetCertificateAsync(id, cancellationToken);

        public Task<CertificateRecord?> FindCertificateBySerialAsync(string serialNumber, CancellationToken cancellationToken) => inner.FindCertificateBySerialAsync(serialNumber, cancellationToken);

        public Task<CertificateRecord?> FindCertificateByAriIdAsync(string ariCertId, CancellationToken cancellationToken) => inner.FindCertificateByAriIdAsync(ariCertId, cancellationToken);

        public Task<bool> RevokeAsync(string certificateId, int reason, DateTimeOffset revokedAt, CancellationToken cancellationToken) => inner.RevokeAsync(certificateId, reason, revokedAt, cancellationToken);

        public Task<IReadOnlyList<AcmeRevokedCertificate>> ListRevokedAsync(CancellationToken cancellationToken) => inner.ListRevokedAsync(cancellationToken);

        public Task<int> MoveRenewalWindowsAsync(IReadOnlyCollection<string> serialNumbers, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken) =>
            inner.MoveRenewalWindowsAsync(serialNumbers, start, end, cancellationToken);
    }
}
