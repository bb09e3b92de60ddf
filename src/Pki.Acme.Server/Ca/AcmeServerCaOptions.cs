namespace Pki.Acme.Server;

/// <summary>The key algorithm of a root and intermediate the embedded CA generates on first start.</summary>
public enum AcmeServerCaKeyAlgorithm
{
    /// <summary>ECDSA on NIST P-256, signing with SHA-256 (the default).</summary>
    EcdsaP256 = 0,

    /// <summary>ECDSA on NIST P-384, signing with SHA-384.</summary>
    EcdsaP384 = 1,

    /// <summary>RSA with a 2048-bit modulus, signing with SHA-256 and PKCS#1 v1.5.</summary>
    Rsa2048 = 2,

    /// <summary>RSA with a 3072-bit modulus, signing with SHA-256 and PKCS#1 v1.5.</summary>
    Rsa3072 = 3,

    /// <summary>RSA with a 4096-bit modulus, signing with SHA-256 and PKCS#1 v1.5.</summary>
    Rsa4096 = 4,
}

/// <summary>
/// The embedded certificate authority: where its root and intermediate come from (PEM files, a PFX, or
/// generated on first start and kept in <see cref="StateDirectory"/>), its names, and the issuance
/// profiles it offers in the directory's <c>meta.profiles</c>.
/// </summary>
public sealed class AcmeServerCaOptions
{
    /// <summary>
    /// The directory where a generated root and intermediate are kept (keys as PKCS#8 PEM created with mode
    /// 0600, certificates as PEM, each written atomically). On the next start they are loaded, not regenerated.
    /// Required unless the CA material comes from PEM files or a PFX.
    /// </summary>
    public string? StateDirectory { get; set; }

    /// <summary>The root certificate (PEM) when the CA material comes from files; the chain's trust anchor.</summary>
    public string? RootCertificatePemPath { get; set; }

    /// <summary>The root's private key (PKCS#8 or traditional PEM, unencrypted), optional: with it the server also publishes the root's CRL.</summary>
    public string? RootKeyPemPath { get; set; }

    /// <summary>The issuing intermediate certificate (PEM); it must be a CA certificate signed by the root.</summary>
    public string? IntermediateCertificatePemPath { get; set; }

    /// <summary>The intermediate's private key (PKCS#8 or traditional PEM, unencrypted).</summary>
    public string? IntermediateKeyPemPath { get; set; }

    /// <summary>
    /// A PKCS#12 file holding the intermediate with its private key and the self-signed root (with or
    /// without its key), as an alternative to the PEM paths.
    /// </summary>
    public string? PfxPath { get; set; }

    /// <summary>The password of <see cref="PfxPath"/>; never logged nor shown in messages.</summary>
    public string? PfxPassword { get; set; }

    /// <summary>The key algorithm of a generated root and intermediate.</summary>
    public AcmeServerCaKeyAlgorithm KeyAlgorithm { get; set; } = AcmeServerCaKeyAlgorithm.EcdsaP256;

    /// <summary>The organizationName of a generated root and intermediate (at most 64 characters).</summary>
    public string Organization { get; set; } = "Pki ACME Server";

    /// <summary>
    /// The countryName (ISO 3166-1 alpha-2, e.g. <c>DE</c>) of a generated root and intermediate, optional. The TLS BR
    /// 7.1.2.10.2 require it in publicly-trusted CA certificates; a private CA may leave it out.
    /// </summary>
    public string? Country { get; set; }

    /// <summary>
    /// The plain-http base URL under which the CA's files are published, e.g. <c>http://pki.example.com/acme</c>: certificates
    /// carry <c>{PublicationBaseUrl}/ca/intermediate.cer</c> (leaves) and <c>ca/root.cer</c> (a generated intermediate) as AIA
    /// caIssuers, and <c>ca/intermediate.crl</c> / <c>ca/root.crl</c> as CRL distribution points, the same paths the server
    /// serves under its own prefix. The TLS BR (7.1.2.7.7, 7.1.2.10.3, 7.1.2.11.2) require <c>http://</c> for these URLs, so
    /// only http is accepted; serve the files there (a plain-http listener or a reverse proxy in front of <c>{prefix}/ca/</c>).
    /// Null (the default): the server's own <c>{BaseUrl}{prefix}</c>, normally https, and a warning at start.
    /// </summary>
    public Uri? PublicationBaseUrl { get; set; }

