using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Acme;
using Pki.Acme.Server.Storage;

namespace Pki.Acme.Server.Protocol;

/// <summary>The RFC 8555 resources: one method per endpoint, each a small sequence of checks then one store transition.</summary>
internal sealed class AcmeProtocolHandler
{
    private const int MaxIdentifiers = 100;
    private const int MaxContacts = 10;
    private static readonly int[] AllowedReasons = [0, 1, 3, 4, 5, 9];

    private readonly IAcmeServerStore _store;
    private readonly AcmeServerOptions _options;
    private readonly IAcmeCertificateIssuerBackend _backend;
    private readonly IReadOnlyList<IAcmeChallengeValidator> _validators;
    private readonly IAcmeCaaPolicy? _caa;
    private readonly AcmeValidationQueue _queue;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AcmeServerMetrics _metrics;

    public AcmeProtocolHandler(
        IAcmeServerStore store,
        IOptions<AcmeServerOptions> options,
        IAcmeCertificateIssuerBackend backend,
        IEnumerable<IAcmeChallengeValidator> validators,
        IServiceProvider services,
        AcmeValidationQueue queue,
        TimeProvider time,
        ILogger<AcmeProtocolHandler> logger,
        AcmeServerMetrics metrics)
    {
        _store = store;
        _options = options.Value;
        _backend = backend;
        _validators = validators.ToList();
        _caa = (IAcmeCaaPolicy?)services.GetService(typeof(IAcmeCaaPolicy));
        _queue = queue;
        _time = time;
        _logger = logger;
        _metrics = metrics;
    }

    // ---------------------------------------------------------------- plumbing

    /// <summary>Runs one endpoint: a fresh Replay-Nonce and Link rel=index on every response, problems written as RFC 7807 documents.</summary>
    public async Task RunAsync(HttpContext context, string prefix, Func<Endpoint, Task> action)
    {
        var endpoint = new Endpoint(this, context, prefix);
        try
        {
            await AddNonceHeaderAsync(context).ConfigureAwait(false);
            context.Response.Headers.Append("Link", $"<{endpoint.Base}/directory>;rel=\"index\"");
            await action(endpoint).ConfigureAwait(false);
        }
        catch (AcmeServerProblemException ex)
        {
            await WriteProblemAsync(context, ex.Problem).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await WriteProblemAsync(context, AcmeServerProblemException.Create(AcmeProblemTypes.Malformed, $"The request body exceeds {_options.MaxRequestBytes} bytes.", 413).Problem).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
#pragma warning disable CA1031 // Every unexpected failure becomes a serverInternal problem document, logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.Failed(_logger, ex);
            if (!context.Response.HasStarted)
            {
                await WriteProblemAsync(context, AcmeServerProblemException.Create(AcmeProblemTypes.ServerInternal, "The server failed to process the request.").Problem).ConfigureAwait(false);
            }
        }
    }

