// What the Web SDK's implicit usings give an ASP.NET Core project (this test project uses the plain SDK).
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Pki.Readme.Tests.Snippets.AcmeServer;

/// <summary>Pki.Acme.Server's README: the two opening blocks, with a hook between them for the test's loopback settings.</summary>
public static class EmbeddedCa
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder> beforeBuild)
    {
        // README:begin src/Pki.Acme.Server/README.md#1
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddAcmeServer(acme =>
        {
            acme.BaseUrl = new Uri("https://acme.internal.example");   // what ACME clients reach
            acme.Ca.PublicationBaseUrl = new Uri("http://pki.internal.example/acme"); // plain http: certificates link to {this}/ca/... (see below)
            acme.CaaIdentities.Add("acme.internal.example");            // this CA's name in CAA records (checked before every issuance)
            acme.DatabasePath = "/var/lib/acme-server/acme.db";         // SQLite; the generated root and intermediate go beside it (keys 0600)
        });
        // README:end
        beforeBuild(builder);

        // README:begin src/Pki.Acme.Server/README.md#2
        var app = builder.Build();
        app.MapAcmeServer("/acme");   // directory at https://acme.internal.example/acme/directory, root at /acme/ca/root.pem
        // README:end
        return app;
    }
}
