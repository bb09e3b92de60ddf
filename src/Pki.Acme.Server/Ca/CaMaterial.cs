using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Pki.Acme.Server;

/// <summary>
/// Where the embedded CA's root and intermediate come from: PEM files, a PFX, or the state directory
/// (generated on first start, loaded afterwards). Every problem is an <see cref="AcmeCaConfigurationException"/>
/// naming the setting or file; key material and passwords never appear in messages or logs.
/// </summary>
internal static partial class CaMaterial
{
    public const string RootKeyFile = "root.key.pem";
    public const string RootCertificateFile = "root.pem";
    public const string IntermediateKeyFile = "intermediate.key.pem";
    public const string IntermediateCertificateFile = "intermediate.pem";

    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";
    private static readonly TimeSpan RootValidity = TimeSpan.FromDays(20 * 365);
    private static readonly TimeSpan IntermediateValidity = TimeSpan.FromDays(8 * 365);

    /// <summary>Loads (or generates) and checks the root and the intermediate.</summary>
    public static (CaAuthority Root, CaAuthority Intermediate) Load(AcmeServerCaOptions options, Uri publicationUrl, TimeProvider time, ILogger logger)
    {
        (CaAuthority Root, CaAuthority Intermediate) pair;
        if (options.IntermediateCertificatePemPath is not null)
        {
            var rootCertificate = ReadCertificate(options.RootCertificatePemPath!, nameof(options.RootCertificatePemPath));
            var root = new CaAuthority(rootCertificate, options.RootKeyPemPath is null ? null : ReadKey(options.RootKeyPemPath, nameof(options.RootKeyPemPath), rootCertificate));
            var intermediateCertificate = ReadCertificate(options.IntermediateCertificatePemPath, nameof(options.IntermediateCertificatePemPath));
            pair = (root, new CaAuthority(intermediateCertificate, ReadKey(options.IntermediateKeyPemPath!, nameof(options.IntermediateKeyPemPath), intermediateCertificate)));
            LogLoaded(logger, "PEM files", pair.Intermediate.Certificate.Subject, pair.Intermediate.Certificate.Thumbprint);
        }
        else if (options.PfxPath is not null)
        {
            pair = ReadPfx(options.PfxPath, options.PfxPassword);
            LogLoaded(logger, "the PFX", pair.Intermediate.Certificate.Subject, pair.Intermediate.Certificate.Thumbprint);
        }
        else
        {
            pair = LoadOrGenerate(options, publicationUrl, time, logger);
        }

        Check(pair.Root, pair.Intermediate, time);
        return pair;
    }

    private static (CaAuthority Root, CaAuthority Intermediate) LoadOrGenerate(AcmeServerCaOptions options, Uri publicationUrl, TimeProvider time, ILogger logger)
    {
        var directory = Path.GetFullPath(options.StateDirectory!);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AcmeCaConfigurationException($"AcmeServerCaOptions.StateDirectory '{directory}' cannot be created: {e.Message}", e);
        }

        // Keys are written before their certificates, so a certificate on disk always has its key: a crash
        // in between leaves a key without certificate, which the next start overwrites with a fresh pair.
        var generated = new List<string>();
        var root = LoadOrGenerate(directory, RootCertificateFile, RootKeyFile, () => GenerateRoot(options, time), generated, logger);
        var intermediate = LoadOrGenerate(directory, IntermediateCertificateFile, IntermediateKeyFile, () => GenerateIntermediate(options, root, publicationUrl, time), generated, logger);
        if (generated.Count > 0 && options.Country is null)
        {
            // Optional for a private CA; a publicly-trusted one needs it (pkilint: cabf.serverauth.ca.country_attribute_absent).
            LogNoCountry(logger, string.Join("', '", generated));
        }

