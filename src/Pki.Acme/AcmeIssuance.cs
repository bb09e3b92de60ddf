using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pki.Acme.Internal;

namespace Pki.Acme;

/// <summary>Key types for a new certificate key.</summary>
public enum AcmeCertificateKeyType
{
    /// <summary>ECDSA P-256 (default; small and fast).</summary>
    EcP256,

    /// <summary>ECDSA P-384.</summary>
    EcP384,

    /// <summary>RSA 2048.</summary>
    Rsa2048,

    /// <summary>RSA 3072.</summary>
    Rsa3072,

    /// <summary>RSA 4096.</summary>
    Rsa4096,
}

/// <summary>What to issue in one <see cref="AcmeClient.IssueCertificateAsync"/> call.</summary>
public sealed record AcmeIssuanceRequest
{
    /// <summary>The identifiers (DNS names, wildcards, IP addresses); the first DNS name becomes the subject CN when it fits.</summary>
    public IReadOnlyList<AcmeIdentifier> Identifiers { get; init; } = [];

    /// <summary>The type of a freshly generated certificate key (ignored with <see cref="CertificateKey"/> or <see cref="Csr"/>).</summary>
    public AcmeCertificateKeyType KeyType { get; init; } = AcmeCertificateKeyType.EcP256;

    /// <summary>Your own certificate key (ECDSA or RSA); it stays yours (not disposed).</summary>
    public AsymmetricAlgorithm? CertificateKey { get; init; }

    /// <summary>Your own DER CSR; then no key is generated and <see cref="AcmeIssuedCertificate.PrivateKeyPem"/> is null.</summary>
    public ReadOnlyMemory<byte>? Csr { get; init; }

    /// <summary>Prefer the chain whose topmost certificate is issued by (or is) this common name; the default chain when none matches.</summary>
    public string? PreferredChain { get; init; }

    /// <summary>A certificate profile the directory offers.</summary>
    public string? Profile { get; init; }

    /// <summary>The RFC 9773 CertID of the certificate this one replaces.</summary>
    public string? Replaces { get; init; }

    /// <summary>Requested notBefore.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Requested notAfter.</summary>
    public DateTimeOffset? NotAfter { get; init; }

    /// <summary>Progress events, in addition to the log.</summary>
    public IProgress<AcmeIssuanceProgress>? Progress { get; init; }

    /// <summary>
    /// Awaited right after the order is created and before any challenge is presented, e.g. to
    /// persist the order URL so a restarted process can resume it. If it throws, issuance stops.
    /// </summary>
    public Func<AcmeOrder, CancellationToken, Task>? OrderCreated { get; init; }

    /// <summary>How long cleanup may take after success, failure or cancellation (default 30 s).</summary>
    public TimeSpan CleanupTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Stages of an issuance, in order.</summary>
public enum AcmeIssuanceStage
{
    /// <summary>The order was created.</summary>
    OrderCreated,

    /// <summary>A challenge response was presented.</summary>
    ChallengePresented,

    /// <summary>An authorization became valid.</summary>
    AuthorizationValid,

    /// <summary>A challenge response was removed.</summary>
    ChallengeCleanedUp,

    /// <summary>The order became ready.</summary>
    OrderReady,

    /// <summary>The CSR was sent.</summary>
    Finalized,

    /// <summary>The order became valid.</summary>
    OrderValid,

    /// <summary>The chain was downloaded.</summary>
    CertificateDownloaded,
}

/// <summary>One progress event.</summary>
/// <param name="Stage">The stage reached.</param>
/// <param name="Identifier">The identifier, for per-authorization stages.</param>
/// <param name="Detail">A readable description.</param>
public sealed record AcmeIssuanceProgress(AcmeIssuanceStage Stage, AcmeIdentifier? Identifier, string Detail);

/// <summary>The result of an issuance: the certificate key (unless the caller brought a CSR) and the chosen chain.</summary>
public sealed class AcmeIssuedCertificate
{
    internal AcmeIssuedCertificate(string? privateKeyPem, AcmeCertificateChain chain, IReadOnlyList<AcmeCertificateChain> chains, Uri orderUri)
    {
        PrivateKeyPem = privateKeyPem;
        Chain = chain;
        AllChains = chains;
        OrderUri = orderUri;
    }

