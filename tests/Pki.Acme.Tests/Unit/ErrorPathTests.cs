using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Pki.Acme.Tests.Unit;

public sealed class ErrorPathTests
{
    private readonly StubAcmeServer _server = new();

    private static readonly Uri OrderUrl = new("https://acme.test/order/1");

    private async Task<(AcmeClient Client, AcmeAccount Account)> AccountAsync(Action<AcmeClientOptions>? configure = null, TimeProvider? time = null)
    {
        var client = _server.CreateClient(configure, time);
        var account = await client.CreateAccountAsync(AcmeKey.Create(), new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        return (client, account);
    }

    [Fact]
    public async Task The_directory_meta_is_read_including_profiles()
    {
        var directory = await _server.CreateClient().GetDirectoryAsync();
        Assert.Equal(new Uri("https://acme.test/tos"), directory.Meta!.TermsOfService);
        Assert.Equal(["acme.test"], directory.Meta.CaaIdentities);
        Assert.Equal("Six days", directory.Meta.Profiles!["shortlived"]);
    }

    [Fact]
    public async Task A_directory_that_is_not_json_is_a_MalformedJson_error_naming_the_url()
    {
        _server.Routes["GET /dir"] = _ => StubAcmeServer.Json(HttpStatusCode.OK, "{\"newNonce\": ");
        var ex = await Assert.ThrowsAsync<AcmeProtocolException>(() => _server.CreateClient().GetDirectoryAsync());
        Assert.Equal(AcmeProtocolError.MalformedJson, ex.Error);
        Assert.Equal(StubAcmeServer.Directory, ex.RequestUri);
        Assert.Contains("https://acme.test/dir", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_with_wrong_types_or_a_missing_url_is_refused()
    {
        _server.Routes["GET /dir"] = _ => StubAcmeServer.Json(HttpStatusCode.OK, """{"newNonce":42}""");
        Assert.Equal(AcmeProtocolError.MalformedJson, (await Assert.ThrowsAsync<AcmeProtocolException>(() => _server.CreateClient().GetDirectoryAsync())).Error);

        _server.Routes["GET /dir"] = _ => StubAcmeServer.Json(HttpStatusCode.OK, """{"newAccount":"https://acme.test/a"}""");
        var missing = await Assert.ThrowsAsync<AcmeProtocolException>(() => _server.CreateClient().GetDirectoryAsync());
        Assert.Contains("The 'newNonce' URL is missing", missing.Message, StringComparison.Ordinal);

        _server.Routes["GET /dir"] = _ => StubAcmeServer.Json(HttpStatusCode.OK, """{"newNonce":"http://acme.test/n","newAccount":"https://a/","newOrder":"https://a/","revokeCert":"https://a/","keyChange":"https://a/"}""");
        var insecure = await Assert.ThrowsAsync<AcmeProtocolException>(() => _server.CreateClient().GetDirectoryAsync());
        Assert.Contains("'newNonce' URL 'http://acme.test/n' is not an absolute https URL", insecure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_content_type_is_refused()
    {
        _server.Routes["GET /dir"] = _ => StubAcmeServer.Json(HttpStatusCode.OK, "<html></html>", "text/html");
        var ex = await Assert.ThrowsAsync<AcmeProtocolException>(() => _server.CreateClient().GetDirectoryAsync());
        Assert.Equal(AcmeProtocolError.UnexpectedContentType, ex.Error);
        Assert.Contains("got 'text/html'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_bodies_are_refused_whether_declared_or_streamed()
    {
        var big = new string('x', 10_000);
        _server.Routes["GET /dir"] = _ => StubAcmeServer.Json(HttpStatusCode.OK, big);
        var declared = await Assert.ThrowsAsync<AcmeProtocolException>(() => _server.CreateClient(o => o.MaxResponseBytes = 4096).GetDirectoryAsync());
        Assert.Equal(AcmeProtocolError.ResponseTooLarge, declared.Error);
        Assert.Contains("declares 10000 bytes; the limit is 4096", declared.Message, StringComparison.Ordinal);

        _server.Routes["GET /dir"] = _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new EndlessStream()) };
        var streamed = await Assert.ThrowsAsync<AcmeProtocolException>(() => _server.CreateClient(o => o.MaxResponseBytes = 4096).GetDirectoryAsync());
        Assert.Equal(AcmeProtocolError.ResponseTooLarge, streamed.Error);
    }

    [Theory]
    [InlineData("http://acme.test/dir", false, "must use https")]
    [InlineData("/dir", false, "must be an absolute URL")]
    public void Bad_directory_urls_are_refused_at_construction(string url, bool allowHttp, string message)
    {
        var ex = Assert.Throws<AcmeConfigurationException>(() =>
            new AcmeClient(new HttpClient(), new AcmeClientOptions { DirectoryUri = new Uri(url, UriKind.RelativeOrAbsolute), AllowInsecureHttp = allowHttp }));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Http_is_allowed_only_with_the_explicit_test_opt_out_and_other_options_are_checked()
    {
        _ = new AcmeClient(new HttpClient(), new AcmeClientOptions { DirectoryUri = new Uri("http://127.0.0.1/dir"), AllowInsecureHttp = true });
        Assert.Throws<AcmeConfigurationException>(() => new AcmeClient(new HttpClient(), new AcmeClientOptions()));
        Assert.Contains("MaxResponseBytes", Assert.Throws<AcmeConfigurationException>(() => new AcmeClient(new HttpClient(), new AcmeClientOptions { DirectoryUri = StubAcmeServer.Directory, MaxResponseBytes = 10 })).Message, StringComparison.Ordinal);
        Assert.Contains("BadNonceRetries", Assert.Throws<AcmeConfigurationException>(() => new AcmeClient(new HttpClient(), new AcmeClientOptions { DirectoryUri = StubAcmeServer.Directory, BadNonceRetries = -1 })).Message, StringComparison.Ordinal);
        Assert.Contains("PollInitialDelay", Assert.Throws<AcmeConfigurationException>(() => new AcmeClient(new HttpClient(), new AcmeClientOptions { DirectoryUri = StubAcmeServer.Directory, PollInitialDelay = TimeSpan.Zero })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_account_without_location_is_a_MissingLocation_error()
    {
        _server.Routes["POST /acct"] = _ => StubAcmeServer.Json(HttpStatusCode.Created, """{"status":"valid"}""");
        var ex = await Assert.ThrowsAsync<AcmeProtocolException>(() => AccountAsync());
        Assert.Equal(AcmeProtocolError.MissingLocation, ex.Error);
        Assert.Equal(new Uri("https://acme.test/acct"), ex.RequestUri);
    }

    [Fact]
    public async Task A_new_nonce_without_replay_nonce_is_a_MissingNonce_error()
    {
        _server.Routes["HEAD /nonce"] = _ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK);
            response.Headers.Add("X-No-Nonce", "1");
            return response;
        };
        _server.Routes["GET /dir"] = _ =>
        {
            var response = StubAcmeServer.Json(HttpStatusCode.OK, """{"newNonce":"https://acme.test/nonce","newAccount":"https://acme.test/acct","newOrder":"https://acme.test/order","revokeCert":"https://acme.test/revoke","keyChange":"https://acme.test/key-change"}""");
            response.Headers.Add("X-No-Nonce", "1");
            return response;
        };
        var ex = await Assert.ThrowsAsync<AcmeProtocolException>(() => AccountAsync());
        Assert.Equal(AcmeProtocolError.MissingNonce, ex.Error);
    }

    [Theory]
    [InlineData(HttpStatusCode.Redirect, "text/plain", "Unexpected HTTP 302")]
    [InlineData(HttpStatusCode.InternalServerError, "text/html", "HTTP 500 with Content-Type 'text/html' instead of a problem document: '<h1>oops</h1>'")]
    [InlineData(HttpStatusCode.Accepted, "application/json", "Unexpected HTTP 202; expected 200 or 201")]
    public async Task Unexpected_statuses_are_UnexpectedStatus_errors(HttpStatusCode status, string mediaType, string message)
    {
        _server.Routes["POST /acct"] = _ => StubAcmeServer.Json(status, status == HttpStatusCode.InternalServerError ? "<h1>oops</h1>" : """{"status":"valid"}""", mediaType, "https://acme.test/acct/1");
        var ex = await Assert.ThrowsAsync<AcmeProtocolException>(() => AccountAsync());
        Assert.Equal(AcmeProtocolError.UnexpectedStatus, ex.Error);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_problem_document_with_subproblems_is_parsed()
    {
        var (client, account) = await AccountAsync();
        _server.Routes["POST /order"] = _ => StubAcmeServer.Problem(HttpStatusCode.Forbidden, AcmeProblemTypes.RejectedIdentifier, "Some names were refused", """
            ,"subproblems":[{"type":"urn:ietf:params:acme:error:caa","detail":"CAA forbids","identifier":{"type":"dns","value":"b.example"}}]
            """);

        var ex = await Assert.ThrowsAsync<AcmeProblemException>(() => client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("a.example"), AcmeIdentifier.Dns("b.example")] }));

        Assert.Equal(AcmeProblemTypes.RejectedIdentifier, ex.Type);
        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Equal(403, ex.Problem.Status);
        var sub = Assert.Single(ex.Problem.Subproblems!);
        Assert.Equal(AcmeProblemTypes.Caa, sub.Type);
        Assert.Equal("b.example", sub.Identifier!.Value);
        Assert.Contains("Subproblems: b.example: urn:ietf:params:acme:error:caa CAA forbids", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_problem_document_is_a_protocol_error()
    {
        var (client, account) = await AccountAsync();
        _server.Routes["POST /order"] = _ => StubAcmeServer.Json(HttpStatusCode.BadRequest, "{not json", "application/problem+json");
        var ex = await Assert.ThrowsAsync<AcmeProtocolException>(() => client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("a.example")] }));
        Assert.Equal(AcmeProtocolError.MalformedJson, ex.Error);
    }

    [Fact]
    public async Task RateLimited_exposes_retry_after()
    {
        var (client, account) = await AccountAsync();
        _server.Routes["POST /order"] = _ =>
        {
            var response = StubAcmeServer.Problem((HttpStatusCode)429, AcmeProblemTypes.RateLimited, "too many certificates");
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(120));
            return response;
        };
        var ex = await Assert.ThrowsAsync<AcmeProblemException>(() => client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("a.example")] }));
        Assert.Equal(AcmeProblemTypes.RateLimited, ex.Type);
        Assert.Equal(TimeSpan.FromSeconds(120), ex.RetryAfter);
        Assert.Contains("Retry after 120 s.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_503_without_problem_document_exposes_status_and_retry_after_as_an_http_date()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
        var client = _server.CreateClient(time: time);
        _server.Routes["GET /dir"] = _ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("busy") };
            response.Headers.RetryAfter = new RetryConditionHeaderValue(time.GetUtcNow().AddSeconds(30));
            return response;
        };
        var ex = await Assert.ThrowsAsync<AcmeProblemException>(() => client.GetDirectoryAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), ex.RetryAfter);
    }

    [Fact]
    public async Task BadNonce_is_retried_transparently_with_the_nonce_from_the_error()
    {
        var (client, account) = await AccountAsync();
        var calls = 0;
        _server.Routes["POST /order"] = _ => ++calls <= 2
            ? StubAcmeServer.Problem(HttpStatusCode.BadRequest, AcmeProblemTypes.BadNonce, "stale")
            : StubAcmeServer.Json(HttpStatusCode.Created, """{"status":"pending","identifiers":[{"type":"dns","value":"a.example"}],"authorizations":["https://acme.test/authz/1"],"finalize":"https://acme.test/finalize/1"}""", location: OrderUrl.AbsoluteUri);

        var order = await client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("a.example")] });

        Assert.Equal(OrderUrl, order.Location);
        Assert.Equal(3, calls);
        Assert.Equal(0, _server.Count("HEAD /nonce")); // every nonce came from an earlier response, including the badNonce errors
    }

    [Fact]
    public async Task BadNonce_retries_are_bounded()
    {
        var (client, account) = await AccountAsync(o => o.BadNonceRetries = 2);
        _server.Routes["POST /order"] = _ => StubAcmeServer.Problem(HttpStatusCode.BadRequest, AcmeProblemTypes.BadNonce, "stale");
        var ex = await Assert.ThrowsAsync<AcmeProblemException>(() => client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("a.example")] }));
        Assert.Equal(AcmeProblemTypes.BadNonce, ex.Type);
        Assert.Equal(3, _server.Count("POST /order"));
    }

    [Fact]
    public async Task Orders_missing_required_members_are_refused()
    {
        var (client, account) = await AccountAsync();
        _server.Routes["POST /order"] = _ => StubAcmeServer.Json(HttpStatusCode.Created, """{"status":"pending","authorizations":[]}""", location: OrderUrl.AbsoluteUri);
        var ex = await Assert.ThrowsAsync<AcmeProtocolException>(() => client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("a.example")] }));
        Assert.Contains("The 'finalize' URL is missing", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<AcmeConfigurationException>(() => client.CreateOrderAsync(account, new AcmeOrderRequest()));
    }

    [Fact]
    public async Task Polling_honours_retry_after_and_gives_up_at_the_poll_timeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var (client, account) = await AccountAsync(o => o.PollTimeout = TimeSpan.FromSeconds(30), time);
        var polls = 0;
        _server.Routes["POST /order/1"] = _ =>
        {
            polls++;
            var response = StubAcmeServer.Json(HttpStatusCode.OK, polls < 3
                ? """{"status":"processing","finalize":"https://acme.test/f","authorizations":[]}"""
                : """{"status":"valid","finalize":"https://acme.test/f","authorizations":[],"certificate":"https://acme.test/cert/1"}""");
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            return response;
        };

        var wait = client.WaitForOrderAsync(account, OrderUrl);
        await WaitUntil(() => polls == 1);
        time.Advance(TimeSpan.FromSeconds(6));
        await Task.Delay(50);
        Assert.Equal(1, polls); // Retry-After 7 s: not polled again after 6 s
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => polls == 2);
        time.Advance(TimeSpan.FromSeconds(7));
        var order = await wait;
        Assert.Equal(AcmeStatus.Valid, order.Resource.Status);

        // A server that keeps the order processing and asks for more time than is left: typed timeout.
        _server.Routes["POST /order/1"] = _ =>
        {
            var response = StubAcmeServer.Json(HttpStatusCode.OK, """{"status":"processing","finalize":"https://acme.test/f","authorizations":[]}""");
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(60));
            return response;
        };
        var timeout = await Assert.ThrowsAsync<AcmeOrderException>(() => client.WaitForOrderAsync(account, OrderUrl));
        Assert.Contains("still 'processing' after polling for 30 s", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certificate_downloads_check_content_type_and_pem_and_follow_alternate_links()
    {
        var (client, account) = await AccountAsync();
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=leaf", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var pem = certificate.ExportCertificatePem();
        _server.Routes["POST /cert/1"] = _ =>
        {
            var response = StubAcmeServer.Json(HttpStatusCode.OK, pem, "application/pem-certificate-chain");
            response.Headers.Add("Link", "</cert/1/alt>;rel=\"alternate\", <https://acme.test/dir>;rel=\"index\"");
            return response;
        };
        _server.Routes["POST /cert/1/alt"] = _ => StubAcmeServer.Json(HttpStatusCode.OK, pem, "application/pem-certificate-chain");

        var chains = await client.DownloadCertificateAsync(account, new Uri("https://acme.test/cert/1"));
        Assert.Equal(2, chains.Count);
        Assert.Equal(new Uri("https://acme.test/cert/1/alt"), chains[1].Source);
        Assert.Equal("leaf", chains[0].TopIssuerName);

        _server.Routes["POST /cert/1"] = _ => StubAcmeServer.Json(HttpStatusCode.OK, pem, "application/json");
        Assert.Equal(AcmeProtocolError.UnexpectedContentType, (await Assert.ThrowsAsync<AcmeProtocolException>(() => client.DownloadCertificateAsync(account, new Uri("https://acme.test/cert/1")))).Error);

        _server.Routes["POST /cert/1"] = _ => StubAcmeServer.Json(HttpStatusCode.OK, "no pem here", "application/pem-certificate-chain");
        var empty = await Assert.ThrowsAsync<AcmeProtocolException>(() => client.DownloadCertificateAsync(account, new Uri("https://acme.test/cert/1")));
        Assert.Equal(AcmeProtocolError.MalformedCertificate, empty.Error);

        _server.Routes["POST /cert/1"] = _ => StubAcmeServer.Json(HttpStatusCode.OK, "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n", "application/pem-certificate-chain");
        var broken = await Assert.ThrowsAsync<AcmeProtocolException>(() => client.DownloadCertificateAsync(account, new Uri("https://acme.test/cert/1")));
        Assert.Contains("Certificate 0 of the chain is not a valid X.509 certificate", broken.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a name")]
    [InlineData("localhost")]
    [InlineData("192.0.2.1")]
    public void Invalid_dns_identifiers_are_refused(string name)
    {
        Assert.ThrowsAny<ArgumentException>(() => AcmeIdentifier.Dns(name));
    }

    [Fact]
    public void Identifiers_are_normalised()
    {
        Assert.Equal("xn--bcher-kva.example", AcmeIdentifier.Dns("Bücher.Example.").Value);
        Assert.True(AcmeIdentifier.Dns("*.example.com").IsWildcard);
        Assert.Equal(AcmeIdentifier.IpType, AcmeIdentifier.Parse("[2001:db8::1]").Type);
        Assert.Equal("1.0.0.127.in-addr.arpa", TlsAlpn01Certificate.GetServerName(AcmeIdentifier.Parse("127.0.0.1")));
        Assert.StartsWith("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", TlsAlpn01Certificate.GetServerName(AcmeIdentifier.Parse("2001:db8::1")), StringComparison.Ordinal);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    private sealed class EndlessStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Fill(buffer, (byte)'x', offset, count);
            return count;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