        return (root, intermediate);
    }

    private static CaAuthority LoadOrGenerate(string directory, string certificateFile, string keyFile, Func<CaAuthority> generate, List<string> generatedSubjects, ILogger logger)
    {
        var certificatePath = Path.Combine(directory, certificateFile);
        if (File.Exists(certificatePath))
        {
            var certificate = ReadCertificate(certificatePath, nameof(AcmeServerCaOptions.StateDirectory));
            var loaded = new CaAuthority(certificate, ReadKey(Path.Combine(directory, keyFile), nameof(AcmeServerCaOptions.StateDirectory), certificate));
            LogLoaded(logger, directory, certificate.Subject, certificate.Thumbprint);
            return loaded;
        }

        var generated = generate();
        WriteAtomically(Path.Combine(directory, keyFile), generated.Key!.ExportPkcs8PrivateKeyPem(), secret: true);
        WriteAtomically(certificatePath, generated.Certificate.ExportCertificatePem() + "\n", secret: false);
        LogGenerated(logger, generated.Certificate.Subject, generated.Certificate.Thumbprint, directory);
        generatedSubjects.Add(generated.Certificate.Subject);
        return generated;
    }

    private static CaAuthority GenerateRoot(AcmeServerCaOptions options, TimeProvider time)
    {
        var key = NewKey(options.KeyAlgorithm);
        var name = Name(options, " Root");
        var request = Request(name, key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ski = new X509SubjectKeyIdentifierExtension(request.PublicKey, false);
        request.CertificateExtensions.Add(ski);

        // TLS BR 7.1.2.1.3: a root's authorityKeyIdentifier is RECOMMENDED, keyIdentifier only, equal to its own SKI.
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski));
        var notBefore = time.GetUtcNow().AddMinutes(-1);
        var generator = key is ECDsa ec ? X509SignatureGenerator.CreateForECDsa(ec) : X509SignatureGenerator.CreateForRSA((RSA)key, RSASignaturePadding.Pkcs1);
        var certificate = request.Create(name, generator, notBefore, notBefore + RootValidity, LeafProfile.NewSerial());
        return new CaAuthority(certificate, key);
    }

    private static CaAuthority GenerateIntermediate(AcmeServerCaOptions options, CaAuthority root, Uri publicationUrl, TimeProvider time)
    {
        var key = NewKey(options.KeyAlgorithm);
        var name = Name(options, " Intermediate");
        var request = Request(name, key);

        // TLS BR 7.1.2.10 (CA certificates) and 7.1.2.10.5-6 for a TLS subordinate CA.
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(LeafProfile.ServerAuthOid), new Oid(LeafProfile.ClientAuthOid)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(root.AuthorityKeyIdentifier);
        request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(null, [CaUrls.RootCertificate(publicationUrl)], false));
        request.CertificateExtensions.Add(LeafProfile.CertificatePolicies(LeafProfile.DomainValidatedPolicyOid));
        request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([CaUrls.RootCrl(publicationUrl)], false));
        var notBefore = time.GetUtcNow().AddMinutes(-1);
        var notAfter = notBefore + IntermediateValidity;
        if (notAfter > root.Certificate.NotAfter.ToUniversalTime())
        {
            notAfter = root.Certificate.NotAfter.ToUniversalTime();
        }

        var certificate = request.Create(root.Certificate.SubjectName, root.Signer, notBefore, notAfter, LeafProfile.NewSerial());
        return new CaAuthority(certificate, key);
    }

    private static X500DistinguishedName Name(AcmeServerCaOptions options, string suffix)
    {
        var builder = new X500DistinguishedNameBuilder();
        // The builder writes the RDNs in reverse order of the calls: the DER reads C, O, then CN.
        builder.AddCommonName(options.CommonName + suffix);
        builder.AddOrganizationName(options.Organization);
        if (options.Country is not null)
        {
            builder.AddCountryOrRegion(options.Country);
        }

        return builder.Build();
    }

    private static AsymmetricAlgorithm NewKey(AcmeServerCaKeyAlgorithm algorithm) => algorithm switch
    {
        AcmeServerCaKeyAlgorithm.EcdsaP384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        AcmeServerCaKeyAlgorithm.Rsa2048 => RSA.Create(2048),
        AcmeServerCaKeyAlgorithm.Rsa3072 => RSA.Create(3072),
        AcmeServerCaKeyAlgorithm.Rsa4096 => RSA.Create(4096),
        _ => ECDsa.Create(ECCurve.NamedCurves.nistP256),
    };

    private static CertificateRequest Request(X500DistinguishedName name, AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => new CertificateRequest(name, ec, CaAuthority.HashFor(ec)),
        _ => new CertificateRequest(name, (RSA)key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
    };

    private static X509Certificate2 ReadCertificate(string path, string setting)
    {
        var text = ReadText(path, setting);
        try
        {
            return X509Certificate2.CreateFromPem(text);
        }
        catch (CryptographicException e)
        {
            throw new AcmeCaConfigurationException($"{setting}: '{path}' holds no readable PEM CERTIFICATE ({e.Message}).", e);
        }
    }

    private static AsymmetricAlgorithm ReadKey(string path, string setting, X509Certificate2 certificate)
    {
        var text = ReadText(path, setting);
        AsymmetricAlgorithm key = certificate.PublicKey.Oid.Value switch
        {
            EcPublicKeyOid => ECDsa.Create(),
            RsaEncryptionOid => RSA.Create(),
            var other => throw new AcmeCaConfigurationException($"{setting}: the certificate '{certificate.Subject}' has a key of algorithm {other}; the CA signs with ECDSA or RSA only."),
        };
        try
        {
            key.ImportFromPem(text);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new AcmeCaConfigurationException($"{setting}: '{path}' holds no unencrypted {(key is ECDsa ? "EC" : "RSA")} private key in PEM (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY) for the certificate '{certificate.Subject}'.", e);
        }

        if (!KeyMatches(key, certificate))
        {
            key.Dispose();
            throw new AcmeCaConfigurationException($"{setting}: the private key in '{path}' does not belong to the certificate '{certificate.Subject}' (thumbprint {certificate.Thumbprint}).");
        }

        return key;
    }

    private static (CaAuthority Root, CaAuthority Intermediate) ReadPfx(string path, string? password)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AcmeCaConfigurationException($"PfxPath: '{path}' cannot be read: {e.Message}", e);
        }

        X509Certificate2Collection collection;
        try
        {
#if NET9_0_OR_GREATER
            collection = X509CertificateLoader.LoadPkcs12Collection(bytes, password, X509KeyStorageFlags.EphemeralKeySet);
#else
            collection = [];
            collection.Import(bytes, password, X509KeyStorageFlags.EphemeralKeySet);
#endif
        }
        catch (CryptographicException e)
        {
            throw new AcmeCaConfigurationException($"PfxPath: '{path}' cannot be opened: it is not a PKCS#12 file or PfxPassword is wrong.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }

        var cas = collection.Where(IsCa).ToList();
        var root = cas.FirstOrDefault(c => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData));
        var intermediate = cas.FirstOrDefault(c => c.HasPrivateKey && !c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData));
        if (root is null || intermediate is null)
        {
            throw new AcmeCaConfigurationException($"PfxPath: '{path}' must hold a self-signed root CA certificate and an intermediate CA certificate with its private key; found {collection.Count} certificate(s), {cas.Count} of them CA certificates.");
        }

        return (new CaAuthority(root, PrivateKey(root)), new CaAuthority(intermediate, PrivateKey(intermediate)));
    }

    private static AsymmetricAlgorithm? PrivateKey(X509Certificate2 certificate)
        => !certificate.HasPrivateKey ? null : (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey();

    private static bool IsCa(X509Certificate2 certificate)
        => certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true };

    /// <summary>The root is a self-signed CA, the intermediate a CA with a key signed by it, both valid now.</summary>
    private static void Check(CaAuthority root, CaAuthority intermediate, TimeProvider time)
    {
        var now = time.GetUtcNow();
        foreach (var (authority, role) in new[] { (root, "root"), (intermediate, "intermediate") })
        {
            var certificate = authority.Certificate;
            if (!IsCa(certificate))
            {
                throw new AcmeCaConfigurationException($"The {role} certificate '{certificate.Subject}' is not a CA certificate (no basicConstraints with cA TRUE).");
            }

            var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
            if (usage is not null && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
            {
                throw new AcmeCaConfigurationException($"The {role} certificate '{certificate.Subject}' may not sign certificates (its key usage lacks keyCertSign).");
            }

            if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
            {
                throw new AcmeCaConfigurationException($"The {role} certificate '{certificate.Subject}' is not valid now ({now:u}): notBefore {certificate.NotBefore.ToUniversalTime():u}, notAfter {certificate.NotAfter.ToUniversalTime():u}.");
            }
        }

        if (intermediate.Key is null)
        {
            throw new AcmeCaConfigurationException($"The intermediate certificate '{intermediate.Certificate.Subject}' came without its private key.");
        }

        if (!root.Certificate.SubjectName.RawData.AsSpan().SequenceEqual(root.Certificate.IssuerName.RawData))
        {
            throw new AcmeCaConfigurationException($"The root certificate '{root.Certificate.Subject}' is not self-signed (its issuer is '{root.Certificate.Issuer}').");
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root.Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (!chain.Build(intermediate.Certificate) || chain.ChainElements.Count != 2)
        {
            var status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()));
            throw new AcmeCaConfigurationException($"The intermediate certificate '{intermediate.Certificate.Subject}' is not issued by the root '{root.Certificate.Subject}': {status}");
        }
    }

    private static bool KeyMatches(AsymmetricAlgorithm key, X509Certificate2 certificate)
    {
        var data = RandomNumberGenerator.GetBytes(32);
        try
        {
            switch (key)
            {
                case ECDsa ec:
                    using (var publicKey = certificate.GetECDsaPublicKey())
                    {
                        return publicKey is not null && publicKey.VerifyData(data, ec.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256);
                    }

                case RSA rsa:
                    using (var publicKey = certificate.GetRSAPublicKey())
                    {
                        return publicKey is not null && publicKey.VerifyData(data, rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                    }

                default:
                    return false;
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static string ReadText(string path, string setting)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new AcmeCaConfigurationException($"{setting}: '{path}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Writes through a temporary file in the same directory (created with its final mode: 0600 for secrets), flushed to disk, then renamed over <paramref name="path"/>.</summary>
    internal static void WriteAtomically(string path, string text, bool secret)
    {
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = secret
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new AcmeCaConfigurationException($"AcmeServerCaOptions.StateDirectory: '{path}' cannot be written: {e.Message}", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Embedded CA: loaded '{Subject}' (SHA-1 thumbprint {Thumbprint}) from {Source}")]
    private static partial void LogLoaded(ILogger logger, string source, string subject, string thumbprint);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Embedded CA: generated '{Subject}' (SHA-1 thumbprint {Thumbprint}) and stored it in {Directory}; distribute its root to the clients that must trust it")]
    private static partial void LogGenerated(ILogger logger, string subject, string thumbprint, string directory);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Embedded CA: the new CA certificate(s) '{Subjects}' have no countryName (AcmeServerOptions.Ca.Country is not set); fine for a private CA, but publicly-trusted CA certificates need it (TLS BR 7.1.2.10.2)")]
    private static partial void LogNoCountry(ILogger logger, string subjects);
}

/// <summary>The URLs of the embedded CA's files under its publication base URL (AIA caIssuers, CRL distribution points): <see cref="AcmeServerCaOptions.PublicationBaseUrl"/> or the server's own base URL.</summary>
internal static class CaUrls
{
    public static string RootCertificate(Uri baseUrl) => Combine(baseUrl, "ca/root.cer");

    public static string RootPem(Uri baseUrl) => Combine(baseUrl, "ca/root.pem");

    public static string RootCrl(Uri baseUrl) => Combine(baseUrl, "ca/root.crl");

    public static string IntermediateCertificate(Uri baseUrl) => Combine(baseUrl, "ca/intermediate.cer");

    public static string IntermediateCrl(Uri baseUrl) => Combine(baseUrl, "ca/intermediate.crl");

    private static string Combine(Uri baseUrl, string path) => baseUrl.AbsoluteUri.TrimEnd('/') + "/" + path;
}
