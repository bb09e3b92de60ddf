using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pki.Acme.Internal;

namespace Pki.Acme;

/// <summary>
/// The RFC 8555 plumbing: one method per protocol request (directory, nonces, accounts, orders,
/// authorizations, challenges, finalize, download, revocation) plus the polls that wait on a
/// resource, each checking what the server sent. <see cref="AcmeCertificateIssuer"/> runs the whole
/// section 7.1 flow over it. Thread-safe: one instance can serve many accounts and concurrent
/// orders; nonces are pooled across them. It does not own the <see cref="HttpClient"/>.
/// </summary>
public sealed class AcmeClient
{
    private readonly AcmeClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly AcmeTransport _transport;
    private Task<AcmeDirectory>? _directory;

    /// <summary>Creates a client (the DI constructor; <c>services.AddAcmeClient</c> in Pki.Acme.Management registers it as a typed <c>IHttpClientFactory</c> client).</summary>
    [ActivatorUtilitiesConstructor]
    public AcmeClient(HttpClient httpClient, IOptions<AcmeClientOptions> options, ILogger<AcmeClient> logger, TimeProvider timeProvider)
        : this(httpClient, options?.Value!, logger, timeProvider)
    {
    }

    /// <summary>Creates a client; it does no I/O until the first call (the directory is fetched then and cached).</summary>
    /// <param name="httpClient">The HTTP client; bring your own handler (proxies, pinning). Its lifetime stays with the caller.</param>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="logger">Progress and protocol exchanges (never key material).</param>
    /// <param name="timeProvider">Time for polling and Retry-After; the system clock when null.</param>
    /// <exception cref="AcmeConfigurationException">The options cannot work (e.g. a non-https directory).</exception>
    public AcmeClient(HttpClient httpClient, AcmeClientOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _transport = new AcmeTransport(httpClient, options, _logger, _time);
    }

    /// <summary>The directory URL this client talks to.</summary>
    public Uri DirectoryUri => _options.DirectoryUri!;

    /// <summary>Nonces held for reuse (tests and benchmarks).</summary>
    internal int PooledNonces => _transport.PooledNonces;

    /// <summary>The logger given at construction; <see cref="AcmeCertificateIssuer"/> logs its stages there by default.</summary>
    internal ILogger Logger => _logger;

    /// <summary>The clock for polling and Retry-After; <see cref="AcmeCertificateIssuer"/> verifies certificates on it too.</summary>
    internal TimeProvider Time => _time;

    // ---------------------------------------------------------------- Directory (section 7.1.1)

    /// <summary>Fetches the directory once and caches it (section 7.1.1).</summary>
    /// <exception cref="AcmeProtocolException">The directory is not the JSON object RFC 8555 requires.</exception>
    public async Task<AcmeDirectory> GetDirectoryAsync(CancellationToken cancellationToken = default)
    {
        // One fetch shared by concurrent callers; a failed fetch is forgotten so the next call tries again.
        var task = Volatile.Read(ref _directory);
        if (task is null)
        {
            var fetch = FetchDirectoryAsync(cancellationToken);
            task = Interlocked.CompareExchange(ref _directory, fetch, null) ?? fetch;
        }

        try
        {
            return await task.ConfigureAwait(false);
        }
        catch
        {
            _ = Interlocked.CompareExchange(ref _directory, null, task);
            throw;
        }
    }

    private async Task<AcmeDirectory> FetchDirectoryAsync(CancellationToken cancellationToken)
    {
        var response = await _transport.GetAsync(DirectoryUri, cancellationToken).ConfigureAwait(false);
        var directory = AcmeTransport.ReadJson(response, AcmeJsonContext.Default.AcmeDirectory);
        foreach (var (name, url) in new[] { ("newNonce", directory.NewNonce), ("newAccount", directory.NewAccount), ("newOrder", directory.NewOrder), ("revokeCert", directory.RevokeCert), ("keyChange", directory.KeyChange) })
        {
            RequireUrl(url, name, DirectoryUri);
        }

        // Optional operations are checked when present: renewalInfo is polled (RFC 9773), newAuthz posted to.
        foreach (var (name, url) in new[] { ("newAuthz", directory.NewAuthz), ("renewalInfo", directory.RenewalInfo) })
        {
            if (url is not null)
            {
                RequireUrl(url, name, DirectoryUri);
            }
        }

        return directory;
    }

