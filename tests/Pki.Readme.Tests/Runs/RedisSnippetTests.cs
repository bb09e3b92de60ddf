using Microsoft.Extensions.DependencyInjection;
using Pki.Acme.Management;
using Pki.Acme.Redis;
using Pki.Readme.Tests.Snippets.AcmeRedis;
using Pki.TestSupport;

namespace Pki.Readme.Tests.Runs;

/// <summary>Pki.Acme.Redis's README example, against redis-server on loopback.</summary>
public sealed class RedisSnippetTests
{
    [Fact]
    public async Task Redis_example_makes_the_configured_redis_the_certificate_store()
    {
        await using var redis = await RedisServer.StartAsync();
        var builder = RedisStore.Run([$"--Redis={redis.Configuration}"]);
        await using var app = builder.Build();

        var store = app.Services.GetRequiredService<ICertificateStore>();

        Assert.IsType<RedisCertificateStore>(store);
        await store.WriteAsync("readme/probe", "written through the README's store"u8.ToArray(), isSecret: false, CancellationToken.None);
        Assert.Equal("written through the README's store"u8.ToArray(), await store.ReadAsync("readme/probe", CancellationToken.None));
    }
}
