using System.Net;
using Pki.Acme;
using Pki.TestSupport;
using static Pki.Acme.Server.Tests.Validation.ValidationKnotFixture;

namespace Pki.Acme.Server.Tests.Validation;

[Collection(ValidationKnotCollection.Name)]
public sealed class Http01ValidatorTests(ValidationKnotFixture knot)
{
    [Theory]
    [InlineData("dns", "web.acme.test")]
    [InlineData("ip", "127.0.0.1")]
    public async Task The_real_responder_with_the_key_authorization_is_valid(string type, string value)
    {
        var store = new InMemoryHttp01TokenStore();
        store.Add(Token, KeyAuthorization);
        await using var responder = Http01Responder.Start(store, new IPEndPoint(IPAddress.Loopback, 0));
        var validator = knot.Validator("http-01", o => o.Http01Port = responder.LocalEndPoint!.Port);

        var check = await validator.ValidateAsync(new AcmeIdentifier { Type = type, Value = value }, Token, KeyAuthorization, CancellationToken.None);

        Assert.True(check.IsValid, check.Error?.Detail);
    }

    [Theory]
    [InlineData("app.fleet.invalid", "app.fleet.invalid")]
    [InlineData("*.fleet.invalid", "deep.app.fleet.invalid")]
    public async Task A_fixed_host_address_is_used_before_dns(string host, string name)
    {
        // .invalid never resolves (RFC 6761), so only the Hosts entry can make this valid.
        var store = new InMemoryHttp01TokenStore();
        store.Add(Token, KeyAuthorization);
        await using var responder = Http01Responder.Start(store, new IPEndPoint(IPAddress.Loopback, 0));
        var validator = knot.Validator("http-01", o =>
        {
            o.Http01Port = responder.LocalEndPoint!.Port;
            o.Hosts[host] = "127.0.0.1";
        });

        var check = await validator.ValidateAsync(Dns(name), Token, KeyAuthorization, CancellationToken.None);
        var other = await validator.ValidateAsync(Dns("fleet-other.invalid"), Token, KeyAuthorization, CancellationToken.None);

        Assert.True(check.IsValid, check.Error?.Detail);
        Assert.False(other.IsValid);
        Assert.Equal(AcmeProblemTypes.Dns, other.Error!.Type);
    }

    [Fact]
    public async Task An_ipv6_identifier_is_fetched_at_its_bracketed_address()
    {
        var store = new InMemoryHttp01TokenStore();
        store.Add(Token, KeyAuthorization);
        await using var responder = Http01Responder.Start(store, new IPEndPoint(IPAddress.IPv6Loopback, 0));
        var validator = knot.Validator("http-01", o => o.Http01Port = responder.LocalEndPoint!.Port);

        var check = await validator.ValidateAsync(Ip("::1"), Token, KeyAuthorization, CancellationToken.None);

        Assert.True(check.IsValid, check.Error?.Detail);
    }

