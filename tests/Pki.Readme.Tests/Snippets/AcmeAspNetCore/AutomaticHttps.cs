// README:begin src/Pki.Acme.AspNetCore/README.md#3
using Pki.Acme;
// README:end
// What the Web SDK's implicit usings give an ASP.NET Core project (this test project uses the plain SDK).
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Pki.Readme.Tests.Snippets.AcmeAspNetCore;

/// <summary>
/// Pki.Acme.AspNetCore's README, the opening example. Compiled, not run: it listens on ports 80 and 443 of
/// every interface, orders from Let's Encrypt's production directory and a CA that does not exist, keeps
/// its certificates under /var/lib/myapp, and runs until the process is stopped.
/// </summary>
public static class AutomaticHttps
{
    public static void Run(string[] args)
    {
        // README:begin src/Pki.Acme.AspNetCore/README.md#3
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddAcmeCertificates(options =>
        {
            options.Issuers.Add(new() { Name = "letsencrypt", DirectoryUri = AcmeClientOptions.LetsEncryptProduction, TermsOfServiceAgreed = true, Contacts = { "mailto:ops@example.com" } });
            options.Issuers.Add(new() { Name = "backup-ca", DirectoryUri = new Uri("https://acme.backup-ca.example/directory"), TermsOfServiceAgreed = true, EabKeyId = "kid", EabMacKey = builder.Configuration["BackupCa:EabMacKey"] });
            options.Manager.Certificates.Add(new() { Name = "www", Identifiers = { "example.com", "www.example.com" } });
            options.StorePath = "/var/lib/myapp/certificates"; // or register a Redis store for a web farm
        });
        builder.Services.AddHealthChecks().AddAcmeCertificates();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenAnyIP(80);                                         // http-01
            kestrel.ListenAnyIP(443, listen => listen.UseAcmeCertificates()); // HTTPS, tls-alpn-01, hot swap
        });

        var app = builder.Build();
        app.UseAcmeHttp01Challenges();
        app.MapHealthChecks("/health");
        app.MapGet("/", () => "Hello over HTTPS");
        app.Run();
        // README:end
    }
}
