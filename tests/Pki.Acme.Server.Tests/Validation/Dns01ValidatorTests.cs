using Pki.Acme;
using static Pki.Acme.Server.Tests.Validation.ValidationKnotFixture;

namespace Pki.Acme.Server.Tests.Validation;

[Collection(ValidationKnotCollection.Name)]
public sealed class Dns01ValidatorTests(ValidationKnotFixture knot)
{
    [Theory]
    [InlineData("dns.acme.test")]
    [InlineData("multi.acme.test")]
    [InlineData("split.acme.test")]
    [InlineData("*.wild.acme.test")]
    public async Task A_matching_TXT_record_is_valid(string name)
    {
        var check = await knot.Validator("dns-01").ValidateAsync(Dns(name), Token, KeyAuthorization, CancellationToken.None);

        Assert.True(check.IsValid, check.Error?.Detail);
        Assert.Null(check.Error);
    }

    [Fact]
    public async Task A_wrong_TXT_record_is_an_incorrect_response_naming_both_values()
    {
        var check = await knot.Validator("dns-01").ValidateAsync(Dns("wrongtxt.acme.test"), Token, KeyAuthorization, CancellationToken.None);

        Assert.False(check.IsValid);
        Assert.False(check.IsRetryable);
        Assert.Equal(AcmeProblemTypes.IncorrectResponse, check.Error!.Type);
        Assert.Equal(Dns("wrongtxt.acme.test"), check.Error.Identifier);
        Assert.Contains("_acme-challenge.wrongtxt.acme.test", check.Error.Detail, StringComparison.Ordinal);
        Assert.Contains(AcmeKeyAuthorization.ComputeDns01TxtValue(KeyAuthorization), check.Error.Detail, StringComparison.Ordinal);
        Assert.Contains("\"not-the-digest\"", check.Error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_without_TXT_records_is_unauthorized()
    {
        var check = await knot.Validator("dns-01").ValidateAsync(Dns("notxt.acme.test"), Token, KeyAuthorization, CancellationToken.None);

        Assert.Equal(AcmeProblemTypes.Unauthorized, check.Error!.Type);
        Assert.Equal("No TXT record found at _acme-challenge.notxt.acme.test.", check.Error.Detail);
    }

    [Fact]
    public async Task Nxdomain_is_a_final_dns_problem()
    {
        var check = await knot.Validator("dns-01").ValidateAsync(Dns("nothere.acme.test"), Token, KeyAuthorization, CancellationToken.None);

        Assert.False(check.IsValid);
        Assert.False(check.IsRetryable);
        Assert.Equal(AcmeProblemTypes.Dns, check.Error!.Type);
        Assert.Contains("NXDOMAIN", check.Error.Detail, StringComparison.Ordinal);
        Assert.Contains("_acme-challenge.nothere.acme.test", check.Error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Servfail_is_a_retryable_dns_problem_after_the_bounded_attempts()
    {
        var check = await knot.Validator("dns-01", o => o.Attempts = 2).ValidateAsync(Dns("x.servfail.test"), Token, KeyAuthorization, CancellationToken.None);

        Assert.False(check.IsValid);
        Assert.True(check.IsRetryable);
        Assert.Equal(AcmeProblemTypes.Dns, check.Error!.Type);
        Assert.Contains("SERVFAIL", check.Error.Detail, StringComparison.Ordinal);
        Assert.EndsWith("(after 2 attempts)", check.Error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ip_identifiers_are_not_supported_and_are_refused_as_malformed()
    {
        var validator = knot.Validator("dns-01");

        Assert.False(validator.Supports(Ip("127.0.0.1")));
        Assert.True(validator.Supports(Dns("*.wild.acme.test")));
        var check = await validator.ValidateAsync(Ip("127.0.0.1"), Token, KeyAuthorization, CancellationToken.None);
        Assert.Equal(AcmeProblemTypes.Malformed, check.Error!.Type);
        Assert.Equal("The dns-01 challenge cannot validate the ip identifier '127.0.0.1'.", check.Error.Detail);
    }

    [Fact]
    public async Task Cancellation_throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => knot.Validator("dns-01").ValidateAsync(Dns("dns.acme.test"), Token, KeyAuthorization, cancelled.Token));
    }
}
