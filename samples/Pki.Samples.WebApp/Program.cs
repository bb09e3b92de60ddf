// Automatic HTTPS for a minimal ASP.NET Core app: certificates come from the CAs in appsettings.json
// ("Acme" section), are issued at start-up, renewed in the background and swapped into Kestrel
// without a restart. See the "Automatic HTTPS for ASP.NET Core" section of the repository README.
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
    kestrel.ListenAnyIP(acme.GetValue("HttpPort", 80));                                           // http-01
    kestrel.ListenAnyIP(acme.GetValue("HttpsPort", 443), listen => listen.UseAcmeCertificates()); // HTTPS
});

var app = builder.Build();
app.UseAcmeHttp01Challenges();
app.MapHealthChecks("/health");
app.MapGet("/", (HttpContext context, CertificateManager certificates) =>
{
    var current = certificates.FindForServerName(context.Request.Host.Host);
    return current is null
        ? "No certificate yet: see /health."
        : $"Hello over {(context.Request.IsHttps ? "HTTPS" : "HTTP")}; certificate from {current.Issuer}, valid until {current.NotAfter:u}.";
});
app.Run();