    /// <summary>The commonName stem of a generated root and intermediate: "<c>{CommonName} Root</c>" and "<c>{CommonName} Intermediate</c>" (at most 51 characters).</summary>
    public string CommonName { get; set; } = "Pki ACME Server";

    /// <summary>
    /// The issuance profiles, the default first. Empty (the default) means the two built-in ones of
    /// <see cref="AcmeServerProfileOptions.CreateDefaults"/>: <c>tls-server</c> (90 days, with a CRL
    /// distribution point) and <c>shortlived</c> (7 days, without one).
    /// </summary>
    public IList<AcmeServerProfileOptions> Profiles { get; } = new List<AcmeServerProfileOptions>();

    /// <summary>Checks the options and throws with a message naming the offending setting.</summary>
    /// <exception cref="AcmeCaConfigurationException">A setting is missing, out of range or contradicts another.</exception>
    public void Validate()
    {
        var pem = RootCertificatePemPath is not null || RootKeyPemPath is not null || IntermediateCertificatePemPath is not null || IntermediateKeyPemPath is not null;
        var pfx = PfxPath is not null;
        if (pem && pfx)
        {
            throw new AcmeCaConfigurationException("AcmeServerCaOptions: set either the PEM paths or PfxPath, not both.");
        }

        if (pem)
        {
            Require(RootCertificatePemPath, nameof(RootCertificatePemPath));
            Require(IntermediateCertificatePemPath, nameof(IntermediateCertificatePemPath));
            Require(IntermediateKeyPemPath, nameof(IntermediateKeyPemPath));
        }
        else if (pfx)
        {
            Require(PfxPath, nameof(PfxPath));
        }
        else if (string.IsNullOrWhiteSpace(StateDirectory))
        {
            throw new AcmeCaConfigurationException("AcmeServerCaOptions.StateDirectory is required to keep the generated root and intermediate (or give the CA material with the PEM paths or PfxPath).");
        }

        if (!Enum.IsDefined(KeyAlgorithm))
        {
            throw new AcmeCaConfigurationException($"AcmeServerCaOptions.KeyAlgorithm {(int)KeyAlgorithm} is not one of {string.Join(", ", Enum.GetNames<AcmeServerCaKeyAlgorithm>())}.");
        }

        if (Country is not null && (Country.Length != 2 || !Country.All(char.IsAsciiLetterUpper)))
        {
            throw new AcmeCaConfigurationException($"AcmeServerCaOptions.Country must be two upper-case letters (ISO 3166-1 alpha-2), not '{Country}'.");
        }

        if (PublicationBaseUrl is not null)
        {
            CheckPublicationBaseUrl(PublicationBaseUrl);
        }

        CheckName(Organization, nameof(Organization), 64);
        CheckName(CommonName, nameof(CommonName), 64 - " Intermediate".Length);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var profile in Profiles)
        {
            if (profile is null)
            {
                throw new AcmeCaConfigurationException("AcmeServerCaOptions.Profiles contains a null entry.");
            }

            profile.Validate();
            if (!names.Add(profile.Name))
            {
                throw new AcmeCaConfigurationException($"AcmeServerCaOptions.Profiles names '{profile.Name}' twice.");
            }
        }
    }

    /// <summary>The profiles in effect: <see cref="Profiles"/>, or the built-in defaults when it is empty.</summary>
    internal IReadOnlyList<AcmeServerProfileOptions> EffectiveProfiles()
        => Profiles.Count == 0 ? AcmeServerProfileOptions.CreateDefaults() : Profiles.ToArray();

    private static void Require(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new AcmeCaConfigurationException($"AcmeServerCaOptions.{name} is required when the CA material comes from {(name.StartsWith("Pfx", StringComparison.Ordinal) ? "a PFX" : "PEM files (RootCertificatePemPath, IntermediateCertificatePemPath, IntermediateKeyPemPath)")}.");
        }
    }

    private static void CheckPublicationBaseUrl(Uri url)
    {
        // Never echo user information: it would be a credential in a log line.
        if (url.IsAbsoluteUri && !string.IsNullOrEmpty(url.UserInfo))
        {
            throw new AcmeCaConfigurationException("AcmeServerCaOptions.PublicationBaseUrl must not carry user information (user:password@): relying parties fetch these URLs anonymously.");
        }

        if (!url.IsAbsoluteUri || url.Scheme != Uri.UriSchemeHttp || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment))
        {
            throw new AcmeCaConfigurationException($"AcmeServerCaOptions.PublicationBaseUrl must be an absolute http:// URL without query or fragment (the TLS BR 7.1.2.7.7 and 7.1.2.11.2 allow only http for AIA and CRL URLs), not '{url.OriginalString}'.");
        }
    }

    private static void CheckName(string? value, string name, int max)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > max)
        {
            throw new AcmeCaConfigurationException($"AcmeServerCaOptions.{name} must be 1 to {max} characters, not '{value}'.");
        }
    }
}

