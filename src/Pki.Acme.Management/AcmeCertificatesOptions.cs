using Microsoft.Extensions.Options;

namespace Pki.Acme.Management;

/// <summary>Everything <c>services.AddAcmeCertificateManager(...)</c> needs: the CAs, the certificates and the store.</summary>
public sealed class AcmeCertificatesOptions
{
    /// <summary>The CAs, in failover order.</summary>
    public IList<AcmeIssuerOptions> Issuers { get; } = new List<AcmeIssuerOptions>();

    /// <summary>Selection policy, backoff and CAA pre-check.</summary>
    public AcmeIssuerPoolOptions Pool { get; } = new();

    /// <summary>The certificates, leases and schedule.</summary>
    public CertificateManagerOptions Manager { get; } = new();

    /// <summary>The directory of the default <see cref="FileSystemCertificateStore"/>; not needed when an <see cref="ICertificateStore"/> is registered (e.g. the Redis one).</summary>
    public string? StorePath { get; set; }

    /// <summary>The <c>IHttpClientFactory</c> name of the client used for the issuer <paramref name="issuerName"/>: configure it for proxies or pinning.</summary>
    public static string HttpClientName(string issuerName) => "Pki.Acme.Management:" + issuerName;

    /// <summary>Checks every setting; the message names the first bad value (never a secret).</summary>
    /// <exception cref="AcmeManagementConfigurationException">A value cannot work.</exception>
    public void Validate()
    {
        if (Issuers.Count == 0)
        {
            throw new AcmeManagementConfigurationException("AcmeCertificatesOptions.Issuers is empty: add at least one ACME CA.");
        }

        foreach (var issuer in Issuers)
        {
            issuer.Validate();
        }

        var duplicate = Issuers.GroupBy(i => i.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new AcmeManagementConfigurationException($"The issuer name '{duplicate.Key}' is used {duplicate.Count()} times; names must be unique.");
        }

        Pool.Validate();
        Manager.Validate();
    }
}

/// <summary>
/// Start-up validation (Options pattern) by an options type's own <c>Validate()</c> method: the
/// exception it throws for a bad value becomes the validation failure, with its message.
/// </summary>
internal sealed class ThrowingOptionsValidator<TOptions, TException> : IValidateOptions<TOptions>
    where TOptions : class
    where TException : Exception
{
    private readonly Action<TOptions> _validate;

    public ThrowingOptionsValidator(Action<TOptions> validate) => _validate = validate;

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        try
        {
            _validate(options);
            return ValidateOptionsResult.Success;
        }
        catch (TException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