    /// <summary>The certificate key as PKCS#8 PEM; null when the caller supplied the CSR. A secret: store it with care.</summary>
    public string? PrivateKeyPem { get; }

    /// <summary>The chosen chain.</summary>
    public AcmeCertificateChain Chain { get; }

    /// <summary>The chosen chain as PEM, leaf first.</summary>
    public string ChainPem => Chain.Pem;

    /// <summary>Every chain the CA offered that passed <see cref="AcmeCertificateVerifier"/>, the default first.</summary>
    public IReadOnlyList<AcmeCertificateChain> AllChains { get; }

    /// <summary>The order URL.</summary>
    public Uri OrderUri { get; }

    /// <summary>The leaf with its private key, ready for Kestrel or SslStream (requires <see cref="PrivateKeyPem"/>).</summary>
    public X509Certificate2 LoadCertificateWithKey()
    {
        if (PrivateKeyPem is null)
        {
            throw new InvalidOperationException("The certificate was issued for a caller-supplied CSR: its key is not here.");
        }

#if NET8_0_OR_GREATER
        return X509Certificate2.CreateFromPem(Chain.Pem.AsSpan(), PrivateKeyPem.AsSpan());
#else
        using var leaf = Chain.LoadLeaf();
        var der = PemCodec.DecodeAll(PrivateKeyPem, "PRIVATE KEY")[0];
        try
        {
            if (leaf.GetECDsaPublicKey() is { } ecPublic)
            {
                ecPublic.Dispose();
                using var ec = ECDsa.Create();
                ec.ImportPkcs8PrivateKey(der, out _);
                return leaf.CopyWithPrivateKey(ec);
            }

            using var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(der, out _);
            return leaf.CopyWithPrivateKey(rsa);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
#endif
    }
}

public sealed partial class AcmeClient
{
    /// <summary>
    /// Issues a certificate: the whole of RFC 8555 section 7.1 in one call. Solves every
    /// authorization concurrently with the first solver whose type the server offers, always
    /// removes every presented token or TXT record (also on failure or cancellation), finalizes
    /// with a CSR built from a new or given key, downloads the chain and its alternates, checks
    /// them with <see cref="AcmeCertificateVerifier"/>, and returns the key and the verified chain
    /// chosen by <see cref="AcmeIssuanceRequest.PreferredChain"/>. The order must list exactly the
    /// requested identifiers and each authorization must be for one of them before any solver runs.
    /// </summary>
    /// <exception cref="AcmeConfigurationException">No identifiers or solvers, an unusable key, or a CSR that does not parse.</exception>
    /// <exception cref="AcmeCertificateMismatchException">No downloaded chain is what was ordered (another key, other names, out of order, not valid now).</exception>
    /// <exception cref="AcmeProtocolException">The server broke the protocol, e.g. an order or authorization for names not requested (<see cref="AcmeProtocolError.UnexpectedIdentifier"/>), an http URL (<see cref="AcmeProtocolError.InsecureUrl"/>) or a token outside base64url (<see cref="AcmeProtocolError.MalformedToken"/>).</exception>
    /// <exception cref="AcmeOrderException">An authorization or the order became invalid, or no solver fits; <c>Problem</c> says why.</exception>
    /// <exception cref="AcmeProblemException">The server refused a request.</exception>
    public async Task<AcmeIssuedCertificate> IssueCertificateAsync(AcmeAccount account, AcmeIssuanceRequest request, IReadOnlyList<IChallengeSolver> solvers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(solvers);
        if (request.Identifiers.Count == 0)
        {
            throw new AcmeConfigurationException("IssueCertificateAsync needs at least one identifier.");
        }

        if (solvers.Count == 0)
        {
            throw new AcmeConfigurationException("IssueCertificateAsync needs at least one challenge solver.");
        }

        using var activity = AcmeDiagnostics.ActivitySource.StartActivity("acme.issue_certificate");
        activity?.SetTag("acme.directory", DirectoryUri.AbsoluteUri);
        activity?.SetTag("acme.identifiers", string.Join(",", request.Identifiers));
        var started = _time.GetTimestamp();
        var outcome = "error";
        try
        {
            var issued = await IssueCoreAsync(account, request, solvers, cancellationToken).ConfigureAwait(false);
            outcome = "issued";
            return issued;
        }
        catch (OperationCanceledException)
        {
            outcome = "cancelled";
            throw;
        }
        finally
        {
            activity?.SetTag("acme.outcome", outcome);
            AcmeDiagnostics.Issuances.Add(1, new KeyValuePair<string, object?>("acme.outcome", outcome));
            AcmeDiagnostics.IssuanceDuration.Record(_time.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("acme.outcome", outcome));
        }
    }

