using System.Net;
using Microsoft.Extensions.Time.Testing;
using Pki.Acme.Internal;

namespace Pki.Acme.Tests.Unit;

/// <summary>
/// The nonce pool against servers that forget nonces (issue #11: a first-in-first-out pool
/// exhausted the badNonce retries on stale nonces after concurrent requests and an idle period).
/// </summary>
public sealed class NonceTests
{
    private static readonly Uri AuthorizationUrl = new("https://acme.test/authz/1");

    private readonly StubAcmeServer _server = new();

    public NonceTests()
    {
        _server.Routes["POST /authz/1"] = _ => StubAcmeServer.Json(HttpStatusCode.OK, """{"status":"valid","identifier":{"type":"dns","value":"a.example"},"challenges":[]}""");
    }

    private async Task<(AcmeClient Client, AcmeAccount Account)> AccountAsync(TimeProvider? time = null)
    {
        var client = _server.CreateClient(time: time);
        var account = await client.CreateAccountAsync(AcmeKey.Create(), new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        return (client, account);
    }

    /// <summary><paramref name="count"/> requests in flight at once: the server holds each until all have arrived.</summary>
    private async Task ConcurrentRequestsAsync(AcmeClient client, AcmeAccount account, int count)
    {
        var arrived = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.BeforeRoute = request =>
        {
            if (request.Method != HttpMethod.Post || request.RequestUri!.AbsolutePath != AuthorizationUrl.AbsolutePath)
            {
                return Task.CompletedTask;
            }

            if (Interlocked.Increment(ref arrived) == count)
            {
                all.TrySetResult();
            }

            return all.Task;
        };
        await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Task.Run(() => client.GetAuthorizationAsync(account, AuthorizationUrl)))).WaitAsync(TimeSpan.FromSeconds(30));
        _server.BeforeRoute = null;
    }

    [Fact]
    public async Task After_concurrent_requests_and_an_idle_period_a_request_succeeds_against_a_server_with_a_nonce_window()
    {
        var (client, account) = await AccountAsync();
        await ConcurrentRequestsAsync(client, account, 8);
        Assert.True(client.PooledNonces >= 8);

        // Idle: other clients take nonces, and every pooled one falls out of the server's window.
        _server.NonceWindow = 4;
        _server.IssueNoncesToOthers(20);

        var authorization = await client.GetAuthorizationAsync(account, AuthorizationUrl);

        Assert.Equal(AcmeStatus.Valid, authorization.Resource.Status);
        Assert.Equal(1, _server.BadNonceAnswers); // the newest pooled nonce, then the one from the badNonce answer
        Assert.Equal(1, client.PooledNonces); // the stale ones went with the refusal; the success left one fresh nonce
    }

    [Fact]
    public async Task Nonces_older_than_NonceMaxAge_are_not_used_so_an_expiring_server_sees_no_stale_nonce()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        _server.NonceClock = time;
        _server.NonceLifetime = TimeSpan.FromSeconds(90);
        var (client, account) = await AccountAsync(time);
        await ConcurrentRequestsAsync(client, account, 8);
        var heads = _server.Count("HEAD /nonce");

        time.Advance(TimeSpan.FromMinutes(2)); // past the default NonceMaxAge (1 min) and the server's 90 s

        var authorization = await client.GetAuthorizationAsync(account, AuthorizationUrl);

        Assert.Equal(AcmeStatus.Valid, authorization.Resource.Status);
        Assert.Equal(0, _server.BadNonceAnswers);
        Assert.Equal(heads + 1, _server.Count("HEAD /nonce")); // a fresh one instead
    }

    [Fact]
    public async Task The_newest_nonce_is_used_first_and_the_pool_is_bounded()
    {
        var (client, account) = await AccountAsync();
        await ConcurrentRequestsAsync(client, account, 40);
        Assert.Equal(NoncePool.Capacity, client.PooledNonces);

        await client.GetAuthorizationAsync(account, AuthorizationUrl);
        var newest = "nonce" + _server.Requests.Count; // one nonce per response, numbered in order: this one came last
        await client.GetAuthorizationAsync(account, AuthorizationUrl);

        Assert.Equal(newest, _server.SignedNonces[^1]);
    }

    [Fact]
    public async Task A_badNonce_retry_signs_with_the_nonce_of_the_badNonce_answer()
    {
        var (client, account) = await AccountAsync();
        await ConcurrentRequestsAsync(client, account, 3);
        var calls = 0;
        _server.Routes["POST /authz/2"] = request =>
        {
            if (Interlocked.Increment(ref calls) > 1)
            {
                return StubAcmeServer.Json(HttpStatusCode.OK, """{"status":"valid","identifier":{"type":"dns","value":"a.example"},"challenges":[]}""");
            }

            var refusal = StubAcmeServer.Problem(HttpStatusCode.BadRequest, AcmeProblemTypes.BadNonce, "stale");
            refusal.Headers.Add("Replay-Nonce", "fromTheRefusal");
            return refusal;
        };

        await client.GetAuthorizationAsync(account, new Uri("https://acme.test/authz/2"));

        Assert.Equal("fromTheRefusal", _server.SignedNonces[^1]);
        Assert.Equal(1, client.PooledNonces); // the pooled nonces older than the refused one were dropped
    }

    [Fact]
    public void NonceMaxAge_is_validated()
    {
        var ex = Assert.Throws<AcmeConfigurationException>(() => new AcmeClient(new HttpClient(), new AcmeClientOptions { DirectoryUri = StubAcmeServer.Directory, NonceMaxAge = TimeSpan.Zero }));
        Assert.Equal("AcmeClientOptions.NonceMaxAge must be positive and at most 1.00:00:00; it is 00:00:00.", ex.Message);
    }
}
