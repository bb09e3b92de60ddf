using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pki.Acme.Internal;

namespace Pki.Acme;

/// <summary>
/// A built-in http-01 responder: an HTTP listener that answers
/// <c>GET /.well-known/acme-challenge/{token}</c> from an <see cref="IHttp01TokenStore"/> through
/// <see cref="Http01Endpoint"/> (RFC 8555 section 8.3) and 404 for anything else, including a path
/// segment that is not a well-formed token: the store never sees one. An
/// <see cref="IAsyncHttp01TokenStore"/> is asked asynchronously, so tokens presented by other
/// instances are answered too. The CA connects on port 80 in production. Dispose it to stop listening;
/// the store stays the caller's.
/// </summary>
public sealed class Http01Responder : IAsyncDisposable
{
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

    /// <summary>The store the answers come from (the one given to <see cref="Start"/>); give the same one to the <see cref="Http01ChallengeSolver"/>.</summary>
    public IHttp01TokenStore Store => _store;

    /// <summary>Starts listening on <paramref name="port"/> on every interface (prefix <c>http://*:port/</c>), or on the given <see cref="HttpListener"/> prefixes.</summary>
    /// <exception cref="AcmeConfigurationException">The port is outside 1-65535, or the listener could not start (port in use, no permission).</exception>
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
            var response = context.Response;
            var keyAuthorization = context.Request.HttpMethod == "GET"
                ? await Http01Endpoint.FindKeyAuthorizationAsync(_store, context.Request.Url?.AbsolutePath, CancellationToken.None).ConfigureAwait(false)
                : null;
            if (keyAuthorization is not null)
            {
                var body = Http01Endpoint.GetBody(keyAuthorization);
                response.StatusCode = 200;
                response.ContentType = Http01Endpoint.ContentType;
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

    /// <summary>Stops listening and waits for the accept loop to end; requests in flight may still complete.</summary>
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
