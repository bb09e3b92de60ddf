// What the Web SDK's implicit usings give an ASP.NET Core project (this test project uses the plain SDK).
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Pki.Readme.Tests.Snippets.AcmeRedis;

/// <summary>Pki.Acme.Redis's README, the opening example.</summary>
public static class RedisStore
{
    public static WebApplicationBuilder Run(string[] args)
    {
        // README:begin src/Pki.Acme.Redis/README.md#1
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddAcmeCertificates(options => { /* issuers and certificates */ });
        builder.Services.AddAcmeRedisStore(redis => redis.Configuration = builder.Configuration["Redis"]);   // e.g. "redis.internal:6379,ssl=true,password=..."
        // README:end
        return builder;
    }
}
