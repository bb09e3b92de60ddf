using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Pki.Acme.Internal;

namespace Pki.Acme;

/// <summary>
/// The porcelain over <see cref="AcmeClient"/>: issues a certificate in one call, running RFC 8555
/// section 7.1 as its stages (order, authorizations, finalize, download), each a small method below.
/// Thread-safe and stateless apart from the client: one instance can run many issuances at once,
/// for any account of the client's CA. The client stays the caller's (it is not disposed here).
/// </summary>
public sealed class AcmeCertificateIssuer
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates the issuer over <paramref name="client"/>, logging to <paramref name="logger"/> or, when null, to the client's logger; time (for polling and verification) is the client's.</summary>
    public AcmeCertificateIssuer(AcmeClient client, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        Client = client;
        _logger = logger ?? client.Logger;
        _time = client.Time;
    }

    /// <summary>The protocol client every request goes through; use it for what the issuer does not do (revocation, account changes).</summary>
    public AcmeClient Client { get; }

    /// <summary>
    /// Issues a certificate: the whole of RFC 8555 section 7.1 in one call. Solves every
    /// authorization concurrently with the first solver whose type the server offers, always
    /// removes every presented token or TXT record (also on failure or cancellation), finalizes
    /// with a CSR built from a new or given key, downloads the chain and its alternates, checks
    /// them with <see cref="AcmeCertificateVerifier"/>, and returns the key and the verified chain
    /// chosen by <see cref="AcmeIssuanceRequest.PreferredChain"/>. The order must list exactly the
    /// requested identifiers and each authorization must be for one of them before any solver runs.
    /// With <see cref="AcmeIssuanceRequest.Replaces"/>, a CA that refuses the <c>replaces</c> value
    /// (RFC 9773 section 5) gets the order once more without it.
    /// </summary>
    /// <param name="account">The account that orders (from <see cref="AcmeClient.CreateAccountAsync"/> of <see cref="Client"/>).</param>
    /// <param name="request">What to issue.</param>
    /// <param name="solvers">The challenge solvers, in order of preference; each authorization uses the first one whose type the server offers.</param>
    /// <param name="cancellationToken">Cancels the issuance; presented challenges are still cleaned up, within <see cref="AcmeIssuanceRequest.CleanupTimeout"/>.</param>
    /// <exception cref="AcmeConfigurationException">No identifiers or solvers, an unusable key, or a CSR that does not parse.</exception>
    /// <exception cref="AcmeCertificateMismatchException">No downloaded chain is what was ordered (another key, other names, out of order, not valid now).</exception>
    /// <exception cref="AcmeProtocolException">The server broke the protocol, e.g. an order or authorization for names not requested (<see cref="AcmeProtocolError.UnexpectedIdentifier"/>), an http URL (<see cref="AcmeProtocolError.InsecureUrl"/>) or a token outside base64url (<see cref="AcmeProtocolError.MalformedToken"/>).</exception>
    /// <exception cref="AcmeOrderException">An authorization or the order became invalid, or no solver fits; <c>Problem</c> says why.</exception>
    /// <exception cref="AcmeProblemException">The server refused a request.</exception>
    public async Task<AcmeIssuedCertificate> IssueAsync(AcmeAccount account, AcmeIssuanceRequest request, IReadOnlyList<IChallengeSolver> solvers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(solvers);
        if (request.Identifiers.Count == 0)
        {
            throw new AcmeConfigurationException("IssueAsync needs at least one identifier.");
        }

        if (solvers.Count == 0)
        {
            throw new AcmeConfigurationException("IssueAsync needs at least one challenge solver.");
        }

        using var activity = AcmeDiagnostics.ActivitySource.StartActivity("acme.issue_certificate");
        activity?.SetTag("acme.directory", Client.DirectoryUri.AbsoluteUri);
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

    /// <summary>A new certificate key of the given type; the caller owns (disposes) it.</summary>
    /// <exception cref="AcmeConfigurationException">An undefined <paramref name="keyType"/>.</exception>
    public static AsymmetricAlgorithm CreateCertificateKey(AcmeCertificateKeyType keyType) => keyType switch
    {
        AcmeCertificateKeyType.EcP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        AcmeCertificateKeyType.EcP384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        AcmeCertificateKeyType.Rsa2048 => RSA.Create(2048),
        AcmeCertificateKeyType.Rsa3072 => RSA.Create(3072),
        AcmeCertificateKeyType.Rsa4096 => RSA.Create(4096),
        _ => throw new AcmeConfigurationException($"Unknown certificate key type {keyType}."),
    };

    /// <summary>
    /// The chain whose topmost certificate is issued by (or is) <paramref name="preferredChain"/>
    /// (a common name), else the default, first one; null <paramref name="preferredChain"/> means the default.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="chains"/> is empty.</exception>
    public static AcmeCertificateChain ChooseChain(IReadOnlyList<AcmeCertificateChain> chains, string? preferredChain)
    {
        ArgumentNullException.ThrowIfNull(chains);
        if (chains.Count == 0)
        {
            throw new ArgumentException("No chains to choose from.", nameof(chains));
        }

        return preferredChain is null ? chains[0] : chains.FirstOrDefault(c => c.IsIssuedBy(preferredChain)) ?? chains[0];
    }

    private async Task<AcmeIssuedCertificate> IssueCoreAsync(AcmeAccount account, AcmeIssuanceRequest request, IReadOnlyList<IChallengeSolver> solvers, CancellationToken cancellationToken)
    {
        // 7.4: Submit an order.
        var order = await CreateOrderAsync(account, request, cancellationToken).ConfigureAwait(false);
        Report(request, AcmeIssuanceStage.OrderCreated, null, order.Location.ToString());
        if (request.OrderCreated is { } orderCreated)
        {
            await orderCreated(order, cancellationToken).ConfigureAwait(false);
        }

        // 7.5: Fetch the authorizations and satisfy their challenges, all at once.
        await AuthorizeAllAsync(account, order, request, solvers, cancellationToken).ConfigureAwait(false);

        // 7.4: The order is ready once every authorization is valid.
        order = await Client.WaitForOrderAsync(account, order.Location, cancellationToken).ConfigureAwait(false);
        ExpectOrderStatus(order, AcmeStatus.Ready, AcmeStatus.Valid);
        Report(request, AcmeIssuanceStage.OrderReady, null, order.Location.ToString());
        if (order.Resource.Status != AcmeStatus.Ready)
        {
            throw new AcmeOrderException($"Order {order.Location} was already valid before finalization: its certificate key is unknown.", order.Location, null);
        }

        // 7.4: Finalize with a CSR, then poll until the certificate is issued.
        (order, var keyPem, var certifiedKey) = await FinalizeWithCsrAsync(account, order, request, cancellationToken).ConfigureAwait(false);

        // 7.4.2: Download the certificate and its alternate chains; verify them and pick one.
        var downloaded = await Client.DownloadCertificateAsync(account, order.Resource.Certificate!, includeAlternates: true, cancellationToken).ConfigureAwait(false);
        var chains = VerifyChains(downloaded, certifiedKey, request);
        Report(request, AcmeIssuanceStage.CertificateDownloaded, null, $"{chains.Count} chain(s)");
        var chosen = ChooseChain(chains, request.PreferredChain);
        return new AcmeIssuedCertificate(keyPem, chosen, chains, order.Location);
    }

    /// <summary>
    /// Section 7.4 newOrder, with RFC 9773 section 5's way out: a CA may refuse <c>replaces</c>
    /// (the certificate was replaced already, or is not this account's); the order is then placed
    /// once more without it, so a renewal never fails for the hint alone.
    /// </summary>
    private async Task<AcmeOrder> CreateOrderAsync(AcmeAccount account, AcmeIssuanceRequest request, CancellationToken cancellationToken)
    {
        var order = new AcmeOrderRequest { Identifiers = request.Identifiers, NotBefore = request.NotBefore, NotAfter = request.NotAfter, Profile = request.Profile, Replaces = request.Replaces };
        try
        {
            return await Client.CreateOrderAsync(account, order, cancellationToken).ConfigureAwait(false);
        }
        catch (AcmeProblemException ex) when (request.Replaces is not null && IsReplacesRefusal(ex))
        {
            Log.ReplacesRefused(_logger, request.Replaces, ex.Type, ex.Problem.Detail ?? string.Empty);
            return await Client.CreateOrderAsync(account, order with { Replaces = null }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The answers RFC 9773 section 5 allows for a <c>replaces</c> the CA will not honour: <c>alreadyReplaced</c>, a 409 <c>malformed</c>, or a 403 that names the replaced certificate.</summary>
    private static bool IsReplacesRefusal(AcmeProblemException problem) =>
        problem.Type == AcmeProblemTypes.AlreadyReplaced
        || (problem.StatusCode == HttpStatusCode.Conflict && problem.Type == AcmeProblemTypes.Malformed)
        || (problem.StatusCode == HttpStatusCode.Forbidden && (problem.Problem.Detail ?? string.Empty).Contains("replace", StringComparison.OrdinalIgnoreCase));

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
        var authorization = await Client.GetAuthorizationAsync(account, authorizationUrl, cancellationToken).ConfigureAwait(false);
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

        var (solver, challenge) = ChooseSolver(order, authorization, solvers);
        var context = new AcmeChallengeContext(identifier, authorization, challenge, AcmeKeyAuthorization.Compute(account.Key, challenge.Token!));
        try
        {
            await solver.PresentAsync(context, cancellationToken).ConfigureAwait(false);
            Log.AuthorizationStage(_logger, identifier.ToString(), challenge.Type + " presented");
            Report(request, AcmeIssuanceStage.ChallengePresented, identifier, challenge.Type);

            // 7.5.1: respond, then poll the authorization.
            await Client.RespondToChallengeAsync(account, challenge, cancellationToken).ConfigureAwait(false);
            var result = await Client.WaitForAuthorizationAsync(account, authorizationUrl, cancellationToken).ConfigureAwait(false);
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
            await CleanupAsync(solver, context, request).ConfigureAwait(false);
        }
    }

    /// <summary>The first solver, in the caller's order, whose type the authorization offers; the token is checked before any solver sees it.</summary>
    private static (IChallengeSolver Solver, AcmeChallengeResource Challenge) ChooseSolver(AcmeOrder order, AcmeAuthorization authorization, IReadOnlyList<IChallengeSolver> solvers)
    {
        var identifier = authorization.Resource.Identifier;
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
            throw new AcmeProtocolException(AcmeProtocolError.MalformedJson, authorization.Location, $"The {challenge.Type} challenge has no token");
        }

        // Section 8.3: a token is base64url; anything else (a '/', a '..') never reaches a solver or a token store.
        if (!AcmeChallengeResource.IsWellFormedToken(challenge.Token) || challenge.Token!.Length < AcmeChallengeResource.MinTokenLength)
        {
            throw new AcmeProtocolException(
                AcmeProtocolError.MalformedToken,
                authorization.Location,
                $"The {challenge.Type} challenge token '{IdentifierKeys.Printable(challenge.Token)}' is not base64url of {AcmeChallengeResource.MinTokenLength} to {AcmeChallengeResource.MaxTokenLength} characters (RFC 8555 section 8.3)");
        }

        return (solver, challenge);
    }

    /// <summary>Always cleans up, with its own time budget: the caller's token may be cancelled already. A failure is logged, never thrown over the issuance's own outcome.</summary>
    private async Task CleanupAsync(IChallengeSolver solver, AcmeChallengeContext context, AcmeIssuanceRequest request)
    {
        using var cleanup = new CancellationTokenSource(request.CleanupTimeout);
        try
        {
            await solver.CleanupAsync(context, cleanup.Token).ConfigureAwait(false);
            Report(request, AcmeIssuanceStage.ChallengeCleanedUp, context.Identifier, context.Challenge.Type);
        }
#pragma warning disable CA1031 // A failed cleanup is logged; it must not hide the issuance's own outcome.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.CleanupFailed(_logger, ex, context.Challenge.Type, context.Identifier.ToString());
        }
    }

    private async Task<(AcmeOrder Order, string? KeyPem, byte[] CertifiedKey)> FinalizeWithCsrAsync(AcmeAccount account, AcmeOrder order, AcmeIssuanceRequest request, CancellationToken cancellationToken)
    {
        var (csr, keyPem, certifiedKey) = BuildCsr(request);
        var finalized = await Client.FinalizeOrderAsync(account, order, csr, cancellationToken).ConfigureAwait(false);
        Report(request, AcmeIssuanceStage.Finalized, null, order.Location.ToString());
        Log.OrderStage(_logger, order.Location, "finalized");
        if (finalized.Resource.Status != AcmeStatus.Valid)
        {
            finalized = await Client.WaitForOrderAsync(account, order.Location, cancellationToken).ConfigureAwait(false);
        }

        ExpectOrderStatus(finalized, AcmeStatus.Valid);
        Report(request, AcmeIssuanceStage.OrderValid, null, order.Location.ToString());
        Log.OrderStage(_logger, order.Location, "valid");
        return (finalized, keyPem, certifiedKey);
    }

    /// <summary>The CSR to send, the key as PKCS#8 PEM (null for a caller's CSR) and the SubjectPublicKeyInfo the certificate must certify.</summary>
    private static (byte[] Csr, string? KeyPem, byte[] CertifiedKey) BuildCsr(AcmeIssuanceRequest request)
    {
        if (request.Csr is { } given)
        {
            var csr = given.ToArray();
            return (csr, null, AcmeCertificateVerifier.GetCsrSubjectPublicKeyInfo(csr));
        }

        AsymmetricAlgorithm? generated = null;
        try
        {
            var key = request.CertificateKey ?? (generated = CreateCertificateKey(request.KeyType));
            var csr = CsrBuilder.Build(key, request.Identifiers);
            return (csr, PrivateKeyCodec.ExportPem(key), key.ExportSubjectPublicKeyInfo());
        }
        finally
        {
            generated?.Dispose();
        }
    }

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
