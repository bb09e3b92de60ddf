using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pki.Acme.Management;

/// <summary>One certificate an application needs: a name for the store and the identifiers it covers.</summary>
public sealed class ManagedCertificateOptions
{
    /// <summary>The store name (letters, digits, <c>.</c>, <c>-</c>, <c>_</c>), e.g. <c>www</c>.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>DNS names (wildcards allowed) or IP addresses; the first DNS name becomes the CN.</summary>
    public IList<string> Identifiers { get; } = new List<string>();

    /// <summary>The certificate key type (default ECDSA P-256).</summary>
    public AcmeCertificateKeyType KeyType { get; set; } = AcmeCertificateKeyType.EcP256;

    /// <summary>
    /// Renew no later than this long before the certificate expires (null, the default: the CA's ARI
    /// window decides, else <see cref="CertificateManagerOptions.FallbackRemainingLifetimeFraction"/>).
    /// When the CA's window or the fallback comes earlier, that time still wins. Useful to see renewal
    /// happen in development, or to keep a margin that an operator chose.
    /// </summary>
    public TimeSpan? RenewBefore { get; set; }

    /// <summary>Checks the name and identifiers; the manager calls it at construction, so bad settings fail at start-up.</summary>
    /// <exception cref="AcmeManagementConfigurationException">A value cannot work; the message names it.</exception>
    public void Validate()
    {
        CertificateStoreKey.ValidateName(Name, "certificate name");
        if (Identifiers.Count == 0)
        {
            throw new AcmeManagementConfigurationException($"Certificate '{Name}' has no identifiers: add at least one DNS name or IP address.");
        }

        if (RenewBefore is { } before && before <= TimeSpan.Zero)
        {
            throw new AcmeManagementConfigurationException($"Certificate '{Name}': RenewBefore must be positive (a time before expiry, e.g. 30.00:00:00); it is {before}.");
        }

        foreach (var identifier in Identifiers)
        {
            try
            {
                _ = ParseIdentifier(identifier);
            }
            catch (ArgumentException ex)
            {
                throw new AcmeManagementConfigurationException($"Certificate '{Name}': the identifier '{identifier}' is not a DNS name or IP address: {ex.Message}", ex);
            }
        }

        if (KeyType is < AcmeCertificateKeyType.EcP256 or > AcmeCertificateKeyType.Rsa4096)
        {
            throw new AcmeManagementConfigurationException($"Certificate '{Name}': KeyType {(int)KeyType} is not a key type.");
        }
    }

    internal IReadOnlyList<AcmeIdentifier> ToAcmeIdentifiers() => [.. Identifiers.Select(ParseIdentifier)];

    internal static AcmeIdentifier ParseIdentifier(string value) =>
        IPAddress.TryParse(value, out var ip) ? AcmeIdentifier.Ip(ip) : AcmeIdentifier.Dns(value);
}

/// <summary>How the current certificate came to be.</summary>
public enum CertificateSource
{
    /// <summary>Read from the store (issued earlier, or by another instance).</summary>
    Store,

    /// <summary>Issued now by this instance.</summary>
    Issued,

    /// <summary>An order a crashed process left behind was completed and downloaded.</summary>
    Resumed,
}

/// <summary>A managed certificate ready to serve: the leaf with its key, and the intermediates.</summary>
public sealed class ManagedCertificate
{
    internal ManagedCertificate(string name, string issuer, Uri orderUri, X509Certificate2 certificate, X509Certificate2Collection intermediates, string chainPem, IReadOnlyList<string> identifiers, CertificateSource source)
    {
        Name = name;
        Issuer = issuer;
        OrderUri = orderUri;
        Certificate = certificate;
        Intermediates = intermediates;
        ChainPem = chainPem;
        Identifiers = identifiers;
        Source = source;
    }

    /// <summary>The name from <see cref="ManagedCertificateOptions.Name"/>, as passed to <see cref="CertificateManager.GetCertificateAsync"/>.</summary>
    public string Name { get; }

    /// <summary>The name of the CA (pool issuer) that issued it.</summary>
    public string Issuer { get; }

    /// <summary>The ACME order URL it came from (also what tells one stored certificate from its replacement).</summary>
    public Uri OrderUri { get; }