/// <summary>One issuance profile (draft-ietf-acme-profiles): what a certificate issued under it looks like.</summary>
public sealed class AcmeServerProfileOptions
{
    /// <summary>The longest validity a TLS subscriber certificate may have (CA/Browser Forum TLS BR 6.3.2, from 15 March 2026).</summary>
    public static readonly TimeSpan MaximumValidity = TimeSpan.FromDays(200);

    /// <summary>The longest validity of a short-lived subscriber certificate, which may omit revocation information (TLS BR 7.1.2.11.2).</summary>
    public static readonly TimeSpan ShortLivedValidity = TimeSpan.FromDays(7);

    /// <summary>The name clients put in the <c>profile</c> field of newOrder: letters, digits, '-', '_' and '.'.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The human-readable description advertised in <c>meta.profiles</c>.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>The certificate's validity period (notAfter - notBefore + 1 second), at most <see cref="MaximumValidity"/>.</summary>
    public TimeSpan Validity { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Whether the certificate names the intermediate's CRL; only short-lived profiles (at most 7 days) may leave it out.</summary>
    public bool IncludeCrlDistributionPoint { get; set; } = true;

    /// <summary>
    /// Whether the subject carries a commonName: the order's first identifier (when it has at most 64 characters).
    /// False (the default, and in both built-in profiles): the subject is empty and the subjectAltName critical, as the
    /// TLS BR 7.1.2.7.2 recommend (commonName is NOT RECOMMENDED). Set it only for clients that still read the commonName.
    /// </summary>
    public bool IncludeCommonName { get; set; }

    /// <summary>Whether the certificate's extended key usage also has id-kp-clientAuth besides id-kp-serverAuth.</summary>
    public bool IncludeClientAuth { get; set; }

    /// <summary>The two built-in profiles: <c>tls-server</c> (90 days, CRL distribution point) and <c>shortlived</c> (7 days, none).</summary>
    /// <returns>New instances, the default profile first.</returns>
    public static IReadOnlyList<AcmeServerProfileOptions> CreateDefaults() =>
    [
        new() { Name = "tls-server", Description = "TLS server certificate valid for 90 days, revocable through the CRL", Validity = TimeSpan.FromDays(90), IncludeCrlDistributionPoint = true },
        new() { Name = "shortlived", Description = "Short-lived TLS server certificate valid for 7 days, without revocation information", Validity = ShortLivedValidity, IncludeCrlDistributionPoint = false },
    ];

    /// <summary>Checks the profile and throws with a message naming the offending setting.</summary>
    /// <exception cref="AcmeCaConfigurationException">A setting is out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Name) || Name.Length > 64 || !Name.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.'))
        {
            throw new AcmeCaConfigurationException($"Profile name '{Name}' must be 1 to 64 letters, digits, '-', '_' or '.'.");
        }

        if (Description is null)
        {
            throw new AcmeCaConfigurationException($"Profile '{Name}': Description must not be null.");
        }

        if (Validity < TimeSpan.FromHours(1) || Validity > MaximumValidity)
        {
            throw new AcmeCaConfigurationException($"Profile '{Name}': Validity {Validity} must be between 1 hour and {MaximumValidity.TotalDays} days (CA/Browser Forum TLS BR 6.3.2).");
        }

        if (!IncludeCrlDistributionPoint && Validity > ShortLivedValidity)
        {
            throw new AcmeCaConfigurationException($"Profile '{Name}': only short-lived certificates (Validity at most {ShortLivedValidity.TotalDays} days, TLS BR 7.1.2.11.2) may leave out the CRL distribution point; Validity is {Validity}.");
        }
    }
}

/// <summary>The embedded CA's options or material are unusable: a missing setting, an unreadable file, a key that does not match its certificate, a certificate that is not a CA or has expired. The message names the setting or file, never key material or passwords.</summary>
public sealed class AcmeCaConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and which setting or file it concerns.</param>
    public AcmeCaConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What is wrong and which setting or file it concerns.</param>
    /// <param name="innerException">The cause.</param>
    public AcmeCaConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public AcmeCaConfigurationException()
    {
    }
}
