// README:begin src/Pki.Acme.Management/README.md#1
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pki.Acme;
using Pki.Acme.Management;
// README:end

namespace Pki.Readme.Tests.Snippets.AcmeManagement;

/// <summary>
/// Pki.Acme.Management's README, the opening example. Compiled, not run: it orders from Let's Encrypt's
/// production directory and a CA that does not exist, keeps its certificates under /var/lib/myapp, and
/// runs until the process is stopped.
/// </summary>
public static class WorkerHost
{
    public static async Task RunAsync(string[] args)
    {
        // README:begin src/Pki.Acme.Management/README.md#1
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddAcmeCertificateManager(options =>
        {
            options.Issuers.Add(new() { Name = "letsencrypt", DirectoryUri = AcmeClientOptions.LetsEncryptProduction, TermsOfServiceAgreed = true, Contacts = { "mailto:ops@example.com" } });
            options.Issuers.Add(new() { Name = "second-ca", DirectoryUri = new Uri("https://acme.second-ca.example/directory"), TermsOfServiceAgreed = true, EabKeyId = "kid", EabMacKey = builder.Configuration["SecondCa:EabMacKey"] });
            options.Pool.Policy = IssuerSelectionPolicy.RoundRobin;   // or OrderedFailover (default), Random
            options.Manager.Certificates.Add(new() { Name = "mail", Identifiers = { "mail.example.com" } });
            options.StorePath = "/var/lib/myapp/certificates";
        });
        // Serve /.well-known/acme-challenge/ from the registered IHttp01TokenStore (e.g. with Http01Responder),
        // or register another IChallengeSolver (dns-01).
        var host = builder.Build();
        var manager = host.Services.GetRequiredService<CertificateManager>();
        manager.CertificateChanged += (_, e) => Console.WriteLine($"{e.Certificate.Name}: {e.Certificate.Issuer} until {e.Certificate.NotAfter:u}");
        await host.RunAsync();   // CertificateManagerHostedService issues now and renews when due
        // README:end
    }
}
