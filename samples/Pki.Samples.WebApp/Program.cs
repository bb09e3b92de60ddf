// Automatic HTTPS for a minimal ASP.NET Core app: certificates come from the CAs in the "Acme"
// configuration section (production CAs and names in appsettings.Production.json, a local Pebble in
// appsettings.Pebble.json), are issued at start-up, renewed in the background and swapped into
// Kestrel without a restart. See the "Automatic HTTPS for ASP.NET Core" section of the repository README.
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Pki.Acme.Management;

var builder = WebApplication.CreateBuilder(args);
var acme = builder.Configuration.GetSection("Acme");

builder.Services.AddAcmeCertificates(options => acme.Bind(options));
if (acme["Redis"] is { Length: > 0 } redis)
{
    // A web farm: every instance shares one store; one orders, the others pick up its result.
    builder.Services.AddAcmeRedisStore(store => store.Configuration = redis);
}

builder.Services.AddHealthChecks().AddAcmeCertificates();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    // Loopback unless configured otherwise ("*" in appsettings.Production.json): a local try is not
    // reachable from the network.
    var address = acme["ListenAddress"] is { Length: > 0 } text && text != "*" ? IPAddress.Parse(text) : IPAddress.Any;
    kestrel.Listen(address, acme.GetValue("HttpPort", 80));                                            // http-01
    kestrel.Listen(address, acme.GetValue("HttpsPort", 443), listen => listen.UseAcmeCertificates()); // HTTPS
});

var app = builder.Build();
app.UseAcmeHttp01Challenges();
// The health check's data (per certificate: expiry, renewal time, issuer, last error) as JSON.
app.MapHealthChecks("/health", new HealthCheckOptions
{
    ResponseWriter = (context, report) =>
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description, e.Value.Data }),
        }));
    },
});
if (!app.Environment.IsProduction())
{
    // Development and Pebble runs only: renew a certificate now and watch Kestrel swap it in
    // (a certificate's "RenewBefore" in configuration brings scheduled renewal forward instead).
    app.MapPost("/renew/{name}", async (string name, CertificateManager certificates, CancellationToken cancellationToken) =>
    {
        var renewed = await certificates.RenewNowAsync(name, cancellationToken);
        return $"Renewed '{renewed.Name}': {renewed.Certificate.Thumbprint} from {renewed.Issuer}, valid until {renewed.NotAfter:u}.";
    });
}

app.MapGet("/", (HttpContext context, CertificateManager certificates) =>
{
    var current = certificates.FindForServerName(context.Request.Host.Host);
    return current is null
        ? "No certificate yet: see /health."
        : $"Hello over {(context.Request.IsHttps ? "HTTPS" : "HTTP")}; certificate from {current.Issuer}, valid until {current.NotAfter:u}.";
});
app.Run();