    private async Task<AcmeIssuedCertificate> IssueCoreAsync(AcmeAccount account, AcmeIssuanceRequest request, IReadOnlyList<IChallengeSolver> solvers, CancellationToken cancellationToken)
    {
        // 7.4: Submit an order.
        var order = await CreateOrderAsync(
            account,
            new AcmeOrderRequest { Identifiers = request.Identifiers, NotBefore = request.NotBefore, NotAfter = request.NotAfter, Profile = request.Profile, Replaces = request.Replaces },
            cancellationToken).ConfigureAwait(false);
        Report(request, AcmeIssuanceStage.OrderCreated, null, order.Location.ToString());
        if (request.OrderCreated is { } orderCreated)
        {
            await orderCreated(order, cancellationToken).ConfigureAwait(false);
        }

        // 7.5: Fetch the authorizations and satisfy their challenges, all at once.
        await AuthorizeAllAsync(account, order, request, solvers, cancellationToken).ConfigureAwait(false);

        // 7.4: The order is ready once every authorization is valid.
        order = await WaitForOrderAsync(account, order.Location, cancellationToken).ConfigureAwait(false);
        ExpectOrderStatus(order, AcmeStatus.Ready, AcmeStatus.Valid);
        Report(request, AcmeIssuanceStage.OrderReady, null, order.Location.ToString());

        // 7.4: Finalize with a CSR, then poll until the certificate is issued.
        string? keyPem;
        byte[] certifiedKey;
        if (order.Resource.Status == AcmeStatus.Ready)
        {
            (order, keyPem, certifiedKey) = await FinalizeWithCsrAsync(account, order, request, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            throw new AcmeOrderException($"Order {order.Location} was already valid before finalization: its certificate key is unknown.", order.Location, null);
        }

        // 7.4.2: Download the certificate and its alternate chains; pick one.
        var downloaded = await DownloadCertificateAsync(account, order.Resource.Certificate!, includeAlternates: true, cancellationToken).ConfigureAwait(false);
        var chains = VerifyChains(downloaded, certifiedKey, request);
        Report(request, AcmeIssuanceStage.CertificateDownloaded, null, $"{chains.Count} chain(s)");
        var chosen = ChooseChain(chains, request.PreferredChain);
        return new AcmeIssuedCertificate(keyPem, chosen, chains, order.Location);
    }

    /// <summary>
    /// What the CA sent is checked before it is returned (<see cref="AcmeCertificateVerifier"/>):
    /// the chains that pass, the default first. An alternate that fails is dropped (and logged);
    /// when none passes, the default chain's mismatch is thrown.
    /// </summary>
    private List<AcmeCertificateChain> VerifyChains(IReadOnlyList<AcmeCertificateChain> chains, byte[] certifiedKey, AcmeIssuanceRequest request)
    {
        // A certificate asked to start later is checked at the instant it was asked to start.
        var now = _time.GetUtcNow();
        var at = request.NotBefore is { } notBefore && notBefore > now ? notBefore : now;
        var verified = new List<AcmeCertificateChain>(chains.Count);
        AcmeCertificateMismatchException? first = null;
        foreach (var chain in chains)
        {
            if (AcmeCertificateVerifier.TryVerify(chain, certifiedKey, request.Identifiers, at, AcmeCertificateVerifier.DefaultClockSkew, out var mismatch))
            {
                verified.Add(chain);
            }
            else
            {
                Log.ChainRejected(_logger, chain.Source, mismatch!.Reason, mismatch.Message);
                first ??= mismatch;
            }
        }

        return verified.Count > 0 ? verified : throw first!;
    }

    /// <summary>The chain whose top issuer matches <paramref name="preferredChain"/>, else the default (first) one.</summary>
    public static AcmeCertificateChain ChooseChain(IReadOnlyList<AcmeCertificateChain> chains, string? preferredChain)
    {
        ArgumentNullException.ThrowIfNull(chains);
        if (chains.Count == 0)
        {
            throw new ArgumentException("No chains to choose from.", nameof(chains));
        }

        return preferredChain is null ? chains[0] : chains.FirstOrDefault(c => c.IsIssuedBy(preferredChain)) ?? chains[0];
    }

    private async Task AuthorizeAllAsync(AcmeAccount account, AcmeOrder order, AcmeIssuanceRequest request, IReadOnlyList<IChallengeSolver> solvers, CancellationToken cancellationToken)
    {
        // The first failure cancels the others; each still cleans up what it presented.
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = order.Resource.Authorizations
            .Select(async url =>
            {
                try
                {
                    await AuthorizeOneAsync(account, order, url, request, solvers, failFast.Token).ConfigureAwait(false);
                }
                catch
                {
                    failFast.Cancel();
                    throw;
                }
            })
            .ToList();
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A sibling failed and cancelled this one: surface the sibling's error, not the cancellation.
            var failure = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
            }

            throw;
        }
    }

