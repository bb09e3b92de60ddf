using System.Net;
using Pki.Acme;
using Pki.Acme.Management;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The short way to fill <see cref="AcmeCertificatesOptions"/> inside
/// <c>services.AddAcmeCertificates(o => o.UseLetsEncrypt("admin@example.com", agreeToTermsOfService: true).AddDomain("example.com"))</c>:
/// one CA with an e-mail contact, and the names of one certificate. Each method checks its input and
/// throws an <see cref="AcmeManagementConfigurationException"/> that says what to change; since the
/// delegate runs when the host starts, a mistake stops the start-up.
/// </summary>
public static class AcmeCertificatesOptionsExtensions
{
    /// <summary>The store name of the certificate that <see cref="AddDomain"/> fills.</summary>
    public const string DefaultCertificateName = "default";

    /// <summary>Adds Let's Encrypt's production CA (<see cref="AcmeClientOptions.LetsEncryptProduction"/>) as issuer <c>letsencrypt</c>; see <see cref="UseDirectory"/>.</summary>
    /// <exception cref="AcmeManagementConfigurationException">The contact is missing or not an e-mail address, or the terms were not agreed to.</exception>
    public static AcmeCertificatesOptions UseLetsEncrypt(this AcmeCertificatesOptions options, string contact, bool agreeToTermsOfService) =>
        UseDirectory(options, AcmeClientOptions.LetsEncryptProduction, contact, agreeToTermsOfService, "letsencrypt");

    /// <summary>
    /// Adds Let's Encrypt's staging CA (<see cref="AcmeClientOptions.LetsEncryptStaging"/>) as issuer
    /// <c>letsencrypt-staging</c>: untrusted certificates with generous rate limits, to try a
    /// deployment before <see cref="UseLetsEncrypt"/>.
    /// </summary>
    /// <exception cref="AcmeManagementConfigurationException">The contact is missing or not an e-mail address, or the terms were not agreed to.</exception>
    public static AcmeCertificatesOptions UseLetsEncryptStaging(this AcmeCertificatesOptions options, string contact, bool agreeToTermsOfService) =>
        UseDirectory(options, AcmeClientOptions.LetsEncryptStaging, contact, agreeToTermsOfService, "letsencrypt-staging");

    /// <summary>
    /// Adds the ACME CA whose directory is <paramref name="directoryUri"/> to
    /// <see cref="AcmeCertificatesOptions.Issuers"/> (after any already there: the first is preferred,
    /// the others are failover). The account is registered with <paramref name="contact"/> (an e-mail
    /// address, <c>mailto:</c> optional) and keyed in the store by <paramref name="issuerName"/>
    /// (default: the directory's host name), which also names the <c>IHttpClientFactory</c> client
    /// (<see cref="AcmeCertificatesOptions.HttpClientName"/>) to configure for a private CA's root.
    /// </summary>
    /// <param name="options">The options being configured.</param>
    /// <param name="directoryUri">The CA's ACME directory URL (https).</param>
    /// <param name="contact">The account's e-mail contact, e.g. <c>admin@example.com</c>; the CA may use it for notices about the account.</param>
    /// <param name="agreeToTermsOfService">Must be true: it says that you read and agree to the CA's terms of service (the directory's <c>meta.termsOfService</c>).</param>
    /// <param name="issuerName">The issuer's name in the store, logs and HttpClient name (letters, digits, <c>.</c>, <c>-</c>, <c>_</c>).</param>
    /// <returns><paramref name="options"/>, to chain <see cref="AddDomain"/>.</returns>
    /// <exception cref="AcmeManagementConfigurationException">The contact is missing or not an e-mail address, or the terms were not agreed to.</exception>
    public static AcmeCertificatesOptions UseDirectory(this AcmeCertificatesOptions options, Uri directoryUri, string contact, bool agreeToTermsOfService, string? issuerName = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(directoryUri);
        if (!directoryUri.IsAbsoluteUri)
        {
            throw new AcmeManagementConfigurationException($"The ACME directory '{directoryUri}' is not an absolute URL (e.g. {AcmeClientOptions.LetsEncryptStaging}).");
        }

        var name = string.IsNullOrWhiteSpace(issuerName) ? directoryUri.IdnHost : issuerName;
        var mailto = ContactUrl(contact, name);
        if (!agreeToTermsOfService)
        {
            throw new AcmeManagementConfigurationException(
                $"Issuer '{name}': the CA's terms of service were not agreed to. Read them (the directory {directoryUri} links them as meta.termsOfService) and pass agreeToTermsOfService: true, or set Acme:AgreeToTermsOfService to true in configuration.");
        }

        var issuer = new AcmeIssuerOptions { Name = name, DirectoryUri = directoryUri, TermsOfServiceAgreed = true };
        issuer.Contacts.Add(mailto);
        issuer.Validate();
        options.Issuers.Add(issuer);
        return options;
    }

