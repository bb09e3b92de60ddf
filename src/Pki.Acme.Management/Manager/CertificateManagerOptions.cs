namespace Pki.Acme.Management;

/// <summary>Settings of a <see cref="CertificateManager"/>.</summary>
public sealed class CertificateManagerOptions
{
    /// <summary>The certificates to manage; names must be unique (case-insensitive) and at least one is required.</summary>
    public IList<ManagedCertificateOptions> Certificates { get; } = new List<ManagedCertificateOptions>();

    /// <summary>How long a per-certificate lease lasts without renewal (default 5 min); a crashed holder's lease is taken over after it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a waiting instance looks at the lease and the store (default 1 s).</summary>
    public TimeSpan LeasePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest sleep of <see cref="CertificateManager.RunAsync"/> between checks (default 1 h): ARI windows and other instances' renewals are seen within it.</summary>
    public TimeSpan MaxCheckInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The shortest time between two attempts at one certificate (default 1 min). After a failed
    /// attempt, or one whose new certificate is due again at once (a past ARI window, a clock
    /// ahead of the CA's by more than the lifetime), the wait doubles per consecutive such attempt
    /// up to <see cref="MaxAttemptBackoff"/>, so renewal never loops.
    /// </summary>
    public TimeSpan MinAttemptInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest wait between attempts after repeated failures (default 1 day).</summary>
    public TimeSpan MaxAttemptBackoff { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often a certificate that is missing or failing is looked for in the store, where another instance may have put one (default 30 s).</summary>
    public TimeSpan StorePollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The deadline of one issuance at the pool, every CA included (default 15 min).</summary>
    public TimeSpan IssuanceTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How many certificates one pass of <see cref="CertificateManager.RenewDueAsync"/> works on at once (default 4): a slow CA or certificate never holds up the others beyond that.</summary>
    public int MaxConcurrentRenewals { get; set; } = 4;

    /// <summary>Without ARI, renew when this share of the lifetime remains (default one third).</summary>
    public double FallbackRemainingLifetimeFraction { get; set; } = 1.0 / 3.0;

    /// <summary>Checks every value and every certificate; the manager calls it at construction and DI at start-up.</summary>
    /// <exception cref="AcmeManagementConfigurationException">A value cannot work; the message names it.</exception>
    public void Validate()
    {
        if (Certificates.Count == 0)
        {
            throw new AcmeManagementConfigurationException("CertificateManagerOptions.Certificates is empty: add at least one certificate to manage.");
        }

        foreach (var certificate in Certificates)
        {
            certificate.Validate();
        }

        var duplicate = Certificates.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new AcmeManagementConfigurationException($"The certificate name '{duplicate.Key}' is used {duplicate.Count()} times; names must be unique.");
        }

        if (LeaseDuration <= TimeSpan.Zero || LeasePollInterval <= TimeSpan.Zero || LeasePollInterval >= LeaseDuration)
        {
            throw new AcmeManagementConfigurationException($"CertificateManagerOptions.LeasePollInterval ({LeasePollInterval}) must be positive and below LeaseDuration ({LeaseDuration}).");
        }

        if (MaxCheckInterval <= TimeSpan.Zero || StorePollInterval <= TimeSpan.Zero || IssuanceTimeout <= TimeSpan.Zero)
        {
            throw new AcmeManagementConfigurationException("CertificateManagerOptions.MaxCheckInterval, StorePollInterval and IssuanceTimeout must be positive.");
        }

        if (MinAttemptInterval <= TimeSpan.Zero || MaxAttemptBackoff < MinAttemptInterval)
        {
            throw new AcmeManagementConfigurationException($"CertificateManagerOptions.MinAttemptInterval ({MinAttemptInterval}) must be positive and not above MaxAttemptBackoff ({MaxAttemptBackoff}).");
        }

        if (MaxConcurrentRenewals is < 1 or > 1024)
        {
            throw new AcmeManagementConfigurationException($"CertificateManagerOptions.MaxConcurrentRenewals must be between 1 and 1024; it is {MaxConcurrentRenewals}.");
        }

        if (!(FallbackRemainingLifetimeFraction > 0 && FallbackRemainingLifetimeFraction < 1))
        {
            throw new AcmeManagementConfigurationException($"CertificateManagerOptions.FallbackRemainingLifetimeFraction must be between 0 and 1 (exclusive); it is {FallbackRemainingLifetimeFraction}.");
        }
    }
}

