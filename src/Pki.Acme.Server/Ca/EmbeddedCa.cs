using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pki.Acme;

namespace Pki.Acme.Server;

/// <summary>
/// The embedded CA: a root and an intermediate (from options or generated and persisted), issuing
/// TLS BR subscriber certificates under named profiles, and publishing one CRL per issuer built from
/// the store's revocations.
/// </summary>
internal sealed partial class EmbeddedCa : IAcmeCertificateIssuerBackend, IDisposable
{
    /// <summary>How far nextUpdate lies beyond thisUpdate (TLS BR 4.9.7: at most ten days for subscriber certificates).</summary>
    public static readonly TimeSpan CrlValidity = TimeSpan.FromDays(7);

    /// <summary>How long a CRL is served before it is rebuilt from the store (so revocations recorded by other instances show within this).</summary>
    public static readonly TimeSpan CrlRefreshAge = TimeSpan.FromHours(1);

    /// <summary>How far before <see cref="DateTimeOffset.UtcNow"/> a leaf's notBefore lies, for clients with slow clocks.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(1);

    private readonly CaAuthority root;
    private readonly CaAuthority intermediate;
    private readonly Uri publicationUrl;
    private readonly IAcmeRevocationSource revocations;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly IReadOnlyList<AcmeServerProfileOptions> profiles;
    private readonly SemaphoreSlim crlLock = new(1, 1);

    // .NET's key objects do not promise thread safety: one signature at a time (leaves and CRLs).
    private readonly object signingLock = new();
    private readonly string intermediatePem;
    private CrlState? intermediateCrl;
    private CrlState? rootCrl;
    private BigInteger lastCrlNumber;

    private EmbeddedCa(CaAuthority root, CaAuthority intermediate, Uri publicationUrl, IReadOnlyList<AcmeServerProfileOptions> profiles, IAcmeRevocationSource revocations, TimeProvider time, ILogger logger)
    {
        this.root = root;
        this.intermediate = intermediate;
        this.publicationUrl = publicationUrl;
        this.profiles = profiles;
        this.revocations = revocations;
        this.time = time;
        this.logger = logger;
        intermediatePem = intermediate.Certificate.ExportCertificatePem() + "\n";
        RootPem = root.Certificate.ExportCertificatePem() + "\n";
        Profiles = profiles.Select(p => new AcmeProfileDescription(p.Name, p.Description)).ToArray();
    }

    /// <inheritdoc />
    public IReadOnlyList<AcmeProfileDescription> Profiles { get; }

    /// <summary>The root certificate as PEM (served at <c>{base}/ca/root.pem</c>).</summary>
    public string RootPem { get; }

    /// <summary>The root certificate as DER (served at <c>{base}/ca/root.cer</c>, the intermediate's AIA caIssuers).</summary>
    public byte[] RootDer => root.Certificate.RawData;

    /// <summary>The intermediate certificate as DER (served at <c>{base}/ca/intermediate.cer</c>, the leaves' AIA caIssuers).</summary>
    public byte[] IntermediateDer => intermediate.Certificate.RawData;

    /// <summary>Whether the root's key is here, so the root's CRL can be published.</summary>
    public bool CanSignRootCrl => root.Key is not null;

    internal X509Certificate2 RootCertificate => root.Certificate;

    internal X509Certificate2 IntermediateCertificate => intermediate.Certificate;