    private async Task AddNonceHeaderAsync(HttpContext context)
    {
        var nonce = NewId();
        await _store.AddNonceAsync(nonce, _time.GetUtcNow() + _options.NonceLifetime, context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers["Replay-Nonce"] = nonce;
    }

    private async Task WriteProblemAsync(HttpContext context, AcmeProblem problem)
    {
        _metrics.Problem(problem.Type);
        Log.Refused(_logger, problem.Type, problem.Detail);
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = problem.Status ?? 400;
        context.Response.ContentType = "application/problem+json";
        await JsonSerializer.SerializeAsync(context.Response.Body, problem, AcmeServerJsonContext.Default.AcmeProblem, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteJsonAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> typeInfo, string? location = null)
    {
        context.Response.StatusCode = status;
        if (location is not null)
        {
            context.Response.Headers.Location = location;
        }

        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, value, typeInfo, context.RequestAborted).ConfigureAwait(false);
    }

    internal static string NewId() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    // Retry-After has whole seconds: a sub-second RetryAfter leaves the header out, so clients poll with their own
    // (typically 50 ms, doubling) backoff instead of waiting a full second per poll.
    private static void SetPollRetryAfter(HttpContext context, TimeSpan delay)
    {
        if (delay >= TimeSpan.FromSeconds(1))
        {
            SetRetryAfter(context, delay);
        }
    }

    private static void SetRetryAfter(HttpContext context, TimeSpan delay) =>
        context.Response.Headers.RetryAfter = ((long)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>One request: its URLs and its authenticated JWS.</summary>
    internal sealed class Endpoint
    {
        private readonly AcmeProtocolHandler _handler;

        public Endpoint(AcmeProtocolHandler handler, HttpContext context, string prefix)
        {
            _handler = handler;
            Context = context;
            var request = context.Request;
            var root = handler._options.BaseUrl is { } baseUrl
                ? baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/')
                : $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}";
            Base = root + prefix;
            RequestUrl = root + request.Path.ToUriComponent();
        }

        public HttpContext Context { get; }

        /// <summary>The ACME root, e.g. <c>https://host/acme</c>.</summary>
        public string Base { get; }

        public string RequestUrl { get; }

        public CancellationToken Aborted => Context.RequestAborted;

        public string AccountUrl(string id) => $"{Base}/acct/{id}";

        public string OrderUrl(string id) => $"{Base}/order/{id}";

        public string AuthzUrl(string id) => $"{Base}/authz/{id}";

        public string ChallengeUrl(string id) => $"{Base}/chall/{id}";

        public string CertificateUrl(string id) => $"{Base}/cert/{id}";

        public Task<AuthenticatedRequest> ReadAsync(KeyMode mode) => _handler.AuthenticateAsync(this, mode);
    }

    internal enum KeyMode
    {
        Kid,
        Jwk,
        Either,
    }

    internal sealed record AuthenticatedRequest(JwsMessage Jws, Jwk Key, AccountRecord? Account);

    /// <summary>RFC 8555 section 6.2-6.5: content type, size, JWS structure, url, key, signature, nonce, account status.</summary>
    private async Task<AuthenticatedRequest> AuthenticateAsync(Endpoint endpoint, KeyMode mode)
    {
        var request = endpoint.Context.Request;
        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), "application/jose+json", StringComparison.OrdinalIgnoreCase))
        {
            throw AcmeServerProblemException.Create(AcmeProblemTypes.Malformed, "The request Content-Type must be application/jose+json (RFC 8555 section 6.2).", 415);
        }

        var body = await ReadBodyAsync(request, endpoint.Aborted).ConfigureAwait(false);
        var jws = JwsMessage.Parse(body);
        if (jws.Url is null || !string.Equals(jws.Url, endpoint.RequestUrl, StringComparison.Ordinal))
        {
            throw AcmeServerProblemException.Unauthorized($"The JWS 'url' header '{jws.Url}' does not equal the request URL '{endpoint.RequestUrl}' (RFC 8555 section 6.4).");
        }

        Jwk key;
        AccountRecord? account = null;
        if (jws.JwkElement is { } jwkElement)
        {
            if (mode == KeyMode.Kid)
            {
                throw AcmeServerProblemException.Malformed("This request must identify its account with 'kid', not 'jwk' (RFC 8555 section 6.2).");
            }

            key = Jwk.Parse(jwkElement);
        }
        else
        {
            if (mode == KeyMode.Jwk)
            {
                throw AcmeServerProblemException.Malformed("This request must carry the account key as 'jwk', not 'kid' (RFC 8555 section 6.2).");
            }

            var accountPrefix = endpoint.Base + "/acct/";
            var kid = jws.Kid!;
            if (!kid.StartsWith(accountPrefix, StringComparison.Ordinal) || kid.Length == accountPrefix.Length || kid.AsSpan(accountPrefix.Length).Contains('/'))
            {
                throw AcmeServerProblemException.Unauthorized($"The 'kid' '{kid}' is not an account URL of this server.");
            }

            account = await _store.GetAccountAsync(kid[accountPrefix.Length..], endpoint.Aborted).ConfigureAwait(false)
                ?? throw AcmeServerProblemException.Create(AcmeProblemTypes.AccountDoesNotExist, $"No account '{kid}' exists.");
            key = Jwk.FromCanonical(account.Jwk);
        }

        if (!key.Fits(jws.Alg))
        {
            throw AcmeServerProblemException.Create(AcmeProblemTypes.BadSignatureAlgorithm, $"The algorithm '{jws.Alg}' does not fit the {key.Kty} key.", algorithms: JwsMessage.Algorithms);
        }

        if (!key.Verify(jws.Alg, jws.SigningInput, jws.Signature))
        {
            throw AcmeServerProblemException.Malformed("The JWS signature does not verify with the account key.");
        }

        if (jws.Nonce is null || !await _store.ConsumeNonceAsync(jws.Nonce, _time.GetUtcNow(), endpoint.Aborted).ConfigureAwait(false))
        {
            throw AcmeServerProblemException.Create(AcmeProblemTypes.BadNonce, jws.Nonce is null ? "The protected header lacks 'nonce'." : "The nonce is unknown, used or expired; retry with the Replay-Nonce of this response.");
        }

        if (account is { Status: not "valid" })
        {
            throw AcmeServerProblemException.Unauthorized($"The account is {account.Status}.");
        }

        return new AuthenticatedRequest(jws, key, account);
    }

    private async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var max = _options.MaxRequestBytes;
        if (request.ContentLength > max)
        {
            throw AcmeServerProblemException.Create(AcmeProblemTypes.Malformed, $"The request body of {request.ContentLength} bytes exceeds {max} bytes.", 413);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > max)
            {
                throw AcmeServerProblemException.Create(AcmeProblemTypes.Malformed, $"The request body exceeds {max} bytes.", 413);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    // ---------------------------------------------------------------- directory and nonces (7.1.1, 7.2)

    public Task DirectoryAsync(Endpoint e)
    {
        var profiles = _backend.Profiles.Count == 0 ? null : _backend.Profiles.ToDictionary(p => p.Name, p => p.Description, StringComparer.Ordinal);
        var document = new DirectoryDocument(
            e.Base + "/new-nonce",
            e.Base + "/new-account",
            e.Base + "/new-order",
            e.Base + "/revoke-cert",
            e.Base + "/key-change",
            e.Base + "/renewal-info",
            new DirectoryMeta(
                _options.TermsOfService?.ToString(),
                _options.Website?.ToString(),
                _options.CaaIdentities.Count == 0 ? null : _options.CaaIdentities.ToList(),
                _options.ExternalAccountRequired,
                profiles));
        return WriteJsonAsync(e.Context, 200, document, AcmeServerJsonContext.Default.DirectoryDocument);
    }

    public static Task NewNonceAsync(Endpoint e)
    {
        e.Context.Response.Headers.CacheControl = "no-store";
        e.Context.Response.StatusCode = HttpMethods.IsHead(e.Context.Request.Method) ? 200 : 204;
        return Task.CompletedTask;
    }

    // ---------------------------------------------------------------- accounts (7.3)

    public async Task NewAccountAsync(Endpoint e)
    {
        var request = await e.ReadAsync(KeyMode.Jwk).ConfigureAwait(false);
        var payload = request.Jws.PayloadObject();
        var existing = await _store.FindAccountByThumbprintAsync(request.Key.Thumbprint, e.Aborted).ConfigureAwait(false);
        if (existing is not null)
        {
            if (existing.Status != "valid")
            {
                throw AcmeServerProblemException.Unauthorized($"The account for this key is {existing.Status}.");
            }

            await WriteAccountAsync(e, existing, 200).ConfigureAwait(false);
            return;
        }

        if (payload.TryGetProperty("onlyReturnExisting", out var only) && only.ValueKind == JsonValueKind.True)
        {
            throw AcmeServerProblemException.Create(AcmeProblemTypes.AccountDoesNotExist, "No account exists for this key.");
        }

        var contact = ParseContacts(payload);
        var agreed = payload.TryGetProperty("termsOfServiceAgreed", out var tos) && tos.ValueKind == JsonValueKind.True;
        if (_options.TermsOfService is not null && !agreed)
        {
            throw AcmeServerProblemException.Create(AcmeProblemTypes.AgreementRequired, $"Agree to the terms of service at {_options.TermsOfService} (termsOfServiceAgreed: true).");
        }

        string? eabKeyId = null;
        if (payload.TryGetProperty("externalAccountBinding", out var eab) && eab.ValueKind != JsonValueKind.Null)
        {
            eabKeyId = VerifyExternalAccountBinding(eab, request.Key, e.RequestUrl);
        }
        else if (_options.ExternalAccountRequired)
        {
            throw AcmeServerProblemException.Create(AcmeProblemTypes.ExternalAccountRequired, "This server requires an external account binding (RFC 8555 section 7.3.4).");
        }

        var account = new AccountRecord(NewId(), request.Key.Thumbprint, request.Key.Canonical, "valid", contact, _time.GetUtcNow(), eabKeyId);
        switch (await _store.CreateAccountAsync(account, e.Aborted).ConfigureAwait(false))
        {
            case AccountCreateResult.Created:
                Log.AccountCreated(_logger, account.Id);
                await WriteAccountAsync(e, account, 201).ConfigureAwait(false);
                break;
            case AccountCreateResult.KeyExists:
                await WriteAccountAsync(e, (await _store.FindAccountByThumbprintAsync(account.Thumbprint, e.Aborted).ConfigureAwait(false))!, 200).ConfigureAwait(false);
                break;
            default:
                throw AcmeServerProblemException.Unauthorized($"The external account key '{eabKeyId}' is already bound to an account.");
        }
    }

    /// <summary>RFC 8555 section 7.3.4: an HS256 JWS over the account's jwk, keyed by a known EAB key, for this URL.</summary>
    private string VerifyExternalAccountBinding(JsonElement eab, Jwk accountKey, string requestUrl)
    {
        var inner = JwsMessage.Parse(eab, macAllowed: true);
        if (inner.Alg != "HS256")
        {
            throw AcmeServerProblemException.Create(AcmeProblemTypes.BadSignatureAlgorithm, $"The external account binding must use HS256, not '{inner.Alg}'.", algorithms: ["HS256"]);
        }

        if (inner.Nonce is not null || inner.JwkElement is not null)
        {
            throw AcmeServerProblemException.Malformed("The external account binding must not carry 'nonce' or 'jwk' (RFC 8555 section 7.3.4).");
        }

        if (!string.Equals(inner.Url, requestUrl, StringComparison.Ordinal))
        {
            throw AcmeServerProblemException.Unauthorized("The external account binding's 'url' must equal the newAccount URL.");
        }

        if (inner.Kid is null || !_options.ExternalAccountKeys.TryGetValue(inner.Kid, out var macKey))
        {
            throw AcmeServerProblemException.Unauthorized($"The external account key id '{inner.Kid}' is unknown.");
        }

        var expected = HMACSHA256.HashData(macKey, inner.SigningInput);
        if (!CryptographicOperations.FixedTimeEquals(expected, inner.Signature))
        {
            throw AcmeServerProblemException.Unauthorized("The external account binding's MAC does not verify.");
        }

        Jwk bound;
        try
        {
            bound = Jwk.Parse(JsonDocument.Parse(inner.Payload).RootElement);
        }
        catch (JsonException)
        {
            throw AcmeServerProblemException.Malformed("The external account binding's payload must be the account's JWK.");
        }

        if (bound.Thumbprint != accountKey.Thumbprint)
        {
            throw AcmeServerProblemException.Unauthorized("The external account binding binds a different key than the one this request is signed with.");
        }

        return inner.Kid;
    }

    private static List<string> ParseContacts(JsonElement payload)
    {
        var result = new List<string>();
        if (!payload.TryGetProperty("contact", out var contact) || contact.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        if (contact.ValueKind != JsonValueKind.Array)
        {
            throw AcmeServerProblemException.Malformed("'contact' must be an array of URLs.");
        }

        foreach (var item in contact.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw AcmeServerProblemException.Malformed("'contact' must be an array of URLs.");
            }

            var value = item.GetString()!;
            if (!value.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
            {
                throw AcmeServerProblemException.Create(AcmeProblemTypes.UnsupportedContact, $"The contact '{value}' is not supported; only mailto: addresses are.");
            }

            var address = value["mailto:".Length..];
            if (address.Length is 0 or > 254 || address.Contains(',', StringComparison.Ordinal) || address.Contains('?', StringComparison.Ordinal)
                || !MailAddress.TryCreate(address, out var mail) || mail.Address != address || mail.Host.Contains('[', StringComparison.Ordinal)
                || !mail.Host.Contains('.', StringComparison.Ordinal) || !IdnName.TryToAscii(mail.Host, out _))
            {
                throw AcmeServerProblemException.Create(AcmeProblemTypes.InvalidContact, $"The contact '{value}' is not one valid mailto: address.");
            }

            result.Add(value);
        }

        return result.Count > MaxContacts
            ? throw AcmeServerProblemException.Create(AcmeProblemTypes.InvalidContact, $"At most {MaxContacts} contacts are accepted.")
            : result;
    }

    private Task WriteAccountAsync(Endpoint e, AccountRecord account, int status) =>
        WriteJsonAsync(
            e.Context,
            status,
            new AccountDocument(account.Status, account.Contact, _options.TermsOfService is null ? null : true, e.AccountUrl(account.Id) + "/orders"),
            AcmeServerJsonContext.Default.AccountDocument,
            e.AccountUrl(account.Id));

    public async Task AccountAsync(Endpoint e, string id)
    {
        var request = await e.ReadAsync(KeyMode.Kid).ConfigureAwait(false);
        var account = request.Account!;
        if (account.Id != id)
        {
            throw AcmeServerProblemException.Unauthorized("An account can only read or update itself.");
        }

        if (!request.Jws.IsPostAsGet)
        {
            var payload = request.Jws.PayloadObject();
            var contact = payload.TryGetProperty("contact", out _) ? ParseContacts(payload) : account.Contact;
            var status = account.Status;
            if (payload.TryGetProperty("status", out var statusElement))
            {
                status = statusElement.ValueKind == JsonValueKind.String && statusElement.GetString() == "deactivated"
                    ? "deactivated"
                    : throw AcmeServerProblemException.Malformed("An account's status can only be set to 'deactivated'.");
            }

            if (!await _store.UpdateAccountAsync(account.Id, contact, status, e.Aborted).ConfigureAwait(false))
            {
                throw AcmeServerProblemException.Unauthorized("The account is no longer valid.");
            }

            account = account with { Contact = contact, Status = status };
        }

        await WriteAccountAsync(e, account, 200).ConfigureAwait(false);
    }

    /// <summary>RFC 8555 section 7.1.2.1: the account's orders (POST-as-GET), at most 1000, without pagination.</summary>
    public async Task AccountOrdersAsync(Endpoint e, string id)
    {
        var request = await e.ReadAsync(KeyMode.Kid).ConfigureAwait(false);
        if (request.Account!.Id != id)
        {
            throw AcmeServerProblemException.Unauthorized("An account can only list its own orders.");
        }

        var ids = await _store.ListOrdersAsync(id, 1000, e.Aborted).ConfigureAwait(false);
        await WriteJsonAsync(e.Context, 200, new OrdersListDocument(ids.Select(e.OrderUrl).ToList()), AcmeServerJsonContext.Default.OrdersListDocument).ConfigureAwait(false);
    }

    /// <summary>RFC 8555 section 7.3.5: the inner JWS, signed by the new key, names the account and its old key.</summary>
    public async Task KeyChangeAsync(Endpoint e)
    {
        var request = await e.ReadAsync(KeyMode.Kid).ConfigureAwait(false);
        var account = request.Account!;
        var inner = JwsMessage.Parse(request.Jws.PayloadObject(), macAllowed: false);
        if (inner.JwkElement is not { } newJwkElement || inner.Kid is not null)
        {
            throw AcmeServerProblemException.Malformed("The inner JWS of a key change must carry the new key as 'jwk' (RFC 8555 section 7.3.5).");
        }

        if (!string.Equals(inner.Url, request.Jws.Url, StringComparison.Ordinal))
        {
            throw AcmeServerProblemException.Malformed("The inner JWS 'url' must equal the outer one.");
        }

        var newKey = Jwk.Parse(newJwkElement);
        if (!newKey.Fits(inner.Alg) || !newKey.Verify(inner.Alg, inner.SigningInput, inner.Signature))
        {
            throw AcmeServerProblemException.Malformed("The inner JWS signature does not verify with the new key.");
        }

        var payload = inner.PayloadObject();
        if (JwsMessage.OptionalString(payload, "account") != e.AccountUrl(account.Id))
        {
            throw AcmeServerProblemException.Malformed("The inner payload's 'account' must be the URL of the account signing the outer JWS.");
        }

        if (!payload.TryGetProperty("oldKey", out var oldKeyElement) || Jwk.Parse(oldKeyElement).Thumbprint != account.Thumbprint)
        {
            throw AcmeServerProblemException.Malformed("The inner payload's 'oldKey' is not the account's current key.");
        }

        if (await _store.FindAccountByThumbprintAsync(newKey.Thumbprint, e.Aborted).ConfigureAwait(false) is { } holder)
        {
            e.Context.Response.Headers.Location = e.AccountUrl(holder.Id);
            throw AcmeServerProblemException.Create(AcmeProblemTypes.Malformed, "The new key is already in use by an account.", 409);
        }

        if (!await _store.ChangeAccountKeyAsync(account.Id, account.Thumbprint, newKey.Thumbprint, newKey.Canonical, e.Aborted).ConfigureAwait(false))
        {
            throw AcmeServerProblemException.Create(AcmeProblemTypes.Malformed, "The key changed concurrently or the new key is in use.", 409);
        }

        await WriteAccountAsync(e, account with { Thumbprint = newKey.Thumbprint, Jwk = newKey.Canonical }, 200).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- orders (7.4)

    public async Task NewOrderAsync(Endpoint e)
    {
        var request = await e.ReadAsync(KeyMode.Kid).ConfigureAwait(false);
        var account = request.Account!;
        var payload = request.Jws.PayloadObject();
        if (payload.TryGetProperty("notBefore", out _) || payload.TryGetProperty("notAfter", out _))
        {
            throw AcmeServerProblemException.Malformed("This server does not accept notBefore/notAfter in orders; the profile sets the validity.");
        }

        var identifiers = AcmeIdentifierRules.Parse(payload);
        var profile = JwsMessage.OptionalString(payload, "profile");
        if (profile is null)
        {
            profile = _backend.Profiles.Count > 0 ? _backend.Profiles[0].Name : "default";
        }
        else if (!_backend.Profiles.Any(p => p.Name == profile))
        {
            throw AcmeServerProblemException.Create(AcmeProblemTypes.InvalidProfile, $"The profile '{profile}' is unknown; the directory's meta.profiles lists the known ones.");
        }

        var replaces = JwsMessage.OptionalString(payload, "replaces");
        CertificateRecord? replaced = null;
        if (replaces is not null)
        {
            replaced = await _store.FindCertificateByAriIdAsync(AriCertId.Normalize(replaces), e.Aborted).ConfigureAwait(false);
            if (replaced is null || replaced.AccountId != account.Id)
            {
                throw AcmeServerProblemException.Malformed($"'replaces' '{replaces}' does not name a certificate this server issued to this account (RFC 9773 section 5).");
            }

            if (replaced.ReplacedByOrderId is not null)
            {
                throw AcmeServerProblemException.Create(AcmeProblemTypes.AlreadyReplaced, $"The certificate '{replaces}' was already replaced by another order.");
            }
        }

        var now = _time.GetUtcNow();
        var orderId = NewId();
        var authorizations = new List<AuthorizationRecord>();
        var challenges = new List<ChallengeRecord>();
        var subproblems = new List<AcmeProblem>();
        foreach (var identifier in identifiers)
        {
            var wildcard = identifier.Type == AcmeIdentifier.DnsType && identifier.Value.StartsWith("*.", StringComparison.Ordinal);
            var types = _validators.Where(v => v.Supports(identifier) && (!wildcard || v.Type == "dns-01")).Select(v => v.Type).Distinct().ToList();
            if (types.Count == 0)
            {
                subproblems.Add(new AcmeProblem { Type = AcmeProblemTypes.RejectedIdentifier, Detail = $"No challenge type of this server can validate '{identifier.Value}'.", Identifier = identifier });
                continue;
            }

            var authz = new AuthorizationRecord(
                NewId(),
                account.Id,
                orderId,
                wildcard ? identifier with { Value = identifier.Value[2..] } : identifier,
                wildcard,
                "pending",
                now + _options.AuthorizationLifetime);
            authorizations.Add(authz);
            challenges.AddRange(types.Select(t => new ChallengeRecord(NewId(), authz.Id, t, WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32)), "pending", null, null)));
        }

        if (subproblems.Count > 0)
        {
            throw AcmeServerProblemException.Create(AcmeProblemTypes.RejectedIdentifier, "The server cannot issue for some identifiers.", subproblems: subproblems);
        }

        var order = new OrderRecord(orderId, account.Id, "pending", now + _options.OrderLifetime, identifiers, authorizations.Select(a => a.Id).ToList(), profile, replaces, null, null);
        if (!await _store.CreateOrderAsync(order, authorizations, challenges, replaced?.Id, e.Aborted).ConfigureAwait(false))
        {
            throw AcmeServerProblemException.Create(AcmeProblemTypes.AlreadyReplaced, $"The certificate '{replaces}' was already replaced by another order.");
        }

        _metrics.OrderCreated();
        Log.OrderCreated(_logger, order.Id, account.Id, identifiers.Count);
        await WriteOrderAsync(e, order, authorizations, 201).ConfigureAwait(false);
    }

    public async Task OrderAsync(Endpoint e, string id)
    {
        var request = await e.ReadAsync(KeyMode.Kid).ConfigureAwait(false);
        var order = await OwnedOrderAsync(request, id, e.Aborted).ConfigureAwait(false);
        var authorizations = await _store.GetAuthorizationsAsync(order.AuthorizationIds, e.Aborted).ConfigureAwait(false);
        await WriteOrderAsync(e, order, authorizations, 200).ConfigureAwait(false);
    }

    private async Task<OrderRecord> OwnedOrderAsync(AuthenticatedRequest request, string id, CancellationToken cancellationToken)
    {
        var order = await _store.GetOrderAsync(id, cancellationToken).ConfigureAwait(false) ?? throw AcmeServerProblemException.NotFound($"No order '{id}' exists.");
        return order.AccountId == request.Account!.Id ? order : throw AcmeServerProblemException.Unauthorized("The order belongs to another account.");
    }

    private string AuthorizationStatus(AuthorizationRecord authz) =>
        authz.Status is "pending" or "valid" && _time.GetUtcNow() >= authz.Expires ? "expired" : authz.Status;

    /// <summary>The order's status as RFC 8555 section 7.1.6 derives it from its authorizations and expiry.</summary>
    private string OrderStatus(OrderRecord order, IReadOnlyList<AuthorizationRecord> authorizations)
    {
        var status = order.Status;
        if (status == "pending")
        {
            var states = authorizations.Select(AuthorizationStatus).ToList();
            if (states.Any(s => s is "invalid" or "deactivated" or "expired" or "revoked"))
            {
                status = "invalid";
            }
            else if (states.Count > 0 && states.All(s => s == "valid"))
            {
                status = "ready";
            }
        }

        return status is "pending" or "ready" && _time.GetUtcNow() >= order.Expires ? "invalid" : status;
    }

    private async Task WriteOrderAsync(Endpoint e, OrderRecord order, IReadOnlyList<AuthorizationRecord> authorizations, int status)
    {
        var effective = OrderStatus(order, authorizations);
        if (effective is "pending" or "processing")
        {
            SetPollRetryAfter(e.Context, _options.RetryAfter);
        }

        var document = new OrderDocument(
            effective,
            Time(order.Expires),
            order.Identifiers,
            order.AuthorizationIds.Select(e.AuthzUrl).ToList(),
            e.OrderUrl(order.Id) + "/finalize",
            order.Profile,
            order.Replaces,
            order.CertificateId is null ? null : e.CertificateUrl(order.CertificateId),
            order.Error);
        await WriteJsonAsync(e.Context, status, document, AcmeServerJsonContext.Default.OrderDocument, e.OrderUrl(order.Id)).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- authorizations and challenges (7.5)

    public async Task AuthorizationAsync(Endpoint e, string id)
    {
        var request = await e.ReadAsync(KeyMode.Kid).ConfigureAwait(false);
        var authz = await OwnedAuthorizationAsync(request, id, e.Aborted).ConfigureAwait(false);
        if (!request.Jws.IsPostAsGet)
        {
            var payload = request.Jws.PayloadObject();
            if (JwsMessage.OptionalString(payload, "status") != "deactivated")
            {
                throw AcmeServerProblemException.Malformed("An authorization's status can only be set to 'deactivated' (RFC 8555 section 7.5.2).");
            }

            var current = AuthorizationStatus(authz);
            if (current is not ("pending" or "valid") || !await _store.TransitionAuthorizationAsync(authz.Id, authz.Status, "deactivated", e.Aborted).ConfigureAwait(false))
            {
                throw AcmeServerProblemException.Malformed($"The authorization is {current}; only pending or valid ones can be deactivated.");
            }

            authz = authz with { Status = "deactivated" };
            if (await _store.GetOrderAsync(authz.OrderId, e.Aborted).ConfigureAwait(false) is { Status: "pending" or "ready" } order)
            {
                var error = new AcmeProblem { Type = AcmeProblemTypes.Unauthorized, Detail = $"The authorization for '{authz.Identifier.Value}' was deactivated.", Identifier = authz.Identifier };
                await _store.TransitionOrderAsync(order.Status, order with { Status = "invalid", Error = error }, e.Aborted).ConfigureAwait(false);
            }
        }

        var challenges = await _store.GetChallengesAsync(authz.Id, e.Aborted).ConfigureAwait(false);
        var status = AuthorizationStatus(authz);
        if (status == "pending")
        {
            SetPollRetryAfter(e.Context, _options.RetryAfter);
        }

        var document = new AuthorizationDocument(authz.Identifier, status, Time(authz.Expires), challenges.Select(c => ChallengeDocument(e, c)).ToList(), authz.Wildcard ? true : null);
        await WriteJsonAsync(e.Context, 200, document, AcmeServerJsonContext.Default.AuthorizationDocument).ConfigureAwait(false);
    }

    private async Task<AuthorizationRecord> OwnedAuthorizationAsync(AuthenticatedRequest request, string id, CancellationToken cancellationToken)
    {
        var authz = await _store.GetAuthorizationAsync(id, cancellationToken).ConfigureAwait(false) ?? throw AcmeServerProblemException.NotFound($"No authorization '{id}' exists.");
        return authz.AccountId == request.Account!.Id ? authz : throw AcmeServerProblemException.Unauthorized("The authorization belongs to another account.");
    }

    /// <summary>True when <paramref name="work"/> finished within <see cref="AcmeServerOptions.ChallengeResponseWait"/> (timed by the TimeProvider).</summary>
    private async Task<bool> WaitBrieflyAsync(Task work, CancellationToken cancellationToken)
    {
        if (work.IsCompleted || _options.ChallengeResponseWait <= TimeSpan.Zero)
        {
            return work.IsCompleted;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = Task.Delay(_options.ChallengeResponseWait, _time, stop.Token);
        var first = await Task.WhenAny(work, timer).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return first == work;
    }

    private static ChallengeDocument ChallengeDocument(Endpoint e, ChallengeRecord c) =>
        new(c.Type, e.ChallengeUrl(c.Id), c.Status, c.Token, c.Validated is { } v ? Time(v) : null, c.Error);

    public async Task ChallengeAsync(Endpoint e, string id)
    {
        var request = await e.ReadAsync(KeyMode.Kid).ConfigureAwait(false);
        var challenge = await _store.GetChallengeAsync(id, e.Aborted).ConfigureAwait(false) ?? throw AcmeServerProblemException.NotFound($"No challenge '{id}' exists.");
        var authz = await OwnedAuthorizationAsync(request, challenge.AuthorizationId, e.Aborted).ConfigureAwait(false);
        if (!request.Jws.IsPostAsGet)
        {
            request.Jws.PayloadObject();

            // RFC 8555 section 7.5.1: the client says it is ready; only a pending challenge of a pending authorization starts.
            if (challenge.Status == "pending")
            {
                var authzStatus = AuthorizationStatus(authz);
                if (authzStatus != "pending")
                {
                    throw AcmeServerProblemException.Malformed($"The authorization is {authzStatus}; its challenges can no longer be attempted.");
                }

                var siblings = await _store.GetChallengesAsync(authz.Id, e.Aborted).ConfigureAwait(false);
                if (siblings.Any(s => s.Id != challenge.Id && s.Status == "processing"))
                {
                    throw AcmeServerProblemException.Malformed("Another challenge of this authorization is being validated.");
                }

                if (await _store.TransitionChallengeAsync(challenge.Id, "pending", "processing", null, null, e.Aborted).ConfigureAwait(false))
                {
                    challenge = challenge with { Status = "processing" };
                    var validated = _queue.Enqueue(challenge.Id);
                    if (await WaitBrieflyAsync(validated, e.Aborted).ConfigureAwait(false))
                    {
                        // Validated within ChallengeResponseWait: answer with the outcome, sparing the client a poll.
                        challenge = (await _store.GetChallengeAsync(id, e.Aborted).ConfigureAwait(false))!;
                    }
                }
                else
                {
                    challenge = (await _store.GetChallengeAsync(id, e.Aborted).ConfigureAwait(false))!;
                }
            }
        }

        if (challenge.Status is "pending" or "processing")
        {
            SetPollRetryAfter(e.Context, _options.RetryAfter);
        }

        e.Context.Response.Headers.Append("Link", $"<{e.AuthzUrl(authz.Id)}>;rel=\"up\"");
        await WriteJsonAsync(e.Context, 200, ChallengeDocument(e, challenge), AcmeServerJsonContext.Default.ChallengeDocument).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- finalize (7.4)

    public async Task FinalizeAsync(Endpoint e, string id)
    {
        var request = await e.ReadAsync(KeyMode.Kid).ConfigureAwait(false);
        var account = request.Account!;
        var order = await OwnedOrderAsync(request, id, e.Aborted).ConfigureAwait(false);
        var authorizations = await _store.GetAuthorizationsAsync(order.AuthorizationIds, e.Aborted).ConfigureAwait(false);
        var status = OrderStatus(order, authorizations);
        if (status != "ready")
        {
            throw AcmeServerProblemException.Create(AcmeProblemTypes.OrderNotReady, $"The order is {status}, not ready; finalize it once every authorization is valid.");
        }

        var csrText = JwsMessage.OptionalString(request.Jws.PayloadObject(), "csr") ?? throw AcmeServerProblemException.Malformed("The finalize payload lacks 'csr'.");
        byte[] csr;
        try
        {
            csr = WebEncoders.Base64UrlDecode(csrText);
        }
        catch (FormatException)
        {
            throw AcmeServerProblemException.Create(AcmeProblemTypes.BadCsr, "The 'csr' is not base64url.");
        }

        CsrNames.CheckMatches(csr, order.Identifiers);

        // The order is ready by its authorizations, but the validation service may move its stored status from
        // "pending" to "ready" between the read above and this update: a stored "pending" is tried as "ready" too.
        // Each update is conditional, so only one finalize ever moves the order to "processing".
        if (!await _store.TransitionOrderAsync(order.Status, order with { Status = "processing" }, e.Aborted).ConfigureAwait(false) &&
            (order.Status != "pending" || !await _store.TransitionOrderAsync("ready", order with { Status = "processing" }, e.Aborted).ConfigureAwait(false)))
        {
            var now = await _store.GetOrderAsync(order.Id, e.Aborted).ConfigureAwait(false);
            throw AcmeServerProblemException.Create(AcmeProblemTypes.OrderNotReady, $"The order is {now?.Status ?? "gone"}: another finalize request came first.");
        }

        order = order with { Status = "processing" };
        var problem = await IssueAsync(e, account, order, authorizations, csr, request.Key).ConfigureAwait(false);
        if (problem is not null)
        {
            Log.FinalizeRefused(_logger, order.Id, problem.Type, problem.Detail);
            await _store.TransitionOrderAsync("processing", order with { Status = "invalid", Error = problem }, e.Aborted).ConfigureAwait(false);
            throw new AcmeServerProblemException(problem);
        }

        order = (await _store.GetOrderAsync(order.Id, e.Aborted).ConfigureAwait(false))!;
        await WriteOrderAsync(e, order, authorizations, 200).ConfigureAwait(false);
    }

    private async Task<AcmeProblem?> IssueAsync(Endpoint e, AccountRecord account, OrderRecord order, IReadOnlyList<AuthorizationRecord> authorizations, byte[] csr, Jwk accountKey)
    {
        if (_caa is not null)
        {
            var items = new List<AcmeCaaCheckItem>();
            foreach (var (identifier, authz) in order.Identifiers.Zip(authorizations))
            {
                var challenges = await _store.GetChallengesAsync(authz.Id, e.Aborted).ConfigureAwait(false);
                items.Add(new AcmeCaaCheckItem(identifier, challenges.FirstOrDefault(c => c.Status == "valid")?.Type ?? "unknown"));
            }

            if (await _caa.CheckAsync(items, new Uri(e.AccountUrl(account.Id)), e.Aborted).ConfigureAwait(false) is { } caaProblem)
            {
                return caaProblem with { Status = caaProblem.Status ?? 403 };
            }
        }

        AcmeIssuedChains issued;
        try
        {
            issued = await _backend.IssueAsync(csr, order.Identifiers, order.Profile, accountKey.Spki, e.Aborted).ConfigureAwait(false);
        }
        catch (AcmeIssuanceRejectedException ex)
        {
            return new AcmeProblem { Type = ex.ProblemType, Detail = ex.Message, Status = AcmeServerProblemException.StatusFor(ex.ProblemType) };
        }
#pragma warning disable CA1031 // A failing CA leaves the order invalid with serverInternal, logged.
        catch (Exception ex) when (!e.Aborted.IsCancellationRequested)
#pragma warning restore CA1031
        {
            Log.Failed(_logger, ex);
            return new AcmeProblem { Type = AcmeProblemTypes.ServerInternal, Detail = "The CA failed to issue the certificate.", Status = 500 };
        }

        var certificate = new CertificateRecord(
            NewId(),
            account.Id,
            order.Id,
            AriCertId.NormalizeSerial(issued.SerialNumber),
            AriCertId.Create(issued.AuthorityKeyIdentifier, issued.SerialDer),
            issued.ChainsPem,
            issued.NotBefore,
            issued.NotAfter,
            null,
            null,
            null,
            null,
            null);
        if (!await _store.AddCertificateAsync(certificate, order with { Status = "valid", CertificateId = certificate.Id }, e.Aborted).ConfigureAwait(false))
        {
            return new AcmeProblem { Type = AcmeProblemTypes.ServerInternal, Detail = "The order changed while it was being finalized.", Status = 500 };
        }

        _metrics.CertificateIssued();
        Log.CertificateIssued(_logger, certificate.SerialNumber, order.Id);
        return null;
    }

    // ---------------------------------------------------------------- certificates (7.4.2, 7.6)

    public async Task CertificateAsync(Endpoint e, string id, int index)
    {
        var request = await e.ReadAsync(KeyMode.Kid).ConfigureAwait(false);
        var certificate = await _store.GetCertificateAsync(id, e.Aborted).ConfigureAwait(false) ?? throw AcmeServerProblemException.NotFound($"No certificate '{id}' exists.");
        if (certificate.AccountId != request.Account!.Id)
        {
            throw AcmeServerProblemException.Unauthorized("The certificate belongs to another account.");
        }

        if (index < 0 || index >= certificate.ChainsPem.Count)
        {
            throw AcmeServerProblemException.NotFound($"The certificate has no chain {index}.");
        }

        for (var i = 0; i < certificate.ChainsPem.Count; i++)
        {
            if (i != index)
            {
                var url = i == 0 ? e.CertificateUrl(id) : $"{e.CertificateUrl(id)}/{i}";
                e.Context.Response.Headers.Append("Link", $"<{url}>;rel=\"alternate\"");
            }
        }

        e.Context.Response.StatusCode = 200;
        e.Context.Response.ContentType = "application/pem-certificate-chain";
        await e.Context.Response.WriteAsync(certificate.ChainsPem[index], Encoding.ASCII, e.Aborted).ConfigureAwait(false);
    }

    public async Task RevokeCertificateAsync(Endpoint e)
    {
        var request = await e.ReadAsync(KeyMode.Either).ConfigureAwait(false);
        var payload = request.Jws.PayloadObject();
        var certificateText = JwsMessage.OptionalString(payload, "certificate") ?? throw AcmeServerProblemException.Malformed("The revocation payload lacks 'certificate'.");
        var reason = 0;
        if (payload.TryGetProperty("reason", out var reasonElement) && reasonElement.ValueKind != JsonValueKind.Null)
        {
            if (reasonElement.ValueKind != JsonValueKind.Number || !reasonElement.TryGetInt32(out reason) || !AllowedReasons.Contains(reason))
            {
                throw AcmeServerProblemException.Create(AcmeProblemTypes.BadRevocationReason, $"The reason {reasonElement.GetRawText()} is not allowed; use 0, 1, 3, 4, 5 or 9 (RFC 5280 section 5.3.1).");
            }
        }

        byte[] der;
        X509Certificate2 x509;
        try
        {
            der = WebEncoders.Base64UrlDecode(certificateText);
            x509 = CertificateLoading.Load(der);
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            throw AcmeServerProblemException.Malformed("The 'certificate' is not a base64url DER certificate.");
        }

        using (x509)
        {
            var stored = await _store.FindCertificateBySerialAsync(AriCertId.NormalizeSerial(x509.SerialNumber), e.Aborted).ConfigureAwait(false);
            if (stored is null || !PemCodec.DecodeAll(stored.ChainsPem[0], "CERTIFICATE")[0].AsSpan().SequenceEqual(der))
            {
                throw AcmeServerProblemException.NotFound("This server did not issue that certificate.");
            }

            var authorized = request.Account is { } account
                ? account.Id == stored.AccountId
                : x509.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(request.Key.Spki);
            if (!authorized)
            {
                throw AcmeServerProblemException.Unauthorized("Only the issuing account or the certificate's key may revoke it (RFC 8555 section 7.6).");
            }

            var at = _time.GetUtcNow();
            if (!await _store.RevokeAsync(stored.Id, reason, at, e.Aborted).ConfigureAwait(false))
            {
                throw AcmeServerProblemException.Create(AcmeProblemTypes.AlreadyRevoked, "The certificate is already revoked.");
            }

            Log.CertificateRevoked(_logger, stored.SerialNumber, reason);
            await _backend.RevokeAsync(stored.SerialNumber, reason, at, e.Aborted).ConfigureAwait(false);
            e.Context.Response.StatusCode = 200;
        }
    }

    // ---------------------------------------------------------------- ARI (RFC 9773 section 4)

    public async Task RenewalInfoAsync(Endpoint e, string certId)
    {
        var certificate = await _store.FindCertificateByAriIdAsync(AriCertId.Normalize(certId), e.Aborted).ConfigureAwait(false)
            ?? throw AcmeServerProblemException.NotFound($"No certificate '{certId}' was issued by this server.");
        var (start, end) = RenewalWindow(certificate);
        SetRetryAfter(e.Context, _options.RenewalInfoRetryAfter);
        await WriteJsonAsync(e.Context, 200, new RenewalInfoDocument(new RenewalWindow(Time(start), Time(end))), AcmeServerJsonContext.Default.RenewalInfoDocument).ConfigureAwait(false);
    }

    /// <summary>The stored window, or the middle third of the validity; for a revoked certificate a window already open.</summary>
    internal static (DateTimeOffset Start, DateTimeOffset End) RenewalWindow(CertificateRecord certificate)
    {
        if (certificate.RevokedAt is { } revokedAt)
        {
            return (revokedAt - TimeSpan.FromHours(1), revokedAt);
        }

        if (certificate.WindowStart is { } s && certificate.WindowEnd is { } w)
        {
            return (s, w);
        }

        var third = (certificate.NotAfter - certificate.NotBefore) / 3;
        return (certificate.NotBefore + third, certificate.NotBefore + third + third);
    }
}
