namespace Pki.Acme.Management;

/// <summary>One ACME CA of a pool: its directory, account, EAB, preferred chain and profile.</summary>
public sealed class AcmeIssuerOptions
{
    /// <summary>A short, unique name (letters, digits, <c>.</c>, <c>-</c>, <c>_</c>): it names the account in the store and the CA in logs.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The CA's ACME directory URL (RFC 8555 section 7.1.1); required, and https unless the client options allow http for tests.</summary>
    public Uri? DirectoryUri { get; set; }

    /// <summary>Account contact URLs, e.g. <c>mailto:ops@example.com</c>.</summary>
    public IList<string> Contacts { get; } = new List<string>();

    /// <summary>
    /// Says that you read and agreed to the CA's terms of service. Must be true for a CA whose
    /// directory has <c>meta.termsOfService</c> (every public CA): otherwise the pool stops with an
    /// <see cref="AcmeManagementConfigurationException"/> naming the terms' URL before it creates the
    /// account. May stay false for a CA without terms.
    /// </summary>
    public bool TermsOfServiceAgreed { get; set; }

    /// <summary>External Account Binding key id, when the CA requires EAB.</summary>
    public string? EabKeyId { get; set; }

    /// <summary>External Account Binding MAC key (base64url). A secret: never logged, never in messages.</summary>
    public string? EabMacKey { get; set; }

    /// <summary>The preferred chain's top issuer common name, if any.</summary>
    public string? PreferredChain { get; set; }

    /// <summary>The certificate profile to ask for, if any.</summary>
    public string? Profile { get; set; }

    /// <summary>The account key algorithm (default ES256).</summary>
    public AcmeKeyAlgorithm AccountKeyAlgorithm { get; set; } = AcmeKeyAlgorithm.ES256;

    /// <summary>The CA's CAA identities (issuer domain names); when empty, the directory's <c>caaIdentities</c> are used.</summary>
    public IList<string> CaaIdentities { get; } = new List<string>();

    /// <summary>Allows an http:// directory (local tests only).</summary>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>Checks the settings; the message names the issuer and the bad value but never the MAC key.</summary>
    /// <exception cref="AcmeManagementConfigurationException">A value cannot work.</exception>
    public void Validate()
    {
        CertificateStoreKey.ValidateName(Name, "issuer name");
        if (DirectoryUri is null || !DirectoryUri.IsAbsoluteUri)
        {
            throw new AcmeManagementConfigurationException($"Issuer '{Name}': DirectoryUri is required and must be an absolute URL.");
        }

        if (DirectoryUri.Scheme != Uri.UriSchemeHttps && !(AllowInsecureHttp && DirectoryUri.Scheme == Uri.UriSchemeHttp))
        {
            throw new AcmeManagementConfigurationException($"Issuer '{Name}': DirectoryUri '{DirectoryUri}' must use https.");
        }

        if (string.IsNullOrEmpty(EabKeyId) != string.IsNullOrEmpty(EabMacKey))
        {
            throw new AcmeManagementConfigurationException($"Issuer '{Name}': External Account Binding needs both EabKeyId and EabMacKey.");
        }

        if (EabKeyId is not null && EabMacKey is not null)
        {
            try
            {
                _ = new AcmeExternalAccountBinding(EabKeyId, EabMacKey);
            }
            catch (AcmeConfigurationException ex)
            {
                throw new AcmeManagementConfigurationException($"Issuer '{Name}': {ex.Message}", ex);
            }
        }
    }

    /// <summary>The name and directory (no secrets).</summary>
    public override string ToString() => $"{Name} ({DirectoryUri})";
}
