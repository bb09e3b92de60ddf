using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pki.Acme.Internal;

namespace Pki.Acme;

/// <summary>
/// The http-01 tokens currently presented (RFC 8555 section 8.3). Applications that serve
/// <c>/.well-known/acme-challenge/</c> themselves answer a GET for token T with
/// <c>TryGet(T, out keyAuthorization)</c> as <c>application/octet-stream</c>.
/// </summary>
/// <remarks>
/// Tokens come from the CA and from whoever sends a request to the well-known path. An
/// implementation that uses the token as a key into anything (a file name, a cache key) MUST
/// refuse tokens for which <see cref="AcmeChallengeResource.IsWellFormedToken"/> is false
/// (<see cref="Add"/> throws, <see cref="TryGet"/> and <see cref="Remove"/> return false).
/// </remarks>
public interface IHttp01TokenStore
{
    /// <summary>Presents a token.</summary>
    void Add(string token, string keyAuthorization);

    /// <summary>Withdraws a token; false when it was not there.</summary>
    bool Remove(string token);

    /// <summary>Looks a token up.</summary>
    bool TryGet(string token, out string keyAuthorization);
}

/// <summary>
/// An <see cref="IHttp01TokenStore"/> whose tokens are shared by several instances (a web farm), so
/// whichever instance the CA reaches answers. The contract, in RFC 2119 words:
/// <list type="bullet">
/// <item><see cref="AddAsync"/> MUST make the token answerable by every instance sharing the store
/// before it returns, and MUST throw when it could not.</item>
/// <item><see cref="FindAsync"/> MUST see a token added by any instance once that instance's
/// <see cref="AddAsync"/> returned; it MUST NOT remember that a token was missing (the CA may ask
/// right after the token was added elsewhere), and MUST bound the time it waits for the shared store;
/// it SHOULD answer null rather than throw when the shared store fails (its callers are web servers).</item>
/// <item>The synchronous members of <see cref="IHttp01TokenStore"/> act on this instance only.
/// <see cref="Http01ChallengeSolver"/> and <see cref="Http01Responder"/> use the asynchronous ones.</item>
/// </list>
/// </summary>
public interface IAsyncHttp01TokenStore : IHttp01TokenStore
{
    /// <summary>Presents a token to every instance sharing the store.</summary>
    Task AddAsync(string token, string keyAuthorization, CancellationToken cancellationToken);

    /// <summary>Withdraws a token from every instance; false when it was not there.</summary>
    Task<bool> RemoveAsync(string token, CancellationToken cancellationToken);

    /// <summary>The key authorization for <paramref name="token"/>, presented by any instance; null when there is none.</summary>
    ValueTask<string?> FindAsync(string token, CancellationToken cancellationToken);
}

/// <summary>A thread-safe in-memory <see cref="IHttp01TokenStore"/>.</summary>
public sealed class InMemoryHttp01TokenStore : IHttp01TokenStore
{
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);

    /// <summary>How many tokens are presented now.</summary>
    public int Count => _tokens.Count;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The token is not base64url of at most 256 characters (RFC 8555 section 8.3), or the key authorization is empty.</exception>
    public void Add(string token, string keyAuthorization)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        ArgumentException.ThrowIfNullOrEmpty(keyAuthorization);
        if (!AcmeChallengeResource.IsWellFormedToken(token))
        {
            throw new ArgumentException($"The http-01 token '{IdentifierKeys.Printable(token)}' is not base64url of at most {AcmeChallengeResource.MaxTokenLength} characters (RFC 8555 section 8.3).", nameof(token));
        }

        _tokens[token] = keyAuthorization;
    }

    /// <inheritdoc />
    public bool Remove(string token) => AcmeChallengeResource.IsWellFormedToken(token) && _tokens.TryRemove(token, out _);

    /// <inheritdoc />
    public bool TryGet(string token, out string keyAuthorization)
    {
        if (AcmeChallengeResource.IsWellFormedToken(token) && _tokens.TryGetValue(token, out var value))
        {
            keyAuthorization = value;
            return true;
        }

        keyAuthorization = string.Empty;
        return false;
    }
}

/// <summary>
/// Solves http-01 by putting the key authorization into an <see cref="IHttp01TokenStore"/> that
/// something serves; an <see cref="IAsyncHttp01TokenStore"/> is awaited, so the token is in the shared
/// store before the challenge is answered.
/// </summary>
public sealed class Http01ChallengeSolver : IChallengeSolver
{
    private readonly IHttp01TokenStore _store;

