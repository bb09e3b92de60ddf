using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pki.TestSupport;

/// <summary>
/// A small TCP server on 127.0.0.1 (a free port) that runs a handler per connection: the upstream
/// behind a <see cref="FaultProxy"/> in tests, or a server that answers what no real one would
/// (e.g. bytes that are not HTTP). <see cref="Http"/> makes a keep-alive HTTP/1.1 server from a
/// function of the request. Dispose stops it and closes every connection.
/// </summary>
public sealed class LoopbackTcpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<NetworkStream, CancellationToken, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;
    private long _accepted;

    /// <summary>Starts the server; <paramref name="handler"/> runs for each connection, which is closed when it returns.</summary>
    public LoopbackTcpServer(Func<NetworkStream, CancellationToken, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
        Port = FreePorts.Tcp();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The port (on 127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>Connections accepted so far.</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _accepted);

    /// <summary>
    /// An HTTP/1.1 server: each request (its head: request line and headers) goes to
    /// <paramref name="respond"/>, whose bytes are sent back as they are; connections are kept alive.
    /// </summary>
    public static LoopbackTcpServer Http(Func<string, byte[]> respond)
    {
        ArgumentNullException.ThrowIfNull(respond);
        return new LoopbackTcpServer(async (stream, cancellationToken) =>
        {
            while (await ReadRequestHeadAsync(stream, cancellationToken).ConfigureAwait(false) is { } head)
            {
                await stream.WriteAsync(respond(head), cancellationToken).ConfigureAwait(false);
            }
        });
    }

    /// <summary>An HTTP/1.1 response with a Content-Length, optional extra headers and the body.</summary>
    public static byte[] HttpResponse(int status, string body, string contentType = "application/json", params (string Name, string Value)[] headers)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(headers);
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} Status\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Type: {contentType}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {bytes.Length}\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        head.Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. bytes];
    }

    /// <summary>Reads one request head (through the empty line) and skips its body (Content-Length); null when the client closed.</summary>
    public static async Task<string?> ReadRequestHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                return null;
            }

            head.Add(one[0]);
        }

        var text = Encoding.ASCII.GetString([.. head]);
        var length = text.Split("\r\n")
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2 && parts[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(parts => long.Parse(parts[1].Trim(), CultureInfo.InvariantCulture))
            .FirstOrDefault();
        var skip = new byte[4096];
        while (length > 0)
        {
            var read = await stream.ReadAsync(skip.AsMemory(0, (int)Math.Min(skip.Length, length)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            length -= read;
        }

        return text;
    }

    /// <summary>Stops the server and closes its connections.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        Task[] open;
        lock (_connections)
        {
            open = [.. _connections];
        }

        try
        {
            await Task.WhenAll(open.Append(_acceptLoop)).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A handler that ignores cancellation; its socket is closed with the process.
        }

        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            Interlocked.Increment(ref _accepted);
            lock (_connections)
            {
                _connections.Add(Task.Run(() => ServeAsync(client)));
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            client.NoDelay = true;
            var stream = client.GetStream();
            await using (stream.ConfigureAwait(false))
            {
                using var registration = _stop.Token.Register(client.Dispose);
                try
                {
                    await _handler(stream, _stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // The client went away or the server stops.
                }
            }
        }
    }
}
