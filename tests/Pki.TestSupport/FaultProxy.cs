using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pki.TestSupport;

/// <summary>
/// A loopback TCP proxy that injects faults for real: it listens on 127.0.0.1 (a free port) and
/// forwards to a target host and port, byte for byte, so TLS passes through (it works in front of
/// Pebble's HTTPS). <see cref="Fault"/> can be changed at any time from any thread:
/// <list type="bullet">
/// <item>a new connection gets the fault in force when it is accepted (<see cref="FaultKind.Random"/> draws one per connection);</item>
/// <item>a live forwarded connection (accepted under a fault that is not <see cref="FaultKind.Random"/> and still connected to the target)
/// follows later changes: it stalls, trickles, black-holes or resumes forwarding, is reset for
/// <see cref="FaultKind.Reset"/>, and is closed for <see cref="FaultKind.HttpResponse"/> so the client
/// reconnects and gets the canned answer. So a pooled keep-alive connection cannot dodge a fault.</item>
/// </list>
/// Stall budgets (<see cref="Fault.Bytes"/>) count from the moment a connection takes the fault on.
/// Counters let tests assert what happened. Dispose closes the listener and every connection.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable, IDisposable
{
    private readonly Socket _listener;
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly HashSet<Connection> _connections = [];
    private readonly List<FaultKind> _applied = [];
    private readonly Task _acceptLoop;
    private Fault _fault = Fault.Pass;
    private Random? _random;
    private long _accepted;
    private long _bytesToServer;
    private long _bytesToClient;
    private long _synthesized;
    private long _resets;
    private int _disposed;

    /// <summary>Starts listening on 127.0.0.1 at a free port, forwarding to <paramref name="targetHost"/>:<paramref name="targetPort"/>.</summary>
    /// <param name="targetHost">The host to forward to (a name or an address).</param>
    /// <param name="targetPort">The port to forward to.</param>
    /// <param name="timeProvider">The clock of <see cref="FaultKind.Trickle"/> pauses; the system clock when null.</param>
    public FaultProxy(string targetHost, int targetPort, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetHost);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetPort);
        _targetHost = targetHost;
        _targetPort = targetPort;
        _time = timeProvider ?? TimeProvider.System;
        Port = FreePorts.Tcp();
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, Port));
            _listener.Listen(512);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }

        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>A proxy in front of the host and port of <paramref name="target"/>.</summary>
    public static FaultProxy For(Uri target, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new FaultProxy(target.Host, target.Port, timeProvider);
    }

    /// <summary>The port the proxy listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>The address the proxy listens on.</summary>
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>The fault in force; setting it is thread-safe and applies as the class summary says.</summary>
    public Fault Fault
    {
        get
        {
            lock (_gate)
            {
                return _fault;
            }
        }

        set
        {
            ArgumentNullException.ThrowIfNull(value);
            List<Connection> followers;
            lock (_gate)
            {
                _fault = value;
                _random = value.Kind == FaultKind.Random ? new Random(value.Seed) : null;
                followers = [.. _connections.Where(c => c.Follows)];
            }

            if (value.Kind != FaultKind.Random)
            {
                foreach (var connection in followers)
                {
                    connection.Adopt(value);
                }
            }
        }
    }

    /// <summary>Connections accepted so far.</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _accepted);

    /// <summary>Bytes forwarded from clients to the target.</summary>
    public long BytesToServer => Interlocked.Read(ref _bytesToServer);

    /// <summary>Bytes forwarded from the target to clients.</summary>
    public long BytesToClient => Interlocked.Read(ref _bytesToClient);

    /// <summary>Responses the proxy answered itself (<see cref="FaultKind.HttpResponse"/>).</summary>
    public long ResponsesSynthesized => Interlocked.Read(ref _synthesized);

    /// <summary>Connections reset by <see cref="FaultKind.Reset"/> (new or live).</summary>
    public long ConnectionsReset => Interlocked.Read(ref _resets);

    /// <summary>Connections open now.</summary>
    public int ActiveConnections
    {
        get
        {
            lock (_gate)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>The fault each accepted connection got, in the order of acceptance (what <see cref="FaultKind.Random"/> drew).</summary>
    public IReadOnlyList<FaultKind> AppliedFaults
    {
        get
        {
            lock (_gate)
            {
                return [.. _applied];
            }
        }
    }

    /// <summary><paramref name="uri"/> with its host and port replaced by the proxy's (path, query and scheme kept).</summary>
    public Uri Map(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return new UriBuilder(uri) { Host = "127.0.0.1", Port = Port }.Uri;
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        List<Connection> open;
        lock (_gate)
        {
            open = [.. _connections];
        }

        foreach (var connection in open)
        {
            connection.Abort();
        }

        try
        {
            await Task.WhenAll(open.Select(c => c.Completion).Append(_acceptLoop)).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Every socket is closed; a task still winding down holds nothing.
        }

        _stop.Dispose();
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>A description for test output.</summary>
    public override string ToString() =>
        $"FaultProxy 127.0.0.1:{Port} -> {_targetHost}:{_targetPort} [{Fault}] accepted {ConnectionsAccepted}, to server {BytesToServer} B, to client {BytesToClient} B, reset {ConnectionsReset}, synthesized {ResponsesSynthesized}";

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            Interlocked.Increment(ref _accepted);
            client.NoDelay = true;
            var connection = new Connection(this, client);
            Fault fault;
            lock (_gate)
            {
                fault = _fault;
                connection.Follows = fault.Kind != FaultKind.Random;
                if (fault.Kind == FaultKind.Random)
                {
                    fault = Draw(fault, _random!);
                }

                _applied.Add(fault.Kind);
                _connections.Add(connection);
            }

            connection.Completion = Task.Run(() => connection.RunAsync(fault));
        }
    }

    private static Fault Draw(Fault random, Random generator)
    {
        var point = generator.NextDouble() * random.Choices.Sum(c => c.Weight);
        foreach (var (fault, weight) in random.Choices)
        {
            if (point < weight)
            {
                return fault;
            }

            point -= weight;
        }

        return random.Choices.Last(c => c.Weight > 0).Fault;
    }

    private void Remove(Connection connection)
    {
        lock (_gate)
        {
            _connections.Remove(connection);
        }
    }

    private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    private static string ReasonPhrase(int status) => status switch
    {
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status " + status.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>One accepted connection and, when forwarded, its connection to the target.</summary>
    private sealed class Connection
    {
        private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

        private readonly FaultProxy _proxy;
        private readonly Socket _client;
        private readonly CancellationTokenSource _cts;
        private readonly object _lock = new();
        private Socket? _server;
        private Fault _fault = Fault.Pass;
        private long _budget;
        private int _headerMatch;
        private bool _headersDone;
        private bool _clientEnded;
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Connection(FaultProxy proxy, Socket client)
        {
            _proxy = proxy;
            _client = client;
            _cts = CancellationTokenSource.CreateLinkedTokenSource(proxy._stop.Token);
        }

        /// <summary>Whether the connection takes on later changes of the proxy's fault.</summary>
        public bool Follows { get; set; }

        public Task Completion { get; set; } = Task.CompletedTask;

        public async Task RunAsync(Fault fault)
        {
            try
            {
                switch (fault.Kind)
                {
                    case FaultKind.Reset:
                        Interlocked.Increment(ref _proxy._resets);
                        Abort();
                        return;
                    case FaultKind.BlackHole:
                        await SwallowAsync().ConfigureAwait(false);
                        return;
                    case FaultKind.HttpResponse:
                        await AnswerAsync(fault).ConfigureAwait(false);
                        return;
                    default:
                        break;
                }

                var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                lock (_lock)
                {
                    _server = server;
                    Take(fault);
                }

                if (_cts.IsCancellationRequested)
                {
                    return;
                }

                await server.ConnectAsync(_proxy._targetHost, _proxy._targetPort, _cts.Token).ConfigureAwait(false);
                await Task.WhenAll(GuardAsync(ClientToServerAsync(server)), GuardAsync(ServerToClientAsync(server))).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                Abort();
            }
            finally
            {
                Close();
                _proxy.Remove(this);
            }
        }

        /// <summary>Takes on the proxy's new fault (see <see cref="FaultProxy"/>).</summary>
        public void Adopt(Fault fault)
        {
            switch (fault.Kind)
            {
                case FaultKind.Reset:
                    Interlocked.Increment(ref _proxy._resets);
                    Abort();
                    break;
                case FaultKind.HttpResponse:
                    Close();
                    break;
                default:
                    lock (_lock)
                    {
                        if (_server is not null)
                        {
                            Take(fault);
                        }
                    }

                    break;
            }
        }

        /// <summary>Resets both sides (RST).</summary>
        public void Abort()
        {
            Socket? server;
            lock (_lock)
            {
                server = _server;
            }

            foreach (var socket in new[] { _client, server })
            {
                try
                {
                    if (socket is not null)
                    {
                        socket.LingerState = new LingerOption(true, 0);
                    }
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    // Already closed.
                }

                socket?.Dispose();
            }

            Cancel();
        }

        private void Close()
        {
            Socket? server;
            lock (_lock)
            {
                server = _server;
            }

            _client.Dispose();
            server?.Dispose();
            Cancel();
        }

        private void Cancel()
        {
            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Finished already.
            }
        }

        // Called under _lock.
        private void Take(Fault fault)
        {
            _fault = fault;
            _budget = fault.Bytes;
            _headerMatch = 0;
            _headersDone = false;
            Signal();
        }

        // Called under _lock.
        private void Signal()
        {
            var changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.TrySetResult();
        }

        private async Task GuardAsync(Task pump)
        {
            try
            {
                await pump.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                Abort();
            }
        }

        private async Task ClientToServerAsync(Socket server)
        {
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var read = await _client.ReceiveAsync(buffer, SocketFlags.None, _cts.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    // The client is done: pass the half-close on, and wake a stalled pump so it can end.
                    ShutdownSend(server);
                    lock (_lock)
                    {
                        _clientEnded = true;
                        Signal();
                    }

                    return;
                }

                while (true)
                {
                    Task wait;
                    lock (_lock)
                    {
                        if (_fault.Kind != FaultKind.BlackHole)
                        {
                            break;
                        }

                        wait = _changed.Task;
                    }

                    await wait.WaitAsync(_cts.Token).ConfigureAwait(false);
                }

                await SendAllAsync(server, buffer.AsMemory(0, read), _cts.Token).ConfigureAwait(false);
                Interlocked.Add(ref _proxy._bytesToServer, read);
            }
        }

        private async Task ServerToClientAsync(Socket server)
        {
            var buffer = new byte[16 * 1024];
            int start = 0, end = 0;
            while (true)
            {
                if (start == end)
                {
                    var read = await server.ReceiveAsync(buffer, SocketFlags.None, _cts.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        ShutdownSend(_client);
                        return;
                    }

                    (start, end) = (0, read);
                }

                int allowed;
                TimeSpan pause;
                Task changed;
                bool clientEnded;
                lock (_lock)
                {
                    (allowed, pause) = Allowance(buffer.AsSpan(start, end - start));
                    changed = _changed.Task;
                    clientEnded = _clientEnded;
                }

                if (allowed == 0)
                {
                    if (clientEnded)
                    {
                        return; // stalled and nobody left to stall for
                    }

                    await changed.WaitAsync(_cts.Token).ConfigureAwait(false);
                    continue;
                }

                await SendAllAsync(_client, buffer.AsMemory(start, allowed), _cts.Token).ConfigureAwait(false);
                Interlocked.Add(ref _proxy._bytesToClient, allowed);
                start += allowed;
                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, _proxy._time, _cts.Token).ConfigureAwait(false);
                }
            }
        }

        /// <summary>How many of the pending server bytes may go to the client now (called under _lock; consumes budgets).</summary>
        private (int Allowed, TimeSpan Pause) Allowance(ReadOnlySpan<byte> pending)
        {
            switch (_fault.Kind)
            {
                case FaultKind.BlackHole:
                    return (0, TimeSpan.Zero);
                case FaultKind.Trickle:
                    return (Math.Min(pending.Length, _fault.ChunkBytes), _fault.Interval);
                case FaultKind.StallAfter:
                {
                    var allowed = (int)Math.Min(pending.Length, _budget);
                    _budget -= allowed;
                    return (allowed, TimeSpan.Zero);
                }

                case FaultKind.StallAfterHeaders:
                {
                    var headerBytes = 0;
                    if (!_headersDone)
                    {
                        while (headerBytes < pending.Length && !_headersDone)
                        {
                            _headerMatch = pending[headerBytes] == HeaderEnd[_headerMatch] ? _headerMatch + 1 : pending[headerBytes] == HeaderEnd[0] ? 1 : 0;
                            _headersDone = _headerMatch == HeaderEnd.Length;
                            headerBytes++;
                        }

                        if (!_headersDone)
                        {
                            return (headerBytes, TimeSpan.Zero);
                        }
                    }

                    var body = (int)Math.Min(pending.Length - headerBytes, _budget);
                    _budget -= body;
                    return (headerBytes + body, TimeSpan.Zero);
                }

                default:
                    return (pending.Length, TimeSpan.Zero);
            }
        }

        /// <summary>Black hole: read and drop what the client sends; never answer, never close (until the client does).</summary>
        private async Task SwallowAsync()
        {
            var buffer = new byte[16 * 1024];
            while (await _client.ReceiveAsync(buffer, SocketFlags.None, _cts.Token).ConfigureAwait(false) > 0)
            {
            }
        }

        /// <summary>Reads one HTTP/1.1 request and answers it with the canned response, then closes.</summary>
        private async Task AnswerAsync(Fault fault)
        {
            var buffer = new byte[64 * 1024];
            var length = 0;
            int headerEnd;
            while ((headerEnd = buffer.AsSpan(0, length).IndexOf(HeaderEnd)) < 0)
            {
                if (length == buffer.Length)
                {
                    throw new IOException("The request headers are larger than 64 KiB.");
                }

                var read = await _client.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, _cts.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                length += read;
            }

            var head = Encoding.ASCII.GetString(buffer, 0, headerEnd);
            var remaining = ContentLength(head) - (length - headerEnd - HeaderEnd.Length);
            while (remaining > 0)
            {
                var read = await _client.ReceiveAsync(buffer, SocketFlags.None, _cts.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                remaining -= read;
            }

            var body = Encoding.UTF8.GetBytes(fault.Body);
            var response = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {fault.StatusCode} {ReasonPhrase(fault.StatusCode)}\r\n")
                .Append(CultureInfo.InvariantCulture, $"Content-Type: {fault.ContentType}\r\n")
                .Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
            if (fault.RetryAfter is not null)
            {
                response.Append(CultureInfo.InvariantCulture, $"Retry-After: {fault.RetryAfter}\r\n");
            }

            response.Append("Connection: close\r\n\r\n");
            var isHead = head.StartsWith("HEAD ", StringComparison.Ordinal);

            // Counted before the client can see the answer, so a test that reads the count after its
            // request returned never sees it short.
            Interlocked.Increment(ref _proxy._synthesized);
            await SendAllAsync(_client, Encoding.ASCII.GetBytes(response.ToString()), _cts.Token).ConfigureAwait(false);
            if (!isHead)
            {
                await SendAllAsync(_client, body, _cts.Token).ConfigureAwait(false);
            }

            // Close after the client has read the answer, so no unread data turns the close into a reset.
            ShutdownSend(_client);
            while (await _client.ReceiveAsync(buffer, SocketFlags.None, _cts.Token).ConfigureAwait(false) > 0)
            {
            }
        }

        private static long ContentLength(string head)
        {
            foreach (var line in head.Split("\r\n"))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && line.AsSpan(0, colon).Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                    && long.TryParse(line.AsSpan(colon + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }
            }

            return 0;
        }

        private static void ShutdownSend(Socket socket)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Gone already.
            }
        }
    }
}
