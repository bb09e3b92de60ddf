// What the Web SDK's implicit usings give an ASP.NET Core project (this test project uses the plain SDK).
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Pki.Readme.Tests.Snippets.AcmeAspNetCore;

/// <summary>Pki.Acme.AspNetCore's README, the one call against a local Pebble. Compiled here and run for real, as the whole <c>Program.cs</c> of a fresh <c>dotnet new web</c> project restored from the packed packages, by Pki.Packaging.Tests' FreshWebAppTests.</summary>
public static class OneCallPebble
{
    public static void Run(string[] args)
    {
        // README:begin src/Pki.Acme.AspNetCore/README.md#2
        var builder = WebApplication.CreateBuilder(args);
        builder.WebHost.UseUrls("http://127.0.0.1:5002", "https://127.0.0.1:5443"); // Pebble validates http-01 on port 5002
        builder.Services.AddAcmeCertificates(o => o
            .UseDirectory(new Uri("https://127.0.0.1:14000/dir"), "admin@example.com", agreeToTermsOfService: true)
            .AddDomain("webapp.example.test"));
        var app = builder.Build();
        app.MapGet("/", () => "Hello over HTTPS");
        app.Run();
        // README:end
    }
}