    private async Task AuthorizeOneAsync(AcmeAccount account, AcmeOrder order, Uri authorizationUrl, AcmeIssuanceRequest request, IReadOnlyList<IChallengeSolver> solvers, CancellationToken cancellationToken)
    {
        var authorization = await GetAuthorizationAsync(account, authorizationUrl, cancellationToken).ConfigureAwait(false);
        var identifier = authorization.Resource.Identifier;
        ExpectOrderedIdentifier(order, authorization);
        if (authorization.Resource.Status == AcmeStatus.Valid)
        {
            Log.AuthorizationStage(_logger, identifier.ToString(), "already valid");
            Report(request, AcmeIssuanceStage.AuthorizationValid, identifier, "already valid (reused)");
            return;
        }

        if (authorization.Resource.Status != AcmeStatus.Pending)
        {
            throw new AcmeOrderException($"The authorization for {identifier} is '{authorization.Resource.Status}', not pending.", order.Location, FirstChallengeError(authorization.Resource));
        }

        var offered = authorization.Resource.Challenges;
        var (solver, challenge) = solvers
            .SelectMany(s => offered.Where(c => c.Type == s.ChallengeType).Select(c => (Solver: s, Challenge: c)))
            .FirstOrDefault();
        if (solver is null)
        {
            throw new AcmeOrderException(
                $"No solver for {identifier}{(authorization.Resource.Wildcard == true ? " (wildcard)" : string.Empty)}: the server offers [{string.Join(", ", offered.Select(c => c.Type))}], the solvers answer [{string.Join(", ", solvers.Select(s => s.ChallengeType))}].",
                order.Location,
                null);
        }

        if (string.IsNullOrEmpty(challenge.Token))
        {
            throw new AcmeProtocolException(AcmeProtocolError.MalformedJson, authorizationUrl, $"The {challenge.Type} challenge has no token");
        }

        // Section 8.3: a token is base64url; anything else (a '/', a '..') never reaches a solver or a token store.
        if (!AcmeChallengeResource.IsWellFormedToken(challenge.Token) || challenge.Token!.Length < AcmeChallengeResource.MinTokenLength)
        {
            throw new AcmeProtocolException(
                AcmeProtocolError.MalformedToken,
                authorizationUrl,
                $"The {challenge.Type} challenge token '{IdentifierKeys.Printable(challenge.Token)}' is not base64url of {AcmeChallengeResource.MinTokenLength} to {AcmeChallengeResource.MaxTokenLength} characters (RFC 8555 section 8.3)");
        }

        var context = new AcmeChallengeContext(identifier, authorization, challenge, GetKeyAuthorization(account.Key, challenge.Token!));
        try
        {
            await solver.PresentAsync(context, cancellationToken).ConfigureAwait(false);
            Log.AuthorizationStage(_logger, identifier.ToString(), challenge.Type + " presented");
            Report(request, AcmeIssuanceStage.ChallengePresented, identifier, challenge.Type);

            // 7.5.1: respond, then poll the authorization.
            await RespondToChallengeAsync(account, challenge, cancellationToken).ConfigureAwait(false);
            var result = await WaitForAuthorizationAsync(account, authorizationUrl, cancellationToken).ConfigureAwait(false);
            if (result.Resource.Status != AcmeStatus.Valid)
            {
                var problem = result.Resource.Challenges.FirstOrDefault(c => c.Type == challenge.Type)?.Error ?? FirstChallengeError(result.Resource);
                throw new AcmeOrderException(
                    $"The {challenge.Type} challenge for {identifier} failed: authorization is '{result.Resource.Status}'" + (problem is null ? "." : $": {problem.Type}: {problem.Detail}"),
                    order.Location,
                    problem);
            }

            Log.AuthorizationStage(_logger, identifier.ToString(), "valid");
            Report(request, AcmeIssuanceStage.AuthorizationValid, identifier, challenge.Type);
        }
        finally
        {
            // Always clean up, with its own time budget: the caller's token may be cancelled already.
            using var cleanup = new CancellationTokenSource(request.CleanupTimeout);
            try
            {
                await solver.CleanupAsync(context, cleanup.Token).ConfigureAwait(false);
                Report(request, AcmeIssuanceStage.ChallengeCleanedUp, identifier, challenge.Type);
            }
#pragma warning disable CA1031 // A failed cleanup is logged; it must not hide the issuance's own outcome.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.CleanupFailed(_logger, ex, challenge.Type, identifier.ToString());
            }
        }
    }

