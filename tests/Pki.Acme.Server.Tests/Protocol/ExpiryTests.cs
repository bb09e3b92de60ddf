using Microsoft.Extensions.Time.Testing;

namespace Pki.Acme.Server.Tests.Protocol;

public sealed class ExpiryTests
{
    [Fact]
    public async Task Orders_and_authorizations_expire_by_the_time_provider()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(dir.Database, o =>
        {
            o.OrderLifetime = TimeSpan.FromHours(1);
            o.AuthorizationLifetime = TimeSpan.FromHours(2);
            o.NonceLifetime = TimeSpan.FromDays(1);
        }, time: time);
        var client = server.CreateClient();
        using var key = AcmeKey.Create();
        var account = await client.CreateAccountAsync(key, new AcmeNewAccountRequest());
        var order = await client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("e.example.com")] });
        Assert.Equal("pending", order.Resource.Status);
        time.Advance(TimeSpan.FromMinutes(90));
        Assert.Equal("invalid", (await client.GetOrderAsync(account, order.Location)).Resource.Status);
        Assert.Equal("pending", (await client.GetAuthorizationAsync(account, order.Resource.Authorizations[0])).Resource.Status);
        time.Advance(TimeSpan.FromHours(1));
        var authz = await client.GetAuthorizationAsync(account, order.Resource.Authorizations[0]);
        Assert.Equal("expired", authz.Resource.Status);
        var late = await Assert.ThrowsAsync<AcmeProblemException>(() => client.RespondToChallengeAsync(account, authz.Resource.Challenges[0]));
        Assert.Equal(AcmeProblemTypes.Malformed, late.Type);
    }
}
