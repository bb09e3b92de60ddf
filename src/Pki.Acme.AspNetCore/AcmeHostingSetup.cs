using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pki.Acme.Management;

namespace Pki.Acme.AspNetCore;

/// <summary>
/// Reads the short settings of the <c>Acme</c> configuration section into <see cref="AcmeCertificatesOptions"/>
/// before the code's own delegate runs (so code adds to, or overrides, configuration):
/// <c>Contact</c>, <c>AgreeToTermsOfService</c>, <c>Domains</c> (an array, or one name),
/// <c>Directory</c> (default Let's Encrypt) and <c>StorePath</c>. A CA is added only when
/// <c>Contact</c>, <c>AgreeToTermsOfService</c> or <c>Directory</c> is present; other keys of the
/// section are left to the application.
/// </summary>
internal sealed class AcmeConfigurationSetup(IConfiguration configuration) : IConfigureOptions<AcmeCertificatesOptions>
{
    public const string SectionName = "Acme";

    public void Configure(AcmeCertificatesOptions options)
    {
        var section = configuration.GetSection(SectionName);
        if (section["StorePath"] is { Length: > 0 } storePath)
        {
            options.StorePath = storePath;
        }

        var contact = section["Contact"];
        var agreed = section["AgreeToTermsOfService"];
        var directory = section["Directory"];
        if (contact is not null || agreed is not null || directory is not null)
        {
            bool agreedValue = false;
            if (agreed is not null && !bool.TryParse(agreed, out agreedValue))
            {
                throw new AcmeManagementConfigurationException($"{SectionName}:AgreeToTermsOfService must be true or false; it is '{agreed}'.");
            }

            if (directory is null)
            {
                options.UseLetsEncrypt(contact!, agreedValue);
            }
            else if (!Uri.TryCreate(directory, UriKind.Absolute, out var directoryUri))
            {
                throw new AcmeManagementConfigurationException($"{SectionName}:Directory '{directory}' is not an absolute URL (e.g. {AcmeClientOptions.LetsEncryptStaging}).");
            }
            else
            {
                options.UseDirectory(directoryUri, contact!, agreedValue, IssuerName(directoryUri));
            }
        }

        var domains = section.GetSection("Domains");
        string[] names = domains.Value is { } single ? [single] : [.. domains.GetChildren().Select(c => c.Value ?? string.Empty)];
        if (names.Length > 0)
        {
            options.AddDomain(names);
        }
    }

    private static string? IssuerName(Uri directory) =>
        directory == AcmeClientOptions.LetsEncryptProduction ? "letsencrypt"
        : directory == AcmeClientOptions.LetsEncryptStaging ? "letsencrypt-staging"
        : null;
}

/// <summary>
/// Fills what the one-call setup leaves out, then says clearly what is missing: the store path
/// defaults to <see cref="DefaultStorePath"/>; no certificate, or domains without a CA, stops the
/// start-up with the call or configuration key to add.
/// </summary>
internal sealed class AcmeDefaultsSetup(IHostEnvironment environment) : IPostConfigureOptions<AcmeCertificatesOptions>
{
    public void PostConfigure(string? name, AcmeCertificatesOptions options)
    {
        if (options.Manager.Certificates.Count == 0)
        {
            throw new AcmeManagementConfigurationException(
                "No domain to get a certificate for: call o.AddDomain(\"example.com\") in AddAcmeCertificates, or list the names in Acme:Domains in configuration.");
        }

        // Domains given the short way (AddDomain, Acme:Domains) but no CA: say the short way to add one.
        // Options filled the explicit way are left to the manager's own validation.
        if (options.Issuers.Count == 0 && options.Manager.Certificates.Any(c => c.Name == AcmeCertificatesOptionsExtensions.DefaultCertificateName))
        {
            throw new AcmeManagementConfigurationException(
                "No ACME CA is configured: call o.UseLetsEncrypt(\"admin@example.com\", agreeToTermsOfService: true) (or UseDirectory) in AddAcmeCertificates, or set Acme:Contact and Acme:AgreeToTermsOfService (and Acme:Directory for a CA other than Let's Encrypt) in configuration.");
        }

        if (string.IsNullOrWhiteSpace(options.StorePath))
        {
            options.StorePath = DefaultStorePath(environment);
        }
    }

    /// <summary>
    /// <c>{LocalApplicationData}/{ApplicationName}/acme</c> (on Linux <c>$XDG_DATA_HOME</c> or
    /// <c>~/.local/share</c>; on Windows <c>%LOCALAPPDATA%</c>), or <c>{ContentRoot}/acme</c> when the
    /// user has no such folder (a service account without a home).
    /// </summary>
    public static string DefaultStorePath(IHostEnvironment environment)
    {
        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(data))
        {
            return Path.Combine(environment.ContentRootPath, "acme");
        }

        var invalid = Path.GetInvalidFileNameChars();
        var application = string.IsNullOrWhiteSpace(environment.ApplicationName)
            ? "aspnetcore"
            : new string([.. environment.ApplicationName.Select(c => Array.IndexOf(invalid, c) >= 0 ? '_' : c)]);
        return Path.Combine(data, application, "acme");
    }
}

/// <summary>Serves the managed certificates on every HTTPS endpoint without a certificate of its own.</summary>
internal sealed class AcmeKestrelSetup(IServiceProvider services) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options)
    {
        // The ClientHello reader must run before TLS; endpoint defaults are applied before UseHttps.
        options.ConfigureEndpointDefaults(AcmeKestrelExtensions.UseClientHelloReader);
        options.ConfigureHttpsDefaults(https => AcmeKestrelExtensions.UseAcmeCertificates(https, services));
    }
}

/// <summary>Puts the http-01 middleware first in the pipeline, so the application needs no <c>UseAcmeHttp01Challenges()</c>.</summary>
internal sealed class AcmeHttp01StartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<AcmeHttp01Middleware>();
        next(app);
    };
}
