using Microsoft.Extensions.Logging.Abstractions;
using Pki.Acme;
using static Pki.Acme.Server.Tests.Validation.ValidationKnotFixture;

namespace Pki.Acme.Server.Tests.Validation;

[Collection(ValidationKnotCollection.Name)]
public sealed class AcmeCaaEnforcerTests(ValidationKnotFixture knot)
{
    private static readonly Uri Account = new(AccountUrl);

    [Theory]
    [InlineData("caa-allowed.acme.test", "http-01")]
    [InlineData("caa-none.acme.test", "http-01")]
    [InlineData("deep.below.caa-none.acme.test", "tls-alpn-01")]
    [InlineData("caa-wild.acme.test", "http-01")]
    [InlineData("caa-acct.acme.test", "http-01")]
    [InlineData("caa-method.acme.test", "dns-01")]
    [InlineData("*.caa-allowed.acme.test", "dns-01")]
    public async Task Permitted_identifiers_give_no_problem(string name, string method)
    {
        var problem = await Policy().CheckAsync([new AcmeCaaCheckItem(Dns(name), method)], Account, CancellationToken.None);

        Assert.Null(problem);
    }

    [Fact]
    public async Task Issue_for_another_CA_is_refused_naming_the_deciding_record()
    {
        var problem = await Policy().CheckAsync([new AcmeCaaCheckItem(Dns("caa-other.acme.test"), "http-01")], Account, CancellationToken.None);

        Assert.NotNull(problem);
        Assert.Equal(AcmeProblemTypes.Caa, problem.Type);
        Assert.Equal(403, problem.Status);
        var sub = Assert.Single(problem.Subproblems!);
        Assert.Equal(AcmeProblemTypes.Caa, sub.Type);
        Assert.Equal(Dns("caa-other.acme.test"), sub.Identifier);
        Assert.Contains("CAA 0 issue \"other-ca.example\"", sub.Detail, StringComparison.Ordinal);
        Assert.Equal(sub.Detail, problem.Detail);
    }

    [Fact]
    public async Task Issuewild_governs_the_wildcard_while_issue_permits_the_name()
    {
        var problem = await Policy().CheckAsync(
            [new AcmeCaaCheckItem(Dns("caa-wild.acme.test"), "dns-01"), new AcmeCaaCheckItem(Dns("*.caa-wild.acme.test"), "dns-01")],
            Account,
            CancellationToken.None);

        var sub = Assert.Single(problem!.Subproblems!);
        Assert.Equal(Dns("*.caa-wild.acme.test"), sub.Identifier);
        Assert.Contains("CAA 0 issuewild \"other-ca.example\"", sub.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ip_identifiers_are_checked_at_their_reverse_name()
    {
        var problem = await Policy().CheckAsync(
            [new AcmeCaaCheckItem(Ip("127.0.0.1"), "http-01"), new AcmeCaaCheckItem(Ip("127.0.0.2"), "tls-alpn-01"), new AcmeCaaCheckItem(Ip("127.0.0.3"), "http-01")],
            Account,
            CancellationToken.None);

        var sub = Assert.Single(problem!.Subproblems!);
        Assert.Equal(Ip("127.0.0.2"), sub.Identifier);
        Assert.Contains("CAA at 2.0.0.127.in-addr.arpa", sub.Detail, StringComparison.Ordinal);
        Assert.Contains("CAA 0 issue \"other-ca.example\"", sub.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accounturi_for_another_account_is_refused()
    {
        var problem = await Policy().CheckAsync([new AcmeCaaCheckItem(Dns("caa-acct.acme.test"), "http-01")], new Uri("https://acme.test/acme/acct/2"), CancellationToken.None);

        var sub = Assert.Single(problem!.Subproblems!);
        Assert.Contains("AccountUriMismatch", sub.Detail, StringComparison.Ordinal);
        Assert.Contains($"accounturi={AccountUrl}", sub.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validationmethods_naming_another_method_is_refused()
    {
        var problem = await Policy().CheckAsync([new AcmeCaaCheckItem(Dns("caa-method.acme.test"), "http-01")], Account, CancellationToken.None);

        var sub = Assert.Single(problem!.Subproblems!);
        Assert.Contains("ValidationMethodMismatch", sub.Detail, StringComparison.Ordinal);
        Assert.Contains("validationmethods=dns-01", sub.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Servfail_refuses_fail_closed()
    {
        var problem = await Policy().CheckAsync([new AcmeCaaCheckItem(Dns("x.servfail.test"), "http-01")], Account, CancellationToken.None);

        Assert.Equal(AcmeProblemTypes.Caa, problem!.Type);
        var sub = Assert.Single(problem.Subproblems!);
        Assert.StartsWith("CAA lookup for x.servfail.test failed, so issuance is refused (fail-closed):", sub.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_refused_identifier_gets_its_own_subproblem()
    {
        var problem = await Policy().CheckAsync(
            [
                new AcmeCaaCheckItem(Dns("caa-other.acme.test"), "http-01"),
                new AcmeCaaCheckItem(Dns("caa-allowed.acme.test"), "http-01"),
                new AcmeCaaCheckItem(Dns("x.servfail.test"), "dns-01"),
            ],
            Account,
            CancellationToken.None);

        Assert.Equal(2, problem!.Subproblems!.Count);
        Assert.Equal([Dns("caa-other.acme.test"), Dns("x.servfail.test")], problem.Subproblems.Select(p => p.Identifier!));
        Assert.StartsWith("CAA forbids issuance for 2 identifiers: ", problem.Detail, StringComparison.Ordinal);
    }

    private IAcmeCaaPolicy Policy() => AcmeValidation.CreateCaaPolicy(knot.Options(o => o.Attempts = 1), TimeProvider.System, NullLoggerFactory.Instance);
}