    private async Task<(AcmeOrder Order, string? KeyPem, byte[] CertifiedKey)> FinalizeWithCsrAsync(AcmeAccount account, AcmeOrder order, AcmeIssuanceRequest request, CancellationToken cancellationToken)
    {
        AsymmetricAlgorithm? generated = null;
        string? keyPem = null;
        byte[] csr;
        byte[] certifiedKey;
        try
        {
            if (request.Csr is { } given)
            {
                csr = given.ToArray();
                certifiedKey = AcmeCertificateVerifier.GetCsrSubjectPublicKeyInfo(csr);
            }
            else
            {
                var key = request.CertificateKey ?? (generated = CreateCertificateKey(request.KeyType));
                csr = CsrBuilder.Build(key, request.Identifiers);
                certifiedKey = key.ExportSubjectPublicKeyInfo();
                var pkcs8 = key.ExportPkcs8PrivateKey();
                try
                {
                    keyPem = PemCodec.Encode("PRIVATE KEY", pkcs8);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(pkcs8);
                }
            }
        }
        finally
        {
            generated?.Dispose();
        }

        var finalized = await FinalizeOrderAsync(account, order, csr, cancellationToken).ConfigureAwait(false);
        Report(request, AcmeIssuanceStage.Finalized, null, order.Location.ToString());
        Log.OrderStage(_logger, order.Location, "finalized");
        if (finalized.Resource.Status != AcmeStatus.Valid)
        {
            finalized = await WaitForOrderAsync(account, order.Location, cancellationToken).ConfigureAwait(false);
        }

        ExpectOrderStatus(finalized, AcmeStatus.Valid);
        Report(request, AcmeIssuanceStage.OrderValid, null, order.Location.ToString());
        Log.OrderStage(_logger, order.Location, "valid");
        return (finalized, keyPem, certifiedKey);
    }

    /// <summary>A new certificate key of the given type.</summary>
    public static AsymmetricAlgorithm CreateCertificateKey(AcmeCertificateKeyType keyType) => keyType switch
    {
        AcmeCertificateKeyType.EcP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        AcmeCertificateKeyType.EcP384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        AcmeCertificateKeyType.Rsa2048 => RSA.Create(2048),
        AcmeCertificateKeyType.Rsa3072 => RSA.Create(3072),
        AcmeCertificateKeyType.Rsa4096 => RSA.Create(4096),
        _ => throw new AcmeConfigurationException($"Unknown certificate key type {keyType}."),
    };

