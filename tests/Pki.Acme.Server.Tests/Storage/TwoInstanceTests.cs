using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pki.Acme.Server.Tests.Storage;

/// <summary>Two server instances behind one load balancer on one PostgreSQL database, driven by the real Pki.Acme client.</summary>
[Collection(PostgresCollection.Name)]
public sealed class TwoInstanceTests(PostgresFixture postgres)
{
    private static byte[] Csr(string name, out ECDsa key)
    {
        key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSigningRequest();
    }

    [Fact]
    public async Task An_order_started_on_one_instance_finishes_on_the_other()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var a = await PostgresInstance.StartAsync(database);
        await using var b = await PostgresInstance.StartAsync(database);
        using var lb = new LoadBalancer(_ => a);
        var client = lb.CreateClient();
        using var accountKey = AcmeKey.Create();

        // On A: the nonce for the first request, the account and the order.
        var account = await client.CreateAccountAsync(accountKey, new AcmeNewAccountRequest());
        var order = await client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("two.example.com")] });
        Assert.Equal(0, lb.Log.Count(l => l.Instance == b));

        // On B: the challenge, signed with the nonce A returned with the order (no fresh nonce fetched from B).
        lb.Route = _ => b;
        var authz = await client.GetAuthorizationAsync(account, order.Resource.Authorizations[0]);
        await client.RespondToChallengeAsync(account, authz.Resource.Challenges.Single(c => c.Type == "http-01"));
        Assert.DoesNotContain(lb.Log, l => l.Instance == b && l.Method == HttpMethod.Head);
        Assert.DoesNotContain(lb.Log, l => l.Status == HttpStatusCode.BadRequest);

        // Back on A: polls, finalize and download. B validated; A issued.
        lb.Route = _ => a;
        Assert.Equal("valid", (await client.WaitForAuthorizationAsync(account, order.Resource.Authorizations[0])).Resource.Status);
        order = await client.WaitForOrderAsync(account, order.Location);
        order = await client.FinalizeOrderAsync(account, order, Csr("two.example.com", out var certificateKey));
        using var _ = certificateKey;
        order = await client.WaitForOrderAsync(account, order.Location);
        Assert.Equal("valid", order.Resource.Status);
        var chains = await client.DownloadCertificateAsync(account, order.Resource.Certificate!);
        Assert.Equal(2, chains.Count);
        Assert.Single(b.Http01.KeyAuthorizations);
        Assert.Empty(a.Http01.KeyAuthorizations);
        Assert.Equal((1, 0), (a.Issuer.Issued, b.Issuer.Issued));

        // A nonce from B honoured by A, once: B's Replay-Nonce on a HEAD, sent raw to A twice.
        var nonce = await NewNonceAsync(lb, b);
        using var jws = new Protocol.RawJws();
        var url = new Uri(LoadBalancer.PublicRoot, "/acme/new-account").AbsoluteUri;
        lb.Route = _ => a;
        Assert.Equal(HttpStatusCode.Created, await PostAsync(lb, url, jws.Sign(url, nonce, "{}")));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(lb, url, jws.Sign(url, nonce, "{}")));
    }

    [Fact]
    public async Task Both_instances_race_for_one_challenge_and_one_finalization_and_exactly_one_wins()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var a = await PostgresInstance.StartAsync(database);
        await using var b = await PostgresInstance.StartAsync(database);
        using var toA = new LoadBalancer(_ => a);
        using var toB = new LoadBalancer(_ => b);
        var clientA = toA.CreateClient();
        var clientB = toB.CreateClient();
        using var accountKey = AcmeKey.Create();
        var account = await clientA.CreateAccountAsync(accountKey, new AcmeNewAccountRequest());

        for (var round = 0; round < 3; round++)
        {
            var name = $"race{round}.example.com";
            var order = await clientA.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns(name)] });
            var authz = await clientB.GetAuthorizationAsync(account, order.Resource.Authorizations[0]);
            var challenge = authz.Resource.Challenges.Single(c => c.Type == "http-01");
            await Task.WhenAll(Attempt(() => clientA.RespondToChallengeAsync(account, challenge)), Attempt(() => clientB.RespondToChallengeAsync(account, challenge)));
            Assert.Equal("valid", (await clientA.WaitForAuthorizationAsync(account, order.Resource.Authorizations[0])).Resource.Status);
            Assert.Equal(round + 1, a.Http01.KeyAuthorizations.Count + b.Http01.KeyAuthorizations.Count);

            order = await clientB.WaitForOrderAsync(account, order.Location);
            var csr = Csr(name, out var key);
            using var _ = key;
            var results = await Task.WhenAll(Attempt(() => clientA.FinalizeOrderAsync(account, order, csr)), Attempt(() => clientB.FinalizeOrderAsync(account, order, csr)));
            Assert.Equal(round + 1, a.Issuer.Issued + b.Issuer.Issued);
            Assert.Contains(results, r => r is null);
            Assert.All(results.Where(r => r is not null), r => Assert.Equal(AcmeProblemTypes.OrderNotReady, r!.Type));
            Assert.Equal("valid", (await clientB.WaitForOrderAsync(account, order.Location)).Resource.Status);
        }
    }

    /// <summary>Runs one racer; null when it succeeded, the problem when the server refused it.</summary>
    private static async Task<AcmeProblemException?> Attempt(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (AcmeProblemException ex)
        {
            return ex;
        }
    }

    private static async Task<string> NewNonceAsync(LoadBalancer lb, PostgresInstance instance)
    {
        lb.Route = _ => instance;
        using var http = new HttpClient(lb, disposeHandler: false);
        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(LoadBalancer.PublicRoot, "/acme/new-nonce")));
        return response.Headers.GetValues("Replay-Nonce").Single();
    }

    private static async Task<HttpStatusCode> PostAsync(LoadBalancer lb, string url, string body)
    {
        using var http = new HttpClient(lb, disposeHandler: false);
        using var content = new StringContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/jose+json");
        using var response = await http.PostAsync(new Uri(url), content);
        return response.StatusCode;
    }
}
