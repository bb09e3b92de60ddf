// What the Web SDK's implicit usings give an ASP.NET Core project (this test project uses the plain SDK).
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Pki.Readme.Tests.Snippets.Root;

/// <summary>The root README's one-call ASP.NET Core example. Compiled here; it listens on ports 80 and 443 and orders from Let's Encrypt's production CA, so it is not run. Its Pebble twin in Pki.Acme.AspNetCore's README runs as a fresh <c>dotnet new web</c> app in Pki.Packaging.Tests.</summary>
public static class OneCall
{
    public static void Run(string[] args)
    {
        // README:begin README.md#2
        var builder = WebApplication.CreateBuilder(args);
        builder.WebHost.UseUrls("http://*:80", "https://*:443");
        builder.Services.AddAcmeCertificates(o => o.UseLetsEncrypt("admin@example.com", agreeToTermsOfService: true).AddDomain("example.com"));
        var app = builder.Build();
        app.MapGet("/", () => "Hello over HTTPS");
        app.Run();
        // README:end
    }
}
