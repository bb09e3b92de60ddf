using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;

namespace Pki.Acme.Server.Tests.Protocol;

/// <summary>The protocol part against the seams: a validator that really fetches http-01, the CAA policy, a refusing CA.</summary>
public sealed class SeamTests
{
    /// <summary>Fetches <c>/.well-known/acme-challenge/{token}</c> from a loopback port, as the validation authority would from port 80.</summary>
    private sealed class FetchingHttp01Validator(int port) : IAcmeChallengeValidator
    {
        public string Type => "http-01";

        public bool Supports(AcmeIdentifier identifier) => !identifier.IsWildcard;

        public async Task<AcmeChallengeCheck> ValidateAsync(AcmeIdentifier identifier, string token, string keyAuthorization, CancellationToken cancellationToken)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/.well-known/acme-challenge/{token}");
            request.Headers.Host = identifier.Value;
            using var response = await http.SendAsync(request, cancellationToken);
            var body = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
            return response.IsSuccessStatusCode && body == keyAuthorization
                ? AcmeChallengeCheck.Valid
                : new AcmeChallengeCheck(false, new AcmeProblem { Type = AcmeProblemTypes.IncorrectResponse, Detail = $"HTTP {(int)response.StatusCode}, {body.Length} bytes" });
        }
    }

    private sealed class RefusingCaa(bool refuse) : IAcmeCaaPolicy
    {
        public List<AcmeCaaCheckItem> Seen { get; } = [];

        public Task<AcmeProblem?> CheckAsync(IReadOnlyList<AcmeCaaCheckItem> items, Uri accountUrl, CancellationToken cancellationToken)
        {
            Seen.AddRange(items);
            return Task.FromResult(refuse
                ? new AcmeProblem { Type = AcmeProblemTypes.Caa, Detail = "CAA forbids", Subproblems = [new AcmeProblem { Type = AcmeProblemTypes.Caa, Identifier = items[0].Identifier, Detail = "issue \"other.example\"" }] }
                : null);
        }
    }

    private static async Task<(AcmeClient Client, AcmeAccount Account, AcmeOrder Order)> ReadyOrderAsync(TestServer server, AcmeKey key, string name)
    {
        var client = server.CreateClient();
        var account = await client.CreateAccountAsync(key, new AcmeNewAccountRequest());
        var order = await client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns(name)] });
        var authz = await client.GetAuthorizationAsync(account, order.Resource.Authorizations[0]);
        await client.RespondToChallengeAsync(account, authz.Resource.Challenges.Single(c => c.Type == "http-01"));
        Assert.Equal("valid", (await client.WaitForAuthorizationAsync(account, order.Resource.Authorizations[0])).Resource.Status);
        return (client, account, await client.WaitForOrderAsync(account, order.Location));
    }

    private static byte[] Csr(string name, ECDsa key)
    {
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSigningRequest();
    }

    [Fact]
    public async Task Http01_fetched_from_the_Pki_Acme_responder()
    {
        var tokens = new InMemoryHttp01TokenStore();
        await using var responder = Http01Responder.Start(tokens, new IPEndPoint(IPAddress.Loopback, 0));
        using var dir = new TempDirectory();
        await using var server = await TestServer.StartAsync(dir.Database, http01: new TestValidator(string.Empty), services: s => s.AddSingleton<IAcmeChallengeValidator>(new FetchingHttp01Validator(responder.LocalEndPoint!.Port)));
        var client = server.CreateClient();
        using var key = AcmeKey.Create();
        var account = await client.CreateAccountAsync(key, new AcmeNewAccountRequest());
        var order = await client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("fetch.example.com"), AcmeIdentifier.Dns("missing.example.com")] });
        var good = await client.GetAuthorizationAsync(account, order.Resource.Authorizations[0]);
        var goodChallenge = good.Resource.Challenges.Single(c => c.Type == "http-01");
        tokens.Add(goodChallenge.Token!, goodChallenge.Token + "." + key.Thumbprint);
        await client.RespondToChallengeAsync(account, goodChallenge);
        Assert.Equal("valid", (await client.WaitForAuthorizationAsync(account, order.Resource.Authorizations[0])).Resource.Status);

        // No token served for the second name: invalid with the validator's problem.
        var bad = await client.GetAuthorizationAsync(account, order.Resource.Authorizations[1]);
        await client.RespondToChallengeAsync(account, bad.Resource.Challenges.Single(c => c.Type == "http-01"));
        bad = await client.WaitForAuthorizationAsync(account, order.Resource.Authorizations[1]);
        Assert.Equal("invalid", bad.Resource.Status);
        Assert.Equal(AcmeProblemTypes.IncorrectResponse, bad.Resource.Challenges.Single(c => c.Type == "http-01").Error!.Type);
    }

    [Fact]
    public async Task Caa_refusal_makes_the_order_invalid_with_the_caa_problem()
    {
        var caa = new RefusingCaa(refuse: true);
        using var dir = new TempDirectory();
        await using var server = await TestServer.StartAsync(dir.Database, services: s => s.AddSingleton<IAcmeCaaPolicy>(caa));
        using var key = AcmeKey.Create();
        var (client, account, order) = await ReadyOrderAsync(server, key, "caa.example.com");
        using var certKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var refused = await Assert.ThrowsAsync<AcmeProblemException>(() => client.FinalizeOrderAsync(account, order, Csr("caa.example.com", certKey)));
        Assert.Equal(AcmeProblemTypes.Caa, refused.Type);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(new AcmeCaaCheckItem(AcmeIdentifier.Dns("caa.example.com"), "http-01"), Assert.Single(caa.Seen));
        var after = await client.GetOrderAsync(account, order.Location);
        Assert.Equal("invalid", after.Resource.Status);
        Assert.Equal(AcmeProblemTypes.Caa, after.Resource.Error!.Type);
        Assert.Equal(0, server.Issuer.Issued);
    }

    [Fact]
    public async Task Ca_refusal_returns_its_problem_type()
    {
        using var dir = new TempDirectory();
        await using var server = await TestServer.StartAsync(dir.Database, services: s => s.AddSingleton<IAcmeCaaPolicy>(new RefusingCaa(refuse: false)));
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var key = AcmeKey.FromECDsa(ecdsa);
        var (client, account, order) = await ReadyOrderAsync(server, key, "same-key.example.com");
        var refused = await Assert.ThrowsAsync<AcmeProblemException>(() => client.FinalizeOrderAsync(account, order, Csr("same-key.example.com", ecdsa)));
        Assert.Equal(AcmeProblemTypes.BadPublicKey, refused.Type);
        Assert.Equal(AcmeProblemTypes.BadPublicKey, (await client.GetOrderAsync(account, order.Location)).Resource.Error!.Type);
    }
}