    /// <summary>The leaf with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The rest of the chain (intermediates), leaf excluded.</summary>
    public X509Certificate2Collection Intermediates { get; }

    /// <summary>The chain as PEM, leaf first.</summary>
    public string ChainPem { get; }

    /// <summary>The identifiers it was ordered for.</summary>
    public IReadOnlyList<string> Identifiers { get; }

    /// <summary>Where this instance got it from.</summary>
    public CertificateSource Source { get; }

    /// <summary>The leaf's notBefore, in UTC.</summary>
    public DateTimeOffset NotBefore => new(Certificate.NotBefore.ToUniversalTime());

    /// <summary>The leaf's notAfter, in UTC: serving it later fails clients.</summary>
    public DateTimeOffset NotAfter => new(Certificate.NotAfter.ToUniversalTime());

    /// <summary>True when the certificate covers <paramref name="serverName"/> (exact, or one-label wildcard).</summary>
    public bool Covers(string serverName)
    {
        ArgumentNullException.ThrowIfNull(serverName);
        var name = serverName.TrimEnd('.');
        foreach (var identifier in Identifiers)
        {
            if (string.Equals(identifier, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (identifier.StartsWith("*.", StringComparison.Ordinal))
            {
                var dot = name.IndexOf('.', StringComparison.Ordinal);
                if (dot > 0 && string.Equals(identifier[1..], name[dot..], StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    internal static ManagedCertificate Load(string name, StoredCertificate stored, CertificateSource source)
    {
        var certificates = PemReader.ReadCertificates(stored.ChainPem);
        if (certificates.Count == 0)
        {
            throw new CertificateStoreException($"The stored chain of certificate '{name}' has no certificate.");
        }

        var leaf = certificates[0];
        var withKey = AttachKey(leaf, stored.KeyPem, name);
        leaf.Dispose();
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in certificates.Skip(1))
        {
            intermediates.Add(certificate);
        }

        return new ManagedCertificate(name, stored.Issuer, new Uri(stored.OrderUri), withKey, intermediates, stored.ChainPem, stored.Identifiers, source);
    }

    internal static X509Certificate2 AttachKey(X509Certificate2 leaf, string keyPem, string name)
    {
        var key = PemReader.ImportPrivateKey(keyPem, name);
        try
        {
            return key switch
            {
                ECDsa ec => leaf.CopyWithPrivateKey(ec),
                RSA rsa => leaf.CopyWithPrivateKey(rsa),
                _ => throw new CertificateStoreException($"The key of certificate '{name}' is neither ECDSA nor RSA."),
            };
        }
        catch (CryptographicException ex)
        {
            throw new CertificateStoreException($"The stored key of certificate '{name}' does not match its certificate.", ex);
        }
        finally
        {
            key.Dispose();
        }
    }
}

/// <summary>What the health check and dashboards show for one certificate.</summary>
/// <param name="Name">The name from <see cref="ManagedCertificateOptions.Name"/>.</param>
/// <param name="NotAfter">The current certificate's expiry, when there is one.</param>
/// <param name="RenewAt">When it will be renewed next, when known.</param>
/// <param name="RenewalExplanation">Why then, in words (the ARI window or the fallback lifetime share).</param>
/// <param name="Issuer">The CA that issued the current certificate.</param>
/// <param name="LastError">The last failure's message, cleared by the next success.</param>
/// <param name="LastErrorAt">When it happened.</param>
public sealed record ManagedCertificateStatus(string Name, DateTimeOffset? NotAfter, DateTimeOffset? RenewAt, string? RenewalExplanation, string? Issuer, string? LastError, DateTimeOffset? LastErrorAt)
{
    /// <summary>Consecutive failed (or unproductive) attempts of this instance; 0 after a success or once a valid certificate is picked up from the store.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>When this instance may attempt again (the per-certificate backoff), when it is waiting.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }
}

/// <summary>Raised when a managed certificate is loaded or replaced.</summary>
public sealed class CertificateChangedEventArgs : EventArgs
{
    /// <summary>Creates the arguments for <paramref name="certificate"/>, the certificate now being served.</summary>
    public CertificateChangedEventArgs(ManagedCertificate certificate) => Certificate = certificate;

    /// <summary>The new current certificate.</summary>
    public ManagedCertificate Certificate { get; }
}