    private static void ExpectOrderStatus(AcmeOrder order, params string[] expected)
    {
        if (Array.IndexOf(expected, order.Resource.Status) < 0)
        {
            var problem = order.Resource.Error;
            throw new AcmeOrderException(
                $"Order {order.Location} is '{order.Resource.Status}', expected {string.Join(" or ", expected)}" + (problem is null ? "." : $": {problem.Type}: {problem.Detail}"),
                order.Location,
                problem);
        }
    }

    /// <summary>
    /// An authorization belongs to one of the order's identifiers (section 7.1.4: for a wildcard the
    /// identifier is the base name and <c>wildcard</c> is true); otherwise no solver may see it.
    /// </summary>
    private static void ExpectOrderedIdentifier(AcmeOrder order, AcmeAuthorization authorization)
    {
        var resource = authorization.Resource;
        var identifier = resource.Wildcard == true ? resource.Identifier with { Value = "*." + resource.Identifier.Value } : resource.Identifier;
        var key = IdentifierKeys.Of(identifier);
        var ordered = IdentifierKeys.SetOf(order.Resource.Identifiers);
        if (!ordered.Contains(key))
        {
            throw new AcmeProtocolException(
                AcmeProtocolError.UnexpectedIdentifier,
                authorization.Location,
                $"The authorization {authorization.Location} is for {IdentifierKeys.Printable(key)}{(resource.Wildcard == true ? " (wildcard)" : string.Empty)}, which order {order.Location} does not list {IdentifierKeys.Describe(ordered)}");
        }
    }

    private static AcmeProblem? FirstChallengeError(AcmeAuthorizationResource authorization) =>
        authorization.Challenges.Select(c => c.Error).FirstOrDefault(e => e is not null);

    private static void Report(AcmeIssuanceRequest request, AcmeIssuanceStage stage, AcmeIdentifier? identifier, string detail) =>
        request.Progress?.Report(new AcmeIssuanceProgress(stage, identifier, detail));
}

/// <summary>Builds the PKCS#10 request sent at finalization.</summary>
public static class CsrBuilder
{
    /// <summary>
    /// A CSR signed by <paramref name="key"/> (ECDSA or RSA) with every identifier in
    /// subjectAltName and, when it fits in 64 characters, the first DNS name as subject CN.
    /// </summary>
    /// <exception cref="AcmeConfigurationException">An unsupported key, or no identifiers.</exception>
    public static byte[] Build(AsymmetricAlgorithm key, IReadOnlyList<AcmeIdentifier> identifiers)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(identifiers);
        if (identifiers.Count == 0)
        {
            throw new AcmeConfigurationException("A CSR needs at least one identifier.");
        }

        var commonName = identifiers.FirstOrDefault(i => i.Type == AcmeIdentifier.DnsType && i.Value.Length <= 64)?.Value;
        var subject = commonName is null ? new X500DistinguishedName(string.Empty) : new X500DistinguishedName("CN=" + commonName);
        CertificateRequest request = key switch
        {
            ECDsa ec => new CertificateRequest(subject, ec, ec.KeySize switch { 384 => HashAlgorithmName.SHA384, 521 => HashAlgorithmName.SHA512, _ => HashAlgorithmName.SHA256 }),
            RSA rsa when rsa.KeySize >= 2048 => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            RSA rsa => throw new AcmeConfigurationException($"RSA certificate keys must have at least 2048 bits; this one has {rsa.KeySize}."),
            _ => throw new AcmeConfigurationException($"Certificate keys must be ECDSA or RSA, not {key.GetType().Name}."),
        };
        var san = new SubjectAlternativeNameBuilder();
        foreach (var identifier in identifiers)
        {
            if (identifier.Type == AcmeIdentifier.IpType)
            {
                san.AddIpAddress(IPAddress.Parse(identifier.Value));
            }
            else
            {
                san.AddDnsName(identifier.Value);
            }
        }

        // RFC 5280 section 4.2.1.6: with an empty subject, subjectAltName is critical.
        request.CertificateExtensions.Add(san.Build(critical: commonName is null));
        return request.CreateSigningRequest();
    }
}
