using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pki.Acme.Internal;
using Pki.Shared;

namespace Pki.Acme;

/// <summary>
/// A built-in http-01 responder: it answers <c>GET /.well-known/acme-challenge/{token}</c> from an
/// <see cref="IHttp01TokenStore"/> through <see cref="Http01Endpoint"/> (RFC 8555 section 8.3) and
/// 404 for anything else, including a path segment that is not a well-formed token: the store never
/// sees one. An <see cref="IAsyncHttp01TokenStore"/> is asked asynchronously, so tokens presented by
/// other instances are answered too. The CA connects on port 80 in production. Two bindings:
/// <list type="bullet">
/// <item><see cref="Start(IHttp01TokenStore, IPEndPoint, ILogger?, TimeProvider?)"/> listens on one
/// address (e.g. <c>127.0.0.1</c> behind a proxy, or one interface) and answers whatever <c>Host</c>
/// the request names, as the CA's validator sends the domain being validated. Needs no admin rights
/// (beyond those for ports below 1024).</item>
/// <item><see cref="Start(IHttp01TokenStore, int, ILogger?, IEnumerable{string}?)"/> uses an
/// <see cref="HttpListener"/>: its default prefix <c>http://*:port/</c> answers any Host on every
/// interface, but a prefix such as <c>http://127.0.0.1:port/</c> answers only that Host and 404 for
/// <c>Host: www.example.com</c>.</item>
/// </list>
/// Dispose it to stop listening; the store stays the caller's.
/// </summary>
public sealed class Http01Responder : IAsyncDisposable
{
    /// <summary>
    /// The most bytes a request line and headers may take on an <see cref="IPEndPoint"/> binding
    /// (8 KiB, far more than a validator sends); a longer head is answered 431 and the connection closed.
    /// </summary>
    public const int MaxRequestHeadBytes = 8192;

    /// <summary>The most concurrent connections on an <see cref="IPEndPoint"/> binding; further ones are closed at once until one ends.</summary>
    public const int MaxConnections = 128;

    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();
    private readonly HttpListener? _listener;
    private readonly TcpListener? _tcp;
    private readonly TimeProvider _time;
    private readonly IHttp01TokenStore _store;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _connections;

    private Http01Responder(HttpListener? listener, TcpListener? tcp, IHttp01TokenStore store, ILogger logger, TimeProvider time)
    {
        _listener = listener;
        _tcp = tcp;
        _store = store;
        _logger = logger;
        _time = time;
        _loop = Task.Run(tcp is null ? AcceptLoopAsync : AcceptTcpLoopAsync);
    }

    /// <summary>
    /// How long a client of an <see cref="IPEndPoint"/> binding may take from connecting to the end of
    /// its request head (10 s, on the responder's <see cref="TimeProvider"/>); a slower one is closed unanswered.
    /// </summary>
    public static TimeSpan RequestReadTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>The store the answers come from (the one given to <c>Start</c>); give the same one to the <see cref="Http01ChallengeSolver"/>.</summary>
    public IHttp01TokenStore Store => _store;

    /// <summary>The address and port listened on when started with an <see cref="IPEndPoint"/> (with the port chosen when 0 was asked for); null for <see cref="HttpListener"/> prefixes.</summary>
    public IPEndPoint? LocalEndPoint => (IPEndPoint?)_tcp?.LocalEndpoint;

    /// <summary>
    /// Starts listening on <paramref name="port"/> on every interface (prefix <c>http://*:port/</c>,
    /// any Host), or on the given <see cref="HttpListener"/> prefixes (which also restrict the Host:
    /// to bind one address and still answer any Host, use the <see cref="IPEndPoint"/> overload).
    /// </summary>
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