    /// <summary>Validates <paramref name="options"/>, loads or generates the root and intermediate, and checks them.</summary>
    /// <param name="options">The CA options.</param>
    /// <param name="baseUrl">The server's base URL, e.g. <c>https://host/acme</c>: the AIA and CRL URLs are <c>{base}/ca/...</c> unless <see cref="AcmeServerCaOptions.PublicationBaseUrl"/> is set.</param>
    /// <param name="revocations">The store's revocations, the CRL's source.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where loading and generation are logged (never key material).</param>
    /// <exception cref="AcmeCaConfigurationException">The options or the CA material are unusable.</exception>
    public static EmbeddedCa Create(AcmeServerCaOptions options, Uri baseUrl, IAcmeRevocationSource revocations, TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(revocations);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps) || !string.IsNullOrEmpty(baseUrl.Query) || !string.IsNullOrEmpty(baseUrl.Fragment))
        {
            throw new AcmeCaConfigurationException($"The embedded CA's base URL '{baseUrl}' must be an absolute http or https URL without query or fragment.");
        }

        logger ??= NullLogger.Instance;
        var publicationUrl = options.PublicationBaseUrl ?? baseUrl;
        if (publicationUrl.Scheme != Uri.UriSchemeHttp)
        {
            LogHttpsPublication(logger, CaUrls.IntermediateCertificate(publicationUrl));
        }

        var (root, intermediate) = CaMaterial.Load(options, publicationUrl, time, logger);
        return new EmbeddedCa(root, intermediate, publicationUrl, options.EffectiveProfiles(), revocations, time, logger);
    }

    /// <inheritdoc />
    public Task<AcmeIssuedChains> IssueAsync(byte[] csrDer, IReadOnlyList<AcmeIdentifier> identifiers, string profile, byte[] accountKeySpki, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(csrDer);
        ArgumentNullException.ThrowIfNull(identifiers);
        ArgumentNullException.ThrowIfNull(accountKeySpki);
        cancellationToken.ThrowIfCancellationRequested();
        var chosen = string.IsNullOrEmpty(profile) ? profiles[0] : profiles.FirstOrDefault(p => p.Name == profile)
            ?? throw AcmeIssuanceRejectedException.InvalidProfile($"The profile '{profile}' is not offered; the profiles are {string.Join(", ", profiles.Select(p => p.Name))}.");
        if (identifiers.Count == 0)
        {
            throw AcmeIssuanceRejectedException.BadCsr("The order has no identifiers.");
        }

        foreach (var identifier in identifiers)
        {
            if (identifier.Type is not (AcmeIdentifier.DnsType or AcmeIdentifier.IpType) || (identifier.Type == AcmeIdentifier.IpType && !System.Net.IPAddress.TryParse(identifier.Value, out _)))
            {
                throw AcmeIssuanceRejectedException.RejectedIdentifier($"The identifier {identifier.Type}:{identifier.Value} cannot be issued for; the CA issues for dns names and ip addresses.");
            }
        }

        var publicKey = CsrPolicy.Check(csrDer, identifiers, accountKeySpki);
        var now = time.GetUtcNow();
        var notBefore = Truncate(now - Backdate);
        var notAfter = notBefore + chosen.Validity - TimeSpan.FromSeconds(1);
        var limit = intermediate.Certificate.NotAfter.ToUniversalTime();
        if (notAfter > limit)
        {
            notAfter = Truncate(new DateTimeOffset(limit, TimeSpan.Zero));
        }

        var serial = LeafProfile.NewSerial();
        X509Certificate2 signed;
        lock (signingLock)
        {
            signed = LeafProfile.Build(publicKey, identifiers, chosen, intermediate, publicationUrl, serial, notBefore, notAfter);
        }

        using var leaf = signed;
        var chain = leaf.ExportCertificatePem() + "\n" + intermediatePem;
        var serialHex = leaf.SerialNumber;
        var names = string.Join(", ", identifiers.Select(i => i.Value));
        LogIssued(logger, serialHex, chosen.Name, names);
        return Task.FromResult(new AcmeIssuedChains(serialHex, [chain], notBefore, notAfter, intermediate.SubjectKeyIdentifier.ToArray(), serial));
    }

    /// <inheritdoc />
    public async Task RevokeAsync(string serialNumber, int reason, DateTimeOffset revokedAt, CancellationToken cancellationToken)
    {
        await crlLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            intermediateCrl = await BuildIntermediateCrlAsync(cancellationToken).ConfigureAwait(false);
            var number = intermediateCrl.Number;
            LogRevoked(logger, serialNumber, reason, number);
        }
        finally
        {
            crlLock.Release();
        }
    }

    /// <summary>The intermediate's CRL (DER), rebuilt from the store when it is older than <see cref="CrlRefreshAge"/> or half its validity has passed.</summary>
    public async Task<byte[]> GetCrlAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref intermediateCrl);
        if (current is not null && IsFresh(current))
        {
            return current.Der;
        }

        await crlLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (intermediateCrl is null || !IsFresh(intermediateCrl))
            {
                intermediateCrl = await BuildIntermediateCrlAsync(cancellationToken).ConfigureAwait(false);
            }

            return intermediateCrl.Der;
        }
        finally
        {
            crlLock.Release();
        }
    }

    /// <summary>The root's CRL (DER, no entries: the root revokes nothing here), null when the root's key is not available.</summary>
    public async Task<byte[]?> GetRootCrlAsync(CancellationToken cancellationToken)
    {
        if (root.Key is null)
        {
            return null;
        }

        await crlLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (rootCrl is null || !IsFresh(rootCrl))
            {
                rootCrl = Sign(root, new CertificateRevocationListBuilder());
            }

            return rootCrl.Der;
        }
        finally
        {
            crlLock.Release();
        }
    }

    public void Dispose()
    {
        crlLock.Dispose();
        root.Dispose();
        intermediate.Dispose();
    }

    private static DateTimeOffset Truncate(DateTimeOffset value) => new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private bool IsFresh(CrlState state)
    {
        var now = time.GetUtcNow();
        return now < state.ThisUpdate + CrlRefreshAge && state.NextUpdate - now > CrlValidity / 2;
    }

    private async Task<CrlState> BuildIntermediateCrlAsync(CancellationToken cancellationToken)
    {
        var revoked = await revocations.ListRevokedAsync(cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var builder = new CertificateRevocationListBuilder();
        foreach (var entry in revoked)
        {
            byte[] serial;
            try
            {
                serial = Convert.FromHexString(entry.SerialNumber);
            }
            catch (FormatException)
            {
                LogBadSerial(logger, entry.SerialNumber);
                continue;
            }

            // TLS BR 7.2.2.1: no reasonCode for unspecified (0); otherwise the RFC 5280 code.
            X509RevocationReason? reason = entry.Reason is > 0 and <= 10 and not 7 ? (X509RevocationReason)entry.Reason : null;
            builder.AddEntry(serial, entry.RevokedAt, reason);
        }

        return Sign(intermediate, builder);
    }

    private CrlState Sign(CaAuthority issuer, CertificateRevocationListBuilder builder)
    {
        var thisUpdate = Truncate(time.GetUtcNow());
        var nextUpdate = thisUpdate + CrlValidity;
        // Called under crlLock. Increasing across restarts and instances: milliseconds since the epoch, or one more than the last.
        var candidate = new BigInteger(thisUpdate.ToUnixTimeMilliseconds());
        lastCrlNumber = candidate > lastCrlNumber ? candidate : lastCrlNumber + 1;

        byte[] der;
        lock (signingLock)
        {
            der = builder.Build(issuer.Certificate.SubjectName, issuer.Signer, lastCrlNumber, nextUpdate, issuer.Hash, issuer.AuthorityKeyIdentifier, thisUpdate);
        }

        return new CrlState(der, lastCrlNumber, thisUpdate, nextUpdate);
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Embedded CA: issued serial {Serial} under profile {Profile} for {Identifiers}")]
    private static partial void LogIssued(ILogger logger, string serial, string profile, string identifiers);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Embedded CA: serial {Serial} revoked (reason {Reason}); CRL number {CrlNumber} published")]
    private static partial void LogRevoked(ILogger logger, string serial, int reason, BigInteger crlNumber);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Embedded CA: the store lists a revoked serial '{Serial}' that is not hexadecimal; it is left out of the CRL")]
    private static partial void LogBadSerial(ILogger logger, string serial);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Embedded CA: certificates will carry AIA and CRL URLs like '{Url}', but the TLS Baseline Requirements (7.1.2.7.7, 7.1.2.11.2) require plain http for them; set AcmeServerOptions.Ca.PublicationBaseUrl to an http:// URL where /ca/... is served")]
    private static partial void LogHttpsPublication(ILogger logger, string url);

    private sealed record CrlState(byte[] Der, BigInteger Number, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate);
}