    /// <summary>
    /// Adds <paramref name="domains"/> (DNS names, <c>*.</c> wildcards, or IP addresses) to the
    /// certificate <see cref="DefaultCertificateName"/>, created on first use: one certificate covers
    /// them all and Kestrel serves it for each of them. Add <see cref="ManagedCertificateOptions"/> to
    /// <see cref="CertificateManagerOptions.Certificates"/> for separate certificates.
    /// </summary>
    /// <exception cref="AcmeManagementConfigurationException">No name was given, or one is not a fully qualified DNS name or IP address.</exception>
    public static AcmeCertificatesOptions AddDomain(this AcmeCertificatesOptions options, params string[] domains)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(domains);
        if (domains.Length == 0)
        {
            throw new AcmeManagementConfigurationException("AddDomain needs at least one domain name, e.g. AddDomain(\"example.com\").");
        }

        var certificate = options.Manager.Certificates.FirstOrDefault(c => string.Equals(c.Name, DefaultCertificateName, StringComparison.OrdinalIgnoreCase));
        if (certificate is null)
        {
            certificate = new ManagedCertificateOptions { Name = DefaultCertificateName };
            options.Manager.Certificates.Add(certificate);
        }

        foreach (var domain in domains)
        {
            CheckDomain(domain);
            if (!certificate.Identifiers.Contains(domain, StringComparer.OrdinalIgnoreCase))
            {
                certificate.Identifiers.Add(domain);
            }
        }

        return options;
    }

    private static void CheckDomain(string? domain)
    {
        if (string.IsNullOrWhiteSpace(domain))
        {
            throw new AcmeManagementConfigurationException("A domain name is empty: give fully qualified names such as example.com.");
        }

        if (IPAddress.TryParse(domain, out _))
        {
            return;
        }

        try
        {
            _ = AcmeIdentifier.Dns(domain);
        }
        catch (ArgumentException ex)
        {
            throw new AcmeManagementConfigurationException($"The domain '{domain}' cannot be in a certificate: {ex.Message}", ex);
        }
    }

    private static string ContactUrl(string? contact, string issuerName)
    {
        if (string.IsNullOrWhiteSpace(contact))
        {
            throw new AcmeManagementConfigurationException(
                $"Issuer '{issuerName}': no contact. Give the account's e-mail address, e.g. UseLetsEncrypt(\"admin@example.com\", agreeToTermsOfService: true), or set Acme:Contact in configuration.");
        }

        var address = contact.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? contact["mailto:".Length..] : contact;
        var at = address.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == address.Length - 1 || address.IndexOf('@', at + 1) >= 0 || address.Any(c => char.IsWhiteSpace(c) || c is ',' or '?' or '<' or '>'))
        {
            // RFC 8555 section 7.3: one address per mailto URL, without header fields.
            throw new AcmeManagementConfigurationException($"Issuer '{issuerName}': the contact '{contact}' is not one e-mail address (e.g. admin@example.com).");
        }

        return "mailto:" + address;
    }
}