        return new Http01Responder(listener, null, store, logger ?? NullLogger.Instance, TimeProvider.System);
    }

    /// <summary>
    /// Starts listening on <paramref name="endPoint"/> (e.g. <c>127.0.0.1:80</c>, or port 0 for any
    /// free port, see <see cref="LocalEndPoint"/>) and answers HTTP/1.0 and HTTP/1.1 whatever their
    /// <c>Host</c> header, one request per connection. Each connection must deliver its request head
    /// within <see cref="RequestReadTimeout"/> and <see cref="MaxRequestHeadBytes"/>; a malformed head
    /// is answered 400, an oversized one 431.
    /// </summary>
    /// <param name="store">The tokens to answer.</param>
    /// <param name="endPoint">The address and port to bind.</param>
    /// <param name="logger">Receives connection failures (Debug).</param>
    /// <param name="timeProvider">The clock of the read deadline (default <see cref="TimeProvider.System"/>).</param>
    /// <exception cref="AcmeConfigurationException">The address and port could not be bound (in use, no permission).</exception>
    public static Http01Responder Start(IHttp01TokenStore store, IPEndPoint endPoint, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var listener = ResponderListener.Start(endPoint, AcmeChallengeResource.Http01);
        return new Http01Responder(null, listener, store, logger ?? NullLogger.Instance, timeProvider ?? TimeProvider.System);
    }

    private async Task AcceptLoopAsync()
    {
        while (_listener!.IsListening)
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

    private async Task AcceptTcpLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _tcp!.AcceptTcpClientAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            if (Interlocked.Increment(ref _connections) > MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                client.Dispose();
                continue;
            }

            _ = Task.Run(() => ServeConnectionAsync(client));
        }
    }

    private async Task ServeConnectionAsync(TcpClient client)
    {
        var remote = client.Client.RemoteEndPoint?.ToString() ?? "?";
        var buffer = ArrayPool<byte>.Shared.Rent(MaxRequestHeadBytes);
        try
        {
            using var deadline = TimeProviderDelay.CreateTimeoutSource(_time, RequestReadTimeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, _stop.Token);

            // Closing the socket ends a pending read on every target, whether or not it honours the token.
            using var closeOnDeadline = linked.Token.Register(client.Dispose);
            var stream = client.GetStream();
            var (status, path, isHead) = await ReadRequestAsync(stream, buffer, linked.Token).ConfigureAwait(false);
            if (status is null)
            {
                return; // the client closed, or stalled past the deadline: nothing to answer
            }

            var keyAuthorization = status == 200
                ? await Http01Endpoint.FindKeyAuthorizationAsync(_store, path, linked.Token).ConfigureAwait(false)
                : null;
            var response = BuildResponse(keyAuthorization is null && status == 200 ? 404 : status.Value, keyAuthorization, isHead);
            await stream.WriteAsync(response, linked.Token).ConfigureAwait(false);
            client.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Log.Http01ConnectionFailed(_logger, remote, ex.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            client.Dispose();
            Interlocked.Decrement(ref _connections);
        }
    }

    /// <summary>
    /// Reads one request head (RFC 9112 section 2.1: request line, headers, empty line). Returns the
    /// status to answer (200 meaning "look the path up", 404 for other methods, 400 malformed, 431 too
    /// large) or null when the client closed before a whole head arrived.
    /// </summary>
    private static async Task<(int? Status, string? Path, bool IsHead)> ReadRequestAsync(NetworkStream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var length = 0;
        int end;
        while ((end = buffer.AsSpan(0, length).IndexOf(EndOfHead)) < 0)
        {
            if (length == MaxRequestHeadBytes)
            {
                return (431, null, false);
            }

            int read;
            try
            {
                read = await stream.ReadAsync(buffer.AsMemory(length, MaxRequestHeadBytes - length), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return (null, null, false); // the read deadline passed (or the responder stops)
            }

            if (read == 0)
            {
                return (null, null, false);
            }

            length += read;
        }

        var lineEnd = buffer.AsSpan(0, end + 2).IndexOf("\r\n"u8);
        return ParseRequestLine(buffer.AsSpan(0, lineEnd));
    }

    /// <summary>Parses <c>method SP request-target SP HTTP-version</c> (RFC 9112 section 3), strictly: one space each, printable ASCII only.</summary>
    private static (int? Status, string? Path, bool IsHead) ParseRequestLine(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
        {
            if (b is < 0x21 or > 0x7E && b != (byte)' ')
            {
                return (400, null, false);
            }
        }

        var parts = Encoding.ASCII.GetString(line).Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0 || parts[2] is not ("HTTP/1.1" or "HTTP/1.0"))
        {
            return (400, null, false);
        }

        var target = parts[1];
        string path;
        if (target.StartsWith('/'))
        {
            var query = target.IndexOf('?', StringComparison.Ordinal);
            path = query < 0 ? target : target[..query];
        }
        else if (Uri.TryCreate(target, UriKind.Absolute, out var absolute) && absolute.Scheme == Uri.UriSchemeHttp)
        {
            path = absolute.AbsolutePath; // absolute-form (RFC 9112 section 3.2.2), as a proxy would send
        }
        else
        {
            return (400, null, false);
        }

        return parts[0] switch
        {
            "GET" => (200, path, false),
            "HEAD" => (200, path, true),
            _ => (404, null, false),
        };
    }

    private static byte[] BuildResponse(int status, string? keyAuthorization, bool isHead)
    {
        var reason = status switch
        {
            200 => "OK",
            400 => "Bad Request",
            404 => "Not Found",
            _ => "Request Header Fields Too Large",
        };
        var body = keyAuthorization is null ? [] : Http01Endpoint.GetBody(keyAuthorization);
        var head = new StringBuilder()
            .Append("HTTP/1.1 ").Append(status).Append(' ').Append(reason).Append("\r\n");
        if (keyAuthorization is not null)
        {
            head.Append("Content-Type: ").Append(Http01Endpoint.ContentType).Append("\r\n");
        }

        head.Append("Content-Length: ").Append(body.Length).Append("\r\nConnection: close\r\n\r\n");
        var headBytes = Encoding.ASCII.GetBytes(head.ToString());
        return isHead ? headBytes : [.. headBytes, .. body];
    }

    /// <summary>Stops listening and waits for the accept loop to end; requests in flight may still complete, stalled connections are closed.</summary>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_listener is not null)
        {
            if (_listener.IsListening)
            {
                _listener.Stop();
            }

            _listener.Close();
        }

        _tcp?.Stop();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