    /// <summary>Creates the solver over <paramref name="store"/> (served by an <see cref="Http01Responder"/> or by the application).</summary>
    public Http01ChallengeSolver(IHttp01TokenStore store) => _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <inheritdoc />
    public string ChallengeType => AcmeChallengeResource.Http01;

    /// <inheritdoc />
    public Task PresentAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_store is IAsyncHttp01TokenStore shared)
        {
            return shared.AddAsync(context.Token, context.KeyAuthorization, cancellationToken);
        }

        _store.Add(context.Token, context.KeyAuthorization);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task CleanupAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_store is IAsyncHttp01TokenStore shared)
        {
            return shared.RemoveAsync(context.Token, cancellationToken);
        }

        _store.Remove(context.Token);
        return Task.CompletedTask;
    }
}

/// <summary>
/// A built-in http-01 responder: an HTTP listener that answers
/// <c>GET /.well-known/acme-challenge/{token}</c> from an <see cref="IHttp01TokenStore"/>
/// (RFC 8555 section 8.3) and 404 for anything else, including a path segment that is not a
/// well-formed token (<see cref="AcmeChallengeResource.IsWellFormedToken"/>): the store never sees
/// one. An <see cref="IAsyncHttp01TokenStore"/> is asked asynchronously, so tokens presented by other
/// instances are answered too. The CA connects on port 80 in production.
/// </summary>
public sealed class Http01Responder : IAsyncDisposable
{
    private const string PathPrefix = "/.well-known/acme-challenge/";
    private readonly HttpListener _listener;
    private readonly IHttp01TokenStore _store;
    private readonly ILogger _logger;
    private readonly Task _loop;

    private Http01Responder(HttpListener listener, IHttp01TokenStore store, ILogger logger)
    {
        _listener = listener;
        _store = store;
        _logger = logger;
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The store served.</summary>
    public IHttp01TokenStore Store => _store;

    /// <summary>Starts listening on <paramref name="port"/> on every interface (prefix <c>http://*:port/</c>), or on the given prefixes.</summary>
    /// <exception cref="AcmeConfigurationException">The listener could not start (port in use, no permission).</exception>
    public static Http01Responder Start(IHttp01TokenStore store, int port = 80, ILogger? logger = null, IEnumerable<string>? prefixes = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (port is <= 0 or > 65535)
        {
            throw new AcmeConfigurationException($"The http-01 responder port must be 1-65535; it is {port}.");
        }

        var listener = new HttpListener();
        foreach (var prefix in prefixes ?? [$"http://*:{port}/"])
        {
            listener.Prefixes.Add(prefix);
        }

        try
        {
            listener.Start();
        }
        catch (HttpListenerException ex)
        {
            listener.Close();
            throw new AcmeConfigurationException($"The http-01 responder could not listen on {string.Join(", ", prefixes ?? [$"port {port}"])}: {ex.Message}", ex);
        }

        return new Http01Responder(listener, store, logger ?? NullLogger.Instance);
    }

    private async Task AcceptLoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        try
        {
            var path = context.Request.Url?.AbsolutePath ?? string.Empty;
            var response = context.Response;
            var token = path.StartsWith(PathPrefix, StringComparison.Ordinal) ? path[PathPrefix.Length..] : string.Empty;
            var keyAuthorization = context.Request.HttpMethod == "GET" && AcmeChallengeResource.IsWellFormedToken(token)
                ? await FindAsync(token).ConfigureAwait(false)
                : null;
            if (keyAuthorization is not null)
            {
                var body = Encoding.ASCII.GetBytes(keyAuthorization);
                response.StatusCode = 200;
                response.ContentType = "application/octet-stream";
                response.ContentLength64 = body.Length;
                await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
            }
            else
            {
                response.StatusCode = 404;
            }

            response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            Log.ResponderFailed(_logger, ex);
        }
    }

    private ValueTask<string?> FindAsync(string token) =>
        _store is IAsyncHttp01TokenStore shared
            ? shared.FindAsync(token, CancellationToken.None)
            : new(_store.TryGet(token, out var keyAuthorization) ? keyAuthorization : null);

    /// <summary>Stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_listener.IsListening)
        {
            _listener.Stop();
        }

        _listener.Close();
        await _loop.ConfigureAwait(false);
    }
}