    private void RequireUrl(Uri? url, string member, Uri source)
    {
        if (url is null)
        {
            throw new AcmeProtocolException(AcmeProtocolError.MalformedJson, source, $"The '{member}' URL is missing");
        }

        if (!url.IsAbsoluteUri)
        {
            throw new AcmeProtocolException(AcmeProtocolError.MalformedJson, source, $"The '{member}' URL '{url}' is not an absolute https URL");
        }

        _transport.RequireSecureUrl(url, $"'{member}'", source);
    }

    // ---------------------------------------------------------------- Accounts (section 7.3)

    /// <summary>
    /// Creates an account for <paramref name="key"/>, or returns the existing one for that key
    /// (section 7.3). With <see cref="AcmeNewAccountRequest.ExternalAccountBinding"/> the request
    /// carries the EAB JWS (section 7.3.4).
    /// </summary>
    /// <exception cref="AcmeProblemException">The server refused, e.g. <c>externalAccountRequired</c> or <c>invalidContact</c>.</exception>
    public async Task<AcmeAccount> CreateAccountAsync(AcmeKey key, AcmeNewAccountRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(request);
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        JsonElement? eab = null;
        if (request.ExternalAccountBinding is { } binding)
        {
            var jws = JwsWriter.SignExternalAccountBinding(binding.KeyId, binding.MacKey, directory.NewAccount!, key.JwkJson.Span);
            using var document = JsonDocument.Parse(jws);
            eab = document.RootElement.Clone();
        }

        var payload = JsonSerializer.SerializeToUtf8Bytes(
            new NewAccountPayload
            {
                Contact = request.Contacts.Count > 0 ? request.Contacts : null,
                TermsOfServiceAgreed = request.TermsOfServiceAgreed ? true : null,
                ExternalAccountBinding = eab,
            },
            AcmeJsonContext.Default.NewAccountPayload);
        return await PostNewAccountAsync(key, directory, payload, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finds the existing account of <paramref name="key"/> without creating one (<c>onlyReturnExisting</c>, section 7.3.1).</summary>
    /// <exception cref="AcmeProblemException">With type <c>accountDoesNotExist</c> when the key has no account.</exception>
    public async Task<AcmeAccount> FindAccountAsync(AcmeKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        var payload = JsonSerializer.SerializeToUtf8Bytes(new NewAccountPayload { OnlyReturnExisting = true }, AcmeJsonContext.Default.NewAccountPayload);
        return await PostNewAccountAsync(key, directory, payload, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AcmeAccount> PostNewAccountAsync(AcmeKey key, AcmeDirectory directory, byte[] payload, CancellationToken cancellationToken)
    {
        var response = await _transport.PostAsync(directory.NewAccount!, key, kid: null, payload, postAsGet: false, directory.NewNonce!, cancellationToken).ConfigureAwait(false);
        ExpectStatus(response, HttpStatusCode.OK, HttpStatusCode.Created);
        var location = response.Location ?? throw new AcmeProtocolException(AcmeProtocolError.MissingLocation, response.RequestUri, "The newAccount response has no Location header (the account URL)");
        var resource = ReadAccount(response);
        Log.Account(_logger, location, resource.Status);
        return new AcmeAccount(location, key, resource);
    }

    /// <summary>Fetches the account object again (POST-as-GET).</summary>
    public async Task<AcmeAccount> GetAccountAsync(AcmeAccount account, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        var response = await PostAsGetAsync(account, account.Location, cancellationToken).ConfigureAwait(false);
        return account with { Resource = ReadAccount(response) };
    }

    /// <summary>Replaces the account's contacts (section 7.3.2).</summary>
    public Task<AcmeAccount> UpdateAccountAsync(AcmeAccount account, IReadOnlyList<string> contacts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        return UpdateAccountCoreAsync(account, new UpdateAccountPayload { Contact = contacts }, cancellationToken);
    }

    /// <summary>Deactivates the account (section 7.3.6). The server refuses every later request signed by it with <c>unauthorized</c>.</summary>
    public Task<AcmeAccount> DeactivateAccountAsync(AcmeAccount account, CancellationToken cancellationToken = default) =>
        UpdateAccountCoreAsync(account, new UpdateAccountPayload { Status = AcmeStatus.Deactivated }, cancellationToken);

    private async Task<AcmeAccount> UpdateAccountCoreAsync(AcmeAccount account, UpdateAccountPayload update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        var payload = JsonSerializer.SerializeToUtf8Bytes(update, AcmeJsonContext.Default.UpdateAccountPayload);
        var response = await PostAsync(account, account.Location, payload, cancellationToken).ConfigureAwait(false);
        var resource = ReadAccount(response);
        Log.Account(_logger, account.Location, resource.Status);
        return account with { Resource = resource };
    }

    /// <summary>
    /// Rolls the account over to <paramref name="newKey"/> (section 7.3.5): an inner JWS signed by
    /// the new key inside an outer one signed by the old key. Returns the account with the new key;
    /// the old key is no longer accepted.
    /// </summary>
    public async Task<AcmeAccount> ChangeAccountKeyAsync(AcmeAccount account, AcmeKey newKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(newKey);
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        using var oldJwk = JsonDocument.Parse(account.Key.JwkJson);
        var innerPayload = JsonSerializer.SerializeToUtf8Bytes(
            new KeyChangePayload { Account = account.Location.AbsoluteUri, OldKey = oldJwk.RootElement },
            AcmeJsonContext.Default.KeyChangePayload);

        // The inner JWS has "jwk" (the new key) and "url", and no nonce.
        var inner = JwsWriter.Sign(newKey, kid: null, nonce: null, directory.KeyChange!, innerPayload);
        var response = await _transport.PostAsync(directory.KeyChange!, account.Key, account.Location.AbsoluteUri, inner, postAsGet: false, directory.NewNonce!, cancellationToken).ConfigureAwait(false);
        ExpectStatus(response, HttpStatusCode.OK, HttpStatusCode.NoContent);
        return account with { Key = newKey };
    }

    // ---------------------------------------------------------------- Orders (section 7.4)

    /// <summary>Places a new order (section 7.4).</summary>
    /// <exception cref="AcmeConfigurationException">No identifiers, or a profile the directory does not offer.</exception>
    /// <exception cref="AcmeProblemException">The server refused the order (e.g. <c>rejectedIdentifier</c>, <c>rateLimited</c>).</exception>
    /// <exception cref="AcmeProtocolException">E.g. the new order does not list exactly the requested identifiers (<see cref="AcmeProtocolError.UnexpectedIdentifier"/>), or its URLs are not https (<see cref="AcmeProtocolError.InsecureUrl"/>).</exception>
    public async Task<AcmeOrder> CreateOrderAsync(AcmeAccount account, AcmeOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Identifiers.Count == 0)
        {
            throw new AcmeConfigurationException("An order needs at least one identifier.");
        }

        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        if (request.Profile is { } profile && directory.Meta?.Profiles?.ContainsKey(profile) != true)
        {
            var offered = directory.Meta?.Profiles is { Count: > 0 } profiles ? string.Join(", ", profiles.Keys) : "none";
            throw new AcmeConfigurationException($"Profile '{profile}' is not offered by {DirectoryUri} (offered: {offered}).");
        }

        var payload = JsonSerializer.SerializeToUtf8Bytes(
            new NewOrderPayload
            {
                Identifiers = request.Identifiers,
                NotBefore = request.NotBefore?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                NotAfter = request.NotAfter?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                Profile = request.Profile,
                Replaces = request.Replaces,
            },
            AcmeJsonContext.Default.NewOrderPayload);
        var response = await PostAsync(account, directory.NewOrder!, payload, cancellationToken).ConfigureAwait(false);
        ExpectStatus(response, HttpStatusCode.Created, HttpStatusCode.OK);
        var location = response.Location ?? throw new AcmeProtocolException(AcmeProtocolError.MissingLocation, response.RequestUri, "The newOrder response has no Location header (the order URL)");
        var order = new AcmeOrder(location, ReadOrder(response), response.RetryAfter);

        // Section 7.4: the order's identifiers are those of the request. An order for other names
        // would have the solvers publish for, and the CSR ask for, names nobody requested.
        var requested = IdentifierKeys.SetOf(request.Identifiers);
        var listed = IdentifierKeys.SetOf(order.Resource.Identifiers);
        if (!requested.SetEquals(listed))
        {
            throw new AcmeProtocolException(
                AcmeProtocolError.UnexpectedIdentifier,
                response.RequestUri,
                $"The new order {location} lists the identifiers {IdentifierKeys.Describe(listed.Select(k => IdentifierKeys.Printable(k)))}, but {IdentifierKeys.Describe(requested)} were requested");
        }

        Log.OrderCreated(_logger, location, string.Join(", ", request.Identifiers));
        return order;
    }

    /// <summary>Fetches an order (POST-as-GET, section 7.4); its identifiers and URLs are checked as on creation.</summary>
    public async Task<AcmeOrder> GetOrderAsync(AcmeAccount account, Uri orderUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orderUrl);
        var response = await PostAsGetAsync(account, orderUrl, cancellationToken).ConfigureAwait(false);
        return new AcmeOrder(orderUrl, ReadOrder(response), response.RetryAfter);
    }

    /// <summary>Fetches an authorization (POST-as-GET, section 7.5).</summary>
    public async Task<AcmeAuthorization> GetAuthorizationAsync(AcmeAccount account, Uri authorizationUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(authorizationUrl);
        var response = await PostAsGetAsync(account, authorizationUrl, cancellationToken).ConfigureAwait(false);
        var authorization = AcmeTransport.ReadJson(response, AcmeJsonContext.Default.AcmeAuthorizationResource);
        if (string.IsNullOrEmpty(authorization.Status) || string.IsNullOrEmpty(authorization.Identifier.Value))
        {
            throw new AcmeProtocolException(AcmeProtocolError.MalformedJson, authorizationUrl, "The authorization has no 'status' or no 'identifier'");
        }

        foreach (var challenge in authorization.Challenges)
        {
            RequireUrl(challenge.Url, "challenge url", authorizationUrl);
        }

        return new AcmeAuthorization(authorizationUrl, authorization, response.RetryAfter);
    }

    /// <summary>Tells the server the challenge is ready to be validated (section 7.5.1: POST <c>{}</c>).</summary>
    public async Task<AcmeChallengeResource> RespondToChallengeAsync(AcmeAccount account, AcmeChallengeResource challenge, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        var url = challenge.Url ?? throw new AcmeConfigurationException("The challenge has no URL.");
        var response = await PostAsync(account, url, "{}"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        return AcmeTransport.ReadJson(response, AcmeJsonContext.Default.AcmeChallengeResource);
    }

    /// <summary>Polls an authorization until it leaves <c>pending</c> (section 7.5.1), honouring Retry-After.</summary>
    public Task<AcmeAuthorization> WaitForAuthorizationAsync(AcmeAccount account, Uri authorizationUrl, CancellationToken cancellationToken = default) =>
        PollAsync(
            authorizationUrl,
            ct => GetAuthorizationAsync(account, authorizationUrl, ct),
            a => (a.Resource.Status, a.RetryAfter),
            status => status != AcmeStatus.Pending,
            cancellationToken);

    /// <summary>Polls an order until it is neither <c>pending</c> nor <c>processing</c>, honouring Retry-After.</summary>
    public Task<AcmeOrder> WaitForOrderAsync(AcmeAccount account, Uri orderUrl, CancellationToken cancellationToken = default) =>
        PollAsync(
            orderUrl,
            ct => GetOrderAsync(account, orderUrl, ct),
            o => (o.Resource.Status, o.RetryAfter),
            status => status is not (AcmeStatus.Pending or AcmeStatus.Processing),
            cancellationToken);

    /// <summary>Sends the CSR (DER) to the order's finalize URL (section 7.4).</summary>
    /// <exception cref="AcmeProblemException">E.g. <c>badCSR</c> or <c>orderNotReady</c>.</exception>
    public async Task<AcmeOrder> FinalizeOrderAsync(AcmeAccount account, AcmeOrder order, ReadOnlyMemory<byte> csrDer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        var finalize = order.Resource.Finalize ?? throw new AcmeProtocolException(AcmeProtocolError.MalformedJson, order.Location, "The order has no 'finalize' URL");
        var payload = JsonSerializer.SerializeToUtf8Bytes(new FinalizePayload(Base64Url.EncodeToString(csrDer.Span)), AcmeJsonContext.Default.FinalizePayload);
        var response = await PostAsync(account, finalize, payload, cancellationToken).ConfigureAwait(false);
        return new AcmeOrder(order.Location, ReadOrder(response), response.RetryAfter);
    }

    /// <summary>
    /// Downloads the certificate chain (section 7.4.2) and, when <paramref name="includeAlternates"/>
    /// is true, the alternate chains the server links with <c>rel="alternate"</c>, at most
    /// <see cref="AcmeClientOptions.MaxAlternateChains"/> of them. The default chain comes first.
    /// The chains are parsed, not verified: check them with <see cref="AcmeCertificateVerifier"/> before use.
    /// </summary>
    public async Task<IReadOnlyList<AcmeCertificateChain>> DownloadCertificateAsync(AcmeAccount account, Uri certificateUrl, bool includeAlternates = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificateUrl);
        var response = await PostAsGetAsync(account, certificateUrl, cancellationToken).ConfigureAwait(false);
        var chains = new List<AcmeCertificateChain> { ReadChain(response) };
        if (includeAlternates)
        {
            // A server must not make the client fetch without end: further links are ignored.
            var alternates = response.LinksWithRel("alternate").Distinct().ToList();
            if (alternates.Count > _options.MaxAlternateChains)
            {
                Log.AlternateChainsCapped(_logger, certificateUrl, alternates.Count, _options.MaxAlternateChains);
            }

            foreach (var alternate in alternates.Take(_options.MaxAlternateChains))
            {
                var alternateResponse = await PostAsGetAsync(account, alternate, cancellationToken).ConfigureAwait(false);
                chains.Add(ReadChain(alternateResponse));
            }
        }

        return chains;
    }

    private static AcmeCertificateChain ReadChain(AcmeResponse response)
    {
        if (!string.Equals(response.MediaType, AcmeTransport.PemChain, StringComparison.OrdinalIgnoreCase))
        {
            throw new AcmeProtocolException(AcmeProtocolError.UnexpectedContentType, response.RequestUri, $"Expected Content-Type '{AcmeTransport.PemChain}', got '{response.MediaType ?? "(none)"}'");
        }

        return AcmeCertificateChain.Parse(Encoding.UTF8.GetString(response.Body), response.RequestUri);
    }

    // ---------------------------------------------------------------- Revocation (section 7.6)

    /// <summary>Revokes a certificate, signing with the account that ordered it (section 7.6, <c>kid</c>).</summary>
    /// <exception cref="AcmeProblemException">E.g. <c>alreadyRevoked</c>, <c>unauthorized</c>, <c>badRevocationReason</c>.</exception>
    public async Task RevokeCertificateAsync(AcmeAccount account, ReadOnlyMemory<byte> certificateDer, AcmeRevocationReason? reason = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        var response = await _transport.PostAsync(directory.RevokeCert!, account.Key, account.Location.AbsoluteUri, RevokePayloadBytes(certificateDer, reason), postAsGet: false, directory.NewNonce!, cancellationToken).ConfigureAwait(false);
        ExpectStatus(response, HttpStatusCode.OK);
    }

    /// <summary>Revokes a certificate, signing with the certificate's own key (section 7.6, <c>jwk</c>): no account needed.</summary>
    public async Task RevokeCertificateAsync(AcmeKey certificateKey, ReadOnlyMemory<byte> certificateDer, AcmeRevocationReason? reason = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificateKey);
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        var response = await _transport.PostAsync(directory.RevokeCert!, certificateKey, kid: null, RevokePayloadBytes(certificateDer, reason), postAsGet: false, directory.NewNonce!, cancellationToken).ConfigureAwait(false);
        ExpectStatus(response, HttpStatusCode.OK);
    }

    private static byte[] RevokePayloadBytes(ReadOnlyMemory<byte> certificateDer, AcmeRevocationReason? reason)
    {
        if (certificateDer.IsEmpty)
        {
            throw new AcmeConfigurationException("The certificate to revoke is empty.");
        }

        return JsonSerializer.SerializeToUtf8Bytes(
            new RevokePayload { Certificate = Base64Url.EncodeToString(certificateDer.Span), Reason = reason is { } r ? (int)r : null },
            AcmeJsonContext.Default.RevokePayload);
    }

    // ---------------------------------------------------------------- helpers

    private async Task<AcmeResponse> PostAsync(AcmeAccount account, Uri url, byte[] payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        return await _transport.PostAsync(url, account.Key, account.Location.AbsoluteUri, payload, postAsGet: false, directory.NewNonce!, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AcmeResponse> PostAsGetAsync(AcmeAccount account, Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        return await _transport.PostAsync(url, account.Key, account.Location.AbsoluteUri, ReadOnlyMemory<byte>.Empty, postAsGet: true, directory.NewNonce!, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> PollAsync<T>(Uri url, Func<CancellationToken, Task<T>> fetch, Func<T, (string Status, TimeSpan? RetryAfter)> state, Func<string, bool> done, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + _options.PollTimeout;
        var backoff = _options.PollInitialDelay;
        while (true)
        {
            var value = await fetch(cancellationToken).ConfigureAwait(false);
            var (status, retryAfter) = state(value);
            if (done(status))
            {
                return value;
            }

            // Honour a positive Retry-After, raised to MinRetryAfter and clamped to MaxRetryAfter. Zero or
            // a date in the past asks for nothing useful: it counts as absent and the exponential
            // backoff applies, so no answer can make the client poll in a tight loop. The backoff
            // grows with every poll either way, which bounds the polls in PollTimeout.
            var wait = retryAfter is { } ra && ra > TimeSpan.Zero
                ? (ra < _options.MinRetryAfter ? _options.MinRetryAfter : ra > _options.MaxRetryAfter ? _options.MaxRetryAfter : ra)
                : backoff;
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.PollMaxDelay.Ticks));
            if (_time.GetUtcNow() + wait > deadline)
            {
                throw new AcmeOrderException($"{url} was still '{status}' after polling for {_options.PollTimeout.TotalSeconds:0} s (PollTimeout).", url, problem: null);
            }

            Log.Poll(_logger, url, status, wait);
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void ExpectStatus(AcmeResponse response, params HttpStatusCode[] allowed)
    {
        if (Array.IndexOf(allowed, response.StatusCode) < 0)
        {
            throw new AcmeProtocolException(AcmeProtocolError.UnexpectedStatus, response.RequestUri, $"Unexpected HTTP {(int)response.StatusCode}; expected {string.Join(" or ", allowed.Select(s => (int)s))}");
        }
    }

    private static AcmeAccountResource ReadAccount(AcmeResponse response)
    {
        var account = AcmeTransport.ReadJson(response, AcmeJsonContext.Default.AcmeAccountResource);
        if (string.IsNullOrEmpty(account.Status))
        {
            throw new AcmeProtocolException(AcmeProtocolError.MalformedJson, response.RequestUri, "The account object has no 'status'");
        }

        return account;
    }

    private AcmeOrderResource ReadOrder(AcmeResponse response)
    {
        var order = AcmeTransport.ReadJson(response, AcmeJsonContext.Default.AcmeOrderResource);
        if (string.IsNullOrEmpty(order.Status))
        {
            throw new AcmeProtocolException(AcmeProtocolError.MalformedJson, response.RequestUri, "The order object has no 'status'");
        }

        RequireUrl(order.Finalize, "finalize", response.RequestUri);
        foreach (var authorization in order.Authorizations)
        {
            RequireUrl(authorization, "authorizations", response.RequestUri);
        }

        if (order.Status == AcmeStatus.Valid)
        {
            RequireUrl(order.Certificate, "certificate", response.RequestUri);
        }

        return order;
    }
}
