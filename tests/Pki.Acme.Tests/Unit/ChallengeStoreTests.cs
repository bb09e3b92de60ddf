using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Pki.Acme.Tests.Unit;

/// <summary>The tls-alpn-01 store is the twin of the http-01 one; http-01 serving logic exists once (<see cref="Http01Endpoint"/>).</summary>
public sealed class ChallengeStoreTests
{
    private const string KeyAuthorization = IssuanceStub.ValidToken + ".thumbprint";

    [Fact]
    public void The_in_memory_tls_alpn_store_finds_challenges_by_sni_in_any_case_and_refuses_wildcards()
    {
        var store = new InMemoryTlsAlpn01ChallengeStore();
        store.Add(AcmeIdentifier.Dns("www.example.test"), KeyAuthorization);
        store.Add(AcmeIdentifier.Ip(IPAddress.Parse("192.0.2.7")), KeyAuthorization);

        Assert.True(store.TryGet("WWW.Example.TEST.", out var dns));
        Assert.Equal(new TlsAlpn01Challenge(AcmeIdentifier.Dns("www.example.test"), KeyAuthorization), dns);
        Assert.True(store.TryGet("7.2.0.192.in-addr.arpa", out var ip));
        Assert.Equal("192.0.2.7", ip.Identifier.Value);
        Assert.False(store.TryGet("www.example.test/..", out _));
        Assert.False(store.TryGet(null, out _));
        Assert.Equal(2, store.Count);

        var wildcard = Assert.Throws<ArgumentException>(() => store.Add(AcmeIdentifier.Dns("*.example.test"), KeyAuthorization));
        Assert.Equal("The identifier '*.example.test' is a wildcard: tls-alpn-01 cannot validate wildcards (RFC 8737 section 3). (Parameter 'identifier')", wildcard.Message);
        Assert.Throws<ArgumentException>(() => store.Add(AcmeIdentifier.Dns("a.example.test"), string.Empty));

        Assert.True(store.Remove(AcmeIdentifier.Dns("www.example.test")));
        Assert.False(store.Remove(AcmeIdentifier.Dns("www.example.test")));
        Assert.False(store.TryGet("www.example.test", out _));
    }

    [Fact]
    public async Task The_solver_presents_into_the_store_and_cleans_up()
    {
        var store = new InMemoryTlsAlpn01ChallengeStore();
        var solver = new TlsAlpn01ChallengeSolver(store);
        var identifier = AcmeIdentifier.Dns("alpn.example.test");
        var challenge = new AcmeChallengeResource { Type = AcmeChallengeResource.TlsAlpn01, Token = IssuanceStub.ValidToken, Url = new Uri("https://acme.test/chall/0") };
        var authorization = new AcmeAuthorization(new Uri("https://acme.test/authz/0"), new AcmeAuthorizationResource { Identifier = identifier, Status = AcmeStatus.Pending, Challenges = [challenge] }, null);
        var context = new AcmeChallengeContext(identifier, authorization, challenge, KeyAuthorization);

        await solver.PresentAsync(context, default);
        Assert.True(store.TryGet("alpn.example.test", out var presented));
        Assert.Equal(KeyAuthorization, presented.KeyAuthorization);

        await solver.CleanupAsync(context, default);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task The_certificate_cache_builds_once_per_key_authorization_and_forgets_withdrawn_challenges()
    {
        var store = new InMemoryTlsAlpn01ChallengeStore();
        using var cache = new TlsAlpn01CertificateCache(store);
        var identifier = AcmeIdentifier.Dns("cache.example.test");
        Assert.Null(await cache.FindAsync("cache.example.test", default));

        store.Add(identifier, KeyAuthorization);
        var first = await cache.FindAsync("cache.example.test", default);
        Assert.NotNull(first);
        Assert.Same(first, cache.FindLocal("CACHE.example.test."));
        Assert.Equal([0x04, 0x20, .. SHA256.HashData(Encoding.UTF8.GetBytes(KeyAuthorization))], first!.Extensions[TlsAlpn01Certificate.AcmeIdentifierOid]!.RawData);

        // A new challenge for the same name (a new order) gets a new certificate.
        store.Add(identifier, "other." + "thumbprint");
        var second = cache.FindLocal("cache.example.test");
        Assert.NotSame(first, second);
        Assert.Equal(["cache.example.test"], second!.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.Equal(1, cache.Count);

        store.Remove(identifier);
        Assert.Null(cache.FindLocal("cache.example.test"));
        Assert.Equal(0, cache.Count);
    }

    [Theory]
    [InlineData("/.well-known/acme-challenge/" + IssuanceStub.ValidToken, true, KeyAuthorization)]
    [InlineData("/.well-known/acme-challenge/unknownToken", true, null)]
    [InlineData("/.well-known/acme-challenge/../secret", true, null)]
    [InlineData("/.well-known/acme-challenge/", true, null)]
    [InlineData("/other/" + IssuanceStub.ValidToken, false, null)]
    [InlineData(null, false, null)]
    public async Task The_http01_endpoint_answers_only_well_formed_tokens_under_its_prefix(string? path, bool isChallengePath, string? expected)
    {
        var store = new InMemoryHttp01TokenStore();
        store.Add(IssuanceStub.ValidToken, KeyAuthorization);

        Assert.Equal(isChallengePath, Http01Endpoint.IsChallengePath(path));
        Assert.Equal(expected, await Http01Endpoint.FindKeyAuthorizationAsync(store, path, default));
        Assert.Equal(Encoding.ASCII.GetBytes(KeyAuthorization), Http01Endpoint.GetBody(KeyAuthorization));
    }
}
