using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Pki.Acme.Server.Tests.Protocol;

/// <summary>Raw HTTP requests a careless or hostile client sends: each gets its problem type, and nothing is stored.</summary>
public sealed class HostileClientTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(_dir.Database, o =>
    {
        o.TermsOfService = new Uri("https://example.com/tos");
        o.Website = new Uri("https://example.com/");
        o.CaaIdentities.Add("ca.example");
        o.ExternalAccountKeys["kid-1"] = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
        _dir.Dispose();
    }

    private string Url(string path) => new Uri(_server.Root, "/acme/" + path).ToString();

    private async Task<string> NonceAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, Url("new-nonce"));
        using var response = await _http.SendAsync(request);
        return response.Headers.GetValues("Replay-Nonce").Single();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(string url, string body, string contentType = "application/jose+json")
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var response = await _http.PostAsync(url, content);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, json, response);
    }

    private async Task<string> RowCountsAsync()
    {
        using var connection = new SqliteConnection($"Data Source={_dir.Database};Pooling=False");
        await connection.OpenAsync();
        var counts = new List<string>();
        foreach (var table in new[] { "accounts", "orders", "authorizations", "challenges", "certificates" })
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM {table}";
            counts.Add($"{table}={await command.ExecuteScalarAsync()}");
        }

        return string.Join(",", counts);
    }

    private async Task AssertProblemAsync(string url, string body, string type, HttpStatusCode? status = null, string contentType = "application/jose+json")
    {
        var before = await RowCountsAsync();
        var (code, json, response) = await PostAsync(url, body, contentType);
        using (response)
        {
            Assert.Equal(type, json.GetProperty("type").GetString());
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            Assert.True(response.Headers.Contains("Replay-Nonce"));
            if (status is { } s)
            {
                Assert.Equal(s, code);
            }
        }

        Assert.Equal(before, await RowCountsAsync());
    }

    private static string NewAccountPayload => """{"termsOfServiceAgreed":true,"contact":["mailto:a@example.com"]}""";

    private async Task<string> CreateAccountAsync(RawJws key)
    {
        var (status, _, response) = await PostAsync(Url("new-account"), key.Sign(Url("new-account"), await NonceAsync(), NewAccountPayload));
        using (response)
        {
            Assert.Equal(HttpStatusCode.Created, status);
            return response.Headers.Location!.ToString();
        }
    }

    [Fact]
    public async Task Directory_and_nonce_headers()
    {
        using var response = await _http.GetAsync(Url("directory"));
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var meta = json.GetProperty("meta");
        Assert.Equal("https://example.com/tos", meta.GetProperty("termsOfService").GetString());
        Assert.Equal("ca.example", meta.GetProperty("caaIdentities")[0].GetString());
        Assert.Equal("6 days", meta.GetProperty("profiles").GetProperty("shortlived").GetString());
        Assert.False(meta.GetProperty("externalAccountRequired").GetBoolean());
        Assert.EndsWith("/acme/renewal-info", json.GetProperty("renewalInfo").GetString(), StringComparison.Ordinal);

        using var nonce = await _http.GetAsync(Url("new-nonce"));
        Assert.Equal(HttpStatusCode.NoContent, nonce.StatusCode);
        Assert.True(nonce.Headers.CacheControl!.NoStore);
        Assert.Contains("rel=\"index\"", string.Join(",", nonce.Headers.GetValues("Link")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_bodies_are_malformed()
    {
        await AssertProblemAsync(Url("new-account"), "not json", AcmeProblemTypes.Malformed, HttpStatusCode.BadRequest);
        await AssertProblemAsync(Url("new-account"), "{\"protected\":\"!!\",\"payload\":\"\",\"signature\":\"x\"}", AcmeProblemTypes.Malformed);
        await AssertProblemAsync(Url("new-account"), "[]", AcmeProblemTypes.Malformed);
        using var key = new RawJws();
        await AssertProblemAsync(Url("new-account"), key.Sign(Url("new-account"), await NonceAsync(), NewAccountPayload), AcmeProblemTypes.Malformed, (HttpStatusCode)415, "application/json");
    }

    [Fact]
    public async Task Wrong_url_is_unauthorized()
    {
        using var key = new RawJws();
        await AssertProblemAsync(Url("new-account"), key.Sign(Url("new-order"), await NonceAsync(), NewAccountPayload), AcmeProblemTypes.Unauthorized, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Replayed_and_missing_nonces_are_badNonce()
    {
        using var key = new RawJws();
        var nonce = await NonceAsync();
        await CreateAccountAsync(new RawJws());
        var (status, _, first) = await PostAsync(Url("new-account"), key.Sign(Url("new-account"), nonce, NewAccountPayload));
        first.Dispose();
        Assert.Equal(HttpStatusCode.Created, status);
        using var other = new RawJws();
        await AssertProblemAsync(Url("new-account"), other.Sign(Url("new-account"), nonce, NewAccountPayload), AcmeProblemTypes.BadNonce);
        await AssertProblemAsync(Url("new-account"), other.Sign(Url("new-account"), null, NewAccountPayload), AcmeProblemTypes.BadNonce);
        await AssertProblemAsync(Url("new-account"), other.Sign(Url("new-account"), "never-issued", NewAccountPayload), AcmeProblemTypes.BadNonce);
    }

    [Fact]
    public async Task Oversized_body_is_refused_with_413()
    {
        using var key = new RawJws();
        var payload = "{\"contact\":[],\"pad\":\"" + new string('a', 70 * 1024) + "\"}";
        await AssertProblemAsync(Url("new-account"), key.Sign(Url("new-account"), await NonceAsync(), payload), AcmeProblemTypes.Malformed, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Bad_signature_and_unknown_algorithm()
    {
        using var key = new RawJws();
        await AssertProblemAsync(Url("new-account"), key.Sign(Url("new-account"), await NonceAsync(), NewAccountPayload, corruptSignature: true), AcmeProblemTypes.Malformed);
        var before = await RowCountsAsync();
        var (_, json, response) = await PostAsync(Url("new-account"), key.Sign(Url("new-account"), await NonceAsync(), NewAccountPayload, alg: "HS512"));
        response.Dispose();
        Assert.Equal(AcmeProblemTypes.BadSignatureAlgorithm, json.GetProperty("type").GetString());
        Assert.Contains("ES256", json.GetProperty("algorithms").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(before, await RowCountsAsync());
        await AssertProblemAsync(Url("new-account"), key.Sign(Url("new-account"), await NonceAsync(), NewAccountPayload, alg: "ES384"), AcmeProblemTypes.BadSignatureAlgorithm);
    }

    [Fact]
    public async Task Unknown_and_foreign_accounts()
    {
        using var key = new RawJws();
        await AssertProblemAsync(Url("new-order"), key.Sign(Url("new-order"), await NonceAsync(), "{}", kid: Url("acct/nope")), AcmeProblemTypes.AccountDoesNotExist);
        await AssertProblemAsync(Url("new-order"), key.Sign(Url("new-order"), await NonceAsync(), "{}", kid: "https://elsewhere.example/acct/1"), AcmeProblemTypes.Unauthorized);

        // A kid of a real account, signed by another key.
        using var owner = new RawJws();
        var kid = await CreateAccountAsync(owner);
        await AssertProblemAsync(Url("new-order"), key.Sign(Url("new-order"), await NonceAsync(), "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.example.com\"}]}", kid: kid), AcmeProblemTypes.Malformed);
    }

    [Fact]
    public async Task Account_rules()
    {
        using var key = new RawJws();
        await AssertProblemAsync(Url("new-account"), key.Sign(Url("new-account"), await NonceAsync(), "{\"contact\":[]}"), AcmeProblemTypes.AgreementRequired);
        await AssertProblemAsync(Url("new-account"), key.Sign(Url("new-account"), await NonceAsync(), "{\"termsOfServiceAgreed\":true,\"contact\":[\"tel:+123\"]}"), AcmeProblemTypes.UnsupportedContact);
        await AssertProblemAsync(Url("new-account"), key.Sign(Url("new-account"), await NonceAsync(), "{\"termsOfServiceAgreed\":true,\"contact\":[\"mailto:not-an-address\"]}"), AcmeProblemTypes.InvalidContact);
        await AssertProblemAsync(Url("new-account"), key.Sign(Url("new-account"), await NonceAsync(), "{\"onlyReturnExisting\":true}"), AcmeProblemTypes.AccountDoesNotExist);
        await AssertProblemAsync(Url("new-account"), key.Sign(Url("new-account"), await NonceAsync(), NewAccountPayload, kid: Url("acct/x")), AcmeProblemTypes.Malformed);
    }

    [Fact]
    public async Task External_account_binding_is_verified_and_bound_once()
    {
        var client = _server.CreateClient();
        var macKey = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        var wrongKey = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(new byte[32]);
        using var k1 = AcmeKey.Create();
        var before = await RowCountsAsync();
        var wrong = await Assert.ThrowsAsync<AcmeProblemException>(() => client.CreateAccountAsync(k1, new AcmeNewAccountRequest { TermsOfServiceAgreed = true, ExternalAccountBinding = new AcmeExternalAccountBinding("kid-1", wrongKey) }));
        Assert.Equal(AcmeProblemTypes.Unauthorized, wrong.Type);
        var unknown = await Assert.ThrowsAsync<AcmeProblemException>(() => client.CreateAccountAsync(k1, new AcmeNewAccountRequest { TermsOfServiceAgreed = true, ExternalAccountBinding = new AcmeExternalAccountBinding("kid-2", macKey) }));
        Assert.Equal(AcmeProblemTypes.Unauthorized, unknown.Type);
        Assert.Equal(before, await RowCountsAsync());

        await client.CreateAccountAsync(k1, new AcmeNewAccountRequest { TermsOfServiceAgreed = true, ExternalAccountBinding = new AcmeExternalAccountBinding("kid-1", macKey) });
        using var k2 = AcmeKey.Create();
        var reused = await Assert.ThrowsAsync<AcmeProblemException>(() => client.CreateAccountAsync(k2, new AcmeNewAccountRequest { TermsOfServiceAgreed = true, ExternalAccountBinding = new AcmeExternalAccountBinding("kid-1", macKey) }));
        Assert.Equal(AcmeProblemTypes.Unauthorized, reused.Type);
    }

    [Fact]
    public async Task Order_rules()
    {
        using var key = new RawJws();
        var kid = await CreateAccountAsync(key);
        async Task Order(string payload, string type) => await AssertProblemAsync(Url("new-order"), key.Sign(Url("new-order"), await NonceAsync(), payload, kid: kid), type);

        var before = await RowCountsAsync();
        var (_, json, response) = await PostAsync(Url("new-order"), key.Sign(Url("new-order"), await NonceAsync(), """{"identifiers":[{"type":"dns","value":"Bad_Name.example.com"},{"type":"dns","value":"ok.example.com"},{"type":"dns","value":"1.2.3.4"},{"type":"dns","value":"xn--zz.example.com"},{"type":"ip","value":"010.1.1.1"}]}""", kid: kid));
        response.Dispose();
        Assert.Equal(AcmeProblemTypes.RejectedIdentifier, json.GetProperty("type").GetString());
        Assert.Equal(4, json.GetProperty("subproblems").GetArrayLength());
        Assert.Equal("Bad_Name.example.com", json.GetProperty("subproblems")[0].GetProperty("identifier").GetProperty("value").GetString());
        Assert.Equal(before, await RowCountsAsync());

        await Order("""{"identifiers":[{"type":"email","value":"a@example.com"}]}""", AcmeProblemTypes.UnsupportedIdentifier);
        await Order("""{"identifiers":[]}""", AcmeProblemTypes.Malformed);
        await Order("""{"identifiers":[{"type":"dns","value":"a.example.com"}],"notAfter":"2030-01-01T00:00:00Z"}""", AcmeProblemTypes.Malformed);
        await Order("""{"identifiers":[{"type":"dns","value":"a.example.com"}],"profile":"forever"}""", AcmeProblemTypes.InvalidProfile);
        await Order("""{"identifiers":[{"type":"dns","value":"a.example.com"}],"replaces":"AAAA.AAAA"}""", AcmeProblemTypes.Malformed);
        await Order("""{"identifiers":[{"type":"dns","value":"a.example.com"}],"replaces":"not-a-cert-id"}""", AcmeProblemTypes.Malformed);
        await Order("""{"identifiers":[{"type":"dns","value":"*.*.example.com"}]}""", AcmeProblemTypes.RejectedIdentifier);
        await Order("""{"identifiers":[{"type":"dns","value":"a.example.com"},{"type":"dns","value":"a.example.com"}]}""", AcmeProblemTypes.Malformed);
    }

    [Fact]
    public async Task Csr_with_extra_names_is_badCSR_and_the_order_stays_ready()
    {
        var client = _server.CreateClient();
        using var accountKey = AcmeKey.Create();
        var account = await client.CreateAccountAsync(accountKey, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        var order = await client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("a.example.com")] });
        var authz = await client.GetAuthorizationAsync(account, order.Resource.Authorizations[0]);
        await client.RespondToChallengeAsync(account, authz.Resource.Challenges.Single(c => c.Type == "http-01"));
        await client.WaitForAuthorizationAsync(account, order.Resource.Authorizations[0]);
        order = await client.WaitForOrderAsync(account, order.Location);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=a.example.com", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("a.example.com");
        san.AddDnsName("evil.example.net");
        request.CertificateExtensions.Add(san.Build());
        var before = await RowCountsAsync();
        var bad = await Assert.ThrowsAsync<AcmeProblemException>(() => client.FinalizeOrderAsync(account, order, request.CreateSigningRequest()));
        Assert.Equal(AcmeProblemTypes.BadCsr, bad.Type);
        Assert.Contains("evil.example.net", bad.Problem.Detail, StringComparison.Ordinal);
        Assert.Equal("ready", (await client.GetOrderAsync(account, order.Location)).Resource.Status);

        // Garbage instead of a CSR.
        Assert.Equal(before, await RowCountsAsync());
        var garbage = await Assert.ThrowsAsync<AcmeProblemException>(() => client.FinalizeOrderAsync(account, order, new byte[] { 1, 2, 3 }));
        Assert.Equal(AcmeProblemTypes.BadCsr, garbage.Type);
        Assert.Equal("ready", (await client.GetOrderAsync(account, order.Location)).Resource.Status);
        Assert.Equal(0, _server.Issuer.Issued);
    }

    [Fact]
    public async Task Bad_revocation_reason_and_foreign_revocation()
    {
        var client = _server.CreateClient();
        using var accountKey = AcmeKey.Create();
        var account = await client.CreateAccountAsync(accountKey, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        var (_, _, leafDer, certKey) = await EndToEndTests.IssueAsync(client, account, "r.example.com");
        certKey.Dispose();
        var bad = await Assert.ThrowsAsync<AcmeProblemException>(() => client.RevokeCertificateAsync(account, leafDer, (AcmeRevocationReason)2));
        Assert.Equal(AcmeProblemTypes.BadRevocationReason, bad.Type);

        using var strangerKey = AcmeKey.Create();
        var stranger = await client.CreateAccountAsync(strangerKey, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        var foreign = await Assert.ThrowsAsync<AcmeProblemException>(() => client.RevokeCertificateAsync(stranger, leafDer));
        Assert.Equal(AcmeProblemTypes.Unauthorized, foreign.Type);
        var download = await Assert.ThrowsAsync<AcmeProblemException>(() => client.DownloadCertificateAsync(stranger, new Uri(_server.Root, "/acme/cert/" + "x")));
        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        Assert.Empty(await _server.Store.ListRevokedAsync(default));
        Assert.Empty(_server.Issuer.Revoked);
    }

    [Fact]
    public async Task Authorization_deactivation_invalidates_the_order()
    {
        using var key = new RawJws();
        var kid = await CreateAccountAsync(key);
        var (status, order, response) = await PostAsync(Url("new-order"), key.Sign(Url("new-order"), await NonceAsync(), """{"identifiers":[{"type":"dns","value":"d.example.com"}]}""", kid: kid));
        var orderUrl = response.Headers.Location!.ToString();
        response.Dispose();
        Assert.Equal(HttpStatusCode.Created, status);
        var authzUrl = order.GetProperty("authorizations")[0].GetString()!;
        var (_, authz, r1) = await PostAsync(authzUrl, key.Sign(authzUrl, await NonceAsync(), """{"status":"deactivated"}""", kid: kid));
        r1.Dispose();
        Assert.Equal("deactivated", authz.GetProperty("status").GetString());
        var (_, after, r2) = await PostAsync(orderUrl, key.Sign(orderUrl, await NonceAsync(), null, kid: kid));
        r2.Dispose();
        Assert.Equal("invalid", after.GetProperty("status").GetString());
        await AssertProblemAsync(authzUrl, key.Sign(authzUrl, await NonceAsync(), """{"status":"deactivated"}""", kid: kid), AcmeProblemTypes.Malformed);
        await AssertProblemAsync(authzUrl, key.Sign(authzUrl, await NonceAsync(), """{"status":"valid"}""", kid: kid), AcmeProblemTypes.Malformed);

        // The account's order list leaves the invalid order out.
        var listUrl = kid + "/orders";
        var (_, list, r3) = await PostAsync(listUrl, key.Sign(listUrl, await NonceAsync(), null, kid: kid));
        r3.Dispose();
        Assert.Equal(0, list.GetProperty("orders").GetArrayLength());

        // Another account cannot read it.
        using var stranger = new RawJws();
        var strangerKid = await CreateAccountAsync(stranger);
        await AssertProblemAsync(orderUrl, stranger.Sign(orderUrl, await NonceAsync(), null, kid: strangerKid), AcmeProblemTypes.Unauthorized);
        await AssertProblemAsync(listUrl, stranger.Sign(listUrl, await NonceAsync(), null, kid: strangerKid), AcmeProblemTypes.Unauthorized);
    }
}