    [Fact]
    public async Task A_wrong_body_is_an_incorrect_response()
    {
        var store = new InMemoryHttp01TokenStore();
        store.Add(Token, Token + ".someone-elses-thumbprint");
        await using var responder = Http01Responder.Start(store, new IPEndPoint(IPAddress.Loopback, 0));
        var validator = knot.Validator("http-01", o => o.Http01Port = responder.LocalEndPoint!.Port);

        var check = await validator.ValidateAsync(Dns("web.acme.test"), Token, KeyAuthorization, CancellationToken.None);

        Assert.False(check.IsValid);
        Assert.False(check.IsRetryable);
        Assert.Equal(AcmeProblemTypes.IncorrectResponse, check.Error!.Type);
        Assert.Equal(Dns("web.acme.test"), check.Error.Identifier);
        Assert.Contains("someone-elses-thumbprint", check.Error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Not_found_is_unauthorized()
    {
        await using var responder = Http01Responder.Start(new InMemoryHttp01TokenStore(), new IPEndPoint(IPAddress.Loopback, 0));
        var port = responder.LocalEndPoint!.Port;
        var validator = knot.Validator("http-01", o => o.Http01Port = port);

        var check = await validator.ValidateAsync(Dns("web.acme.test"), Token, KeyAuthorization, CancellationToken.None);

        Assert.Equal(AcmeProblemTypes.Unauthorized, check.Error!.Type);
        Assert.Equal(403, check.Error.Status);
        Assert.Equal($"http://web.acme.test:{port}/.well-known/acme-challenge/{Token} answered HTTP 404 instead of 200 with the key authorization.", check.Error.Detail);
    }

    [Fact]
    public async Task Connection_refused_is_retryable_and_tried_the_bounded_number_of_times()
    {
        var validator = knot.Validator("http-01", o => o.Http01Port = FreePorts.Tcp());

        var check = await validator.ValidateAsync(Dns("web.acme.test"), Token, KeyAuthorization, CancellationToken.None);

        Assert.False(check.IsValid);
        Assert.True(check.IsRetryable);
        Assert.Equal(AcmeProblemTypes.Connection, check.Error!.Type);
        Assert.Contains("Could not connect to web.acme.test (127.0.0.1:", check.Error.Detail, StringComparison.Ordinal);
        Assert.EndsWith("(after 3 attempts)", check.Error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_answers_garbage_is_retried_exactly_Attempts_times()
    {
        await using var server = new LoopbackTcpServer(async (stream, cancellationToken) =>
        {
            await LoopbackTcpServer.ReadRequestHeadAsync(stream, cancellationToken);
            await stream.WriteAsync("not HTTP at all\r\n\r\n"u8.ToArray(), cancellationToken);
        });
        var validator = knot.Validator("http-01", o =>
        {
            o.Http01Port = server.Port;
            o.Attempts = 2;
        });

        var check = await validator.ValidateAsync(Dns("web.acme.test"), Token, KeyAuthorization, CancellationToken.None);

        Assert.Equal(AcmeProblemTypes.Connection, check.Error!.Type);
        Assert.True(check.IsRetryable);
        Assert.Equal(2, server.ConnectionsAccepted);
    }

    [Fact]
    public async Task A_stalled_server_hits_the_per_attempt_timeout()
    {
        await using var server = new LoopbackTcpServer((_, cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken));
        var validator = knot.Validator("http-01", o =>
        {
            o.Http01Port = server.Port;
            o.Timeout = TimeSpan.FromSeconds(1);
            o.Attempts = 2;
            o.RetryDelay = TimeSpan.Zero;
        });

        var check = await validator.ValidateAsync(Dns("web.acme.test"), Token, KeyAuthorization, CancellationToken.None);

        Assert.Equal(AcmeProblemTypes.Connection, check.Error!.Type);
        Assert.True(check.IsRetryable);
        Assert.Equal("No answer for web.acme.test within 1 s (timeout). (after 2 attempts)", check.Error.Detail);
        Assert.Equal(2, server.ConnectionsAccepted);
    }

    [Fact]
    public async Task An_oversized_body_is_refused()
    {
        await using var server = LoopbackTcpServer.Http(_ => LoopbackTcpServer.HttpResponse(200, new string('a', 5000), "text/plain"));
        var validator = knot.Validator("http-01", o =>
        {
            o.Http01Port = server.Port;
            o.MaxResponseBytes = 1000;
        });

        var check = await validator.ValidateAsync(Dns("web.acme.test"), Token, KeyAuthorization, CancellationToken.None);

        Assert.Equal(AcmeProblemTypes.IncorrectResponse, check.Error!.Type);
        Assert.Contains("declares 5000 bytes; the limit is 1000", check.Error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_loop_stops_after_ten_redirects()
    {
        await using var server = LoopbackTcpServer.Http(_ => LoopbackTcpServer.HttpResponse(302, string.Empty, "text/plain", ("Location", "/again")));
        var validator = knot.Validator("http-01", o => o.Http01Port = server.Port);

        var check = await validator.ValidateAsync(Dns("web.acme.test"), Token, KeyAuthorization, CancellationToken.None);

        Assert.Equal(AcmeProblemTypes.Connection, check.Error!.Type);
        Assert.StartsWith("Too many redirects:", check.Error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_to_another_host_on_the_allowed_port_is_followed()
    {
        var port = 0;
        await using var server = LoopbackTcpServer.Http(head => head.StartsWith("GET /proof ", StringComparison.Ordinal)
            ? LoopbackTcpServer.HttpResponse(200, KeyAuthorization + "\n", "text/plain")
            : LoopbackTcpServer.HttpResponse(302, string.Empty, "text/plain", ("Location", $"http://127.0.0.1:{port}/proof")));
        port = server.Port;
        var validator = knot.Validator("http-01", o => o.Http01Port = port);

        var check = await validator.ValidateAsync(Dns("web.acme.test"), Token, KeyAuthorization, CancellationToken.None);

        Assert.True(check.IsValid, check.Error?.Detail);
    }

    [Theory]
    [InlineData("http://web.acme.test:1/x", "only ports 80, 443 and")]
    [InlineData("ftp://web.acme.test/x", "only http and https are followed")]
    public async Task Redirects_go_only_to_http_or_https_on_allowed_ports(string location, string expected)
    {
        await using var server = LoopbackTcpServer.Http(_ => LoopbackTcpServer.HttpResponse(301, string.Empty, "text/plain", ("Location", location)));
        var validator = knot.Validator("http-01", o =>
        {
            o.Http01Port = server.Port;
            o.Attempts = 1;
        });

        var check = await validator.ValidateAsync(Dns("web.acme.test"), Token, KeyAuthorization, CancellationToken.None);

        Assert.Equal(AcmeProblemTypes.Connection, check.Error!.Type);
        Assert.Contains(expected, check.Error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_name_is_a_dns_problem()
    {
        var validator = knot.Validator("http-01", o => o.Http01Port = FreePorts.Tcp());

        var check = await validator.ValidateAsync(Dns("nothere.acme.test"), Token, KeyAuthorization, CancellationToken.None);

        Assert.Equal(AcmeProblemTypes.Dns, check.Error!.Type);
        Assert.False(check.IsRetryable);
        Assert.Contains("NXDOMAIN", check.Error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Wildcards_are_not_supported()
    {
        var validator = knot.Validator("http-01");

        Assert.False(validator.Supports(Dns("*.web.acme.test")));
        Assert.True(validator.Supports(Ip("::1")));
    }
}
