using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit.Abstractions;

namespace Pki.TestSupport;

/// <summary>
/// A child process that a test fixture starts and owns: it waits for a readiness signal (a log
/// line or an open TCP port) with a timeout that fails with the process's log, streams every log
/// line to the current test's output, and kills the whole process tree on dispose.
/// </summary>
public sealed class ExternalProcess : IAsyncDisposable, IDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Live = new();
    private readonly Process _process;
    private readonly ExternalProcessOptions _options;
    private readonly ConcurrentQueue<string> _log = new();
    private readonly TaskCompletionSource<bool> _logReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Action<string>> _listeners = [];
    private volatile ITestOutputHelper? _output;
    private int _disposed;

    static ExternalProcess()
    {
        // Last line of defence: if the test host exits without disposing a fixture, take the
        // children with it so no peer outlives the run and holds its ports.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Live.Values)
            {
                TryKillTree(process);
            }
        };
    }

    private ExternalProcess(Process process, ExternalProcessOptions options)
    {
        _process = process;
        _options = options;
    }

    /// <summary>Name used in log lines and errors.</summary>
    public string Name => _options.DisplayName ?? Path.GetFileName(_options.FileName);

    /// <summary>Process id of the child.</summary>
    public int ProcessId { get; private set; }

    /// <summary>False while the child runs; true once it exited or this object was disposed.</summary>
    public bool HasExited => Volatile.Read(ref _disposed) != 0 || _process.HasExited;

    /// <summary>The most recent log lines (stdout and stderr interleaved as received).</summary>
    public IReadOnlyList<string> LogLines => [.. _log];

    /// <summary>
    /// Where log lines go while a test runs. Set it from the test class constructor (a fixture is
    /// shared, the output helper is per test); null sends lines nowhere but the kept log.
    /// </summary>
    public ITestOutputHelper? Output
    {
        get => _output;
        set => _output = value;
    }

    /// <summary>Starts the process and waits until it is ready.</summary>
    /// <exception cref="ExternalProcessException">It could not start, exited early, or was not ready in time; the message has its log.</exception>
    public static async Task<ExternalProcess> StartAsync(ExternalProcessOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ReadyWhenLogMatches is null && options.ReadyWhenTcpAccepts is null)
        {
            throw new ArgumentException("Give a readiness signal: ReadyWhenLogMatches or ReadyWhenTcpAccepts.", nameof(options));
        }

        var external = Launch(options, output: null);
        try
        {
            await external.WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await external.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return external;
    }

    /// <summary>
    /// Runs a command to completion (e.g. an ACME client or <c>pg_ctl</c>) within <paramref name="timeout"/>,
    /// streaming its log to <paramref name="output"/>. A non-zero exit code is returned, not thrown.
    /// </summary>
    /// <exception cref="ExternalProcessException">It could not start or did not exit in time (it is killed then); the message has its log.</exception>
    public static async Task<ExternalProcessResult> RunAsync(ExternalProcessOptions options, TimeSpan timeout, ITestOutputHelper? output = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var external = Launch(options, output);
        external._process.StandardInput.Close();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await external._process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ExternalProcessException($"{external.Name} did not exit within {timeout.TotalSeconds:0.#} s and was killed.{external.FormatLog()}");
        }

        try
        {
            await Task.WhenAll(external._stdoutClosed.Task, external._stderrClosed.Task).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A grandchild kept the pipes open; what was read so far is the log.
        }

        return new ExternalProcessResult(external.Name, external._process.ExitCode, external.LogLines);
    }

    private static ExternalProcess Launch(ExternalProcessOptions options, ITestOutputHelper? output)
    {
        var info = new ProcessStartInfo(options.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = options.WorkingDirectory ?? Environment.CurrentDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in options.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in options.Environment)
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var external = new ExternalProcess(process, options) { _output = output };
        process.OutputDataReceived += (_, e) => external.OnLine(e.Data, external._stdoutClosed);
        process.ErrorDataReceived += (_, e) => external.OnLine(e.Data, external._stderrClosed);
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            throw new ExternalProcessException($"Could not start '{options.FileName}': {ex.Message}. Is it installed (see .ci/run)?", ex);
        }

        external.ProcessId = process.Id;
        Live[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return external;
    }

    /// <summary>Calls <paramref name="listener"/> with every later log line (e.g. to wait for a message).</summary>
    public void AddLogListener(Action<string> listener)
    {
        lock (_listeners)
        {
            _listeners.Add(listener);
        }
    }

    /// <summary>Waits until a log line (already seen or later) matches <paramref name="pattern"/>.</summary>
    /// <exception cref="ExternalProcessException">The line did not come within <paramref name="timeout"/>; the message has the log.</exception>
    public async Task WaitForLogAsync(System.Text.RegularExpressions.Regex pattern, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var seen = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        AddLogListener(line =>
        {
            if (pattern.IsMatch(line))
            {
                seen.TrySetResult(true);
            }
        });
        if (_log.Any(pattern.IsMatch))
        {
            return;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await seen.Task.WaitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ExternalProcessException($"{Name}: no log line matched /{pattern}/ within {timeout.TotalSeconds:0.#} s.{FormatLog()}");
        }
    }

    /// <summary>Waits until a TCP connection to <paramref name="endPoint"/> succeeds (a second readiness check, e.g. a server that logs before it binds).</summary>
    /// <exception cref="ExternalProcessException">No connection within <paramref name="timeout"/>; the message has the log.</exception>
    public async Task WaitForTcpAsync(IPEndPoint endPoint, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await PollTcpAsync(endPoint, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ExternalProcessException($"{Name}: {endPoint} did not accept a TCP connection within {timeout.TotalSeconds:0.#} s.{FormatLog()}");
        }
    }

    /// <summary>The kept log as one block for error messages.</summary>
    public string FormatLog()
    {
        var lines = LogLines;
        return lines.Count == 0
            ? $"{Environment.NewLine}({Name} printed nothing)"
            : $"{Environment.NewLine}--- last {lines.Count} lines of {Name} ---{Environment.NewLine}{string.Join(Environment.NewLine, lines)}";
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(_options.StartTimeout);
        var exited = _process.WaitForExitAsync(cts.Token);
        var ready = _options.ReadyWhenLogMatches is not null ? _logReady.Task : PollTcpAsync(_options.ReadyWhenTcpAccepts!, cts.Token);
        try
        {
            var first = await Task.WhenAny(ready, exited).ConfigureAwait(false);
            if (first == exited && !cts.IsCancellationRequested)
            {
                await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
                throw new ExternalProcessException($"{Name} exited with code {_process.ExitCode} before it was ready.{FormatLog()}");
            }

            await ready.WaitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var signal = _options.ReadyWhenLogMatches is not null
                ? $"a log line matching /{_options.ReadyWhenLogMatches}/"
                : $"a TCP connection to {_options.ReadyWhenTcpAccepts}";
            throw new ExternalProcessException($"{Name} timed out after {_options.StartTimeout.TotalSeconds:0.#} s waiting for {signal}.{FormatLog()}");
        }
        catch (TimeoutException)
        {
            throw new ExternalProcessException($"{Name} exited with code {_process.ExitCode} before it was ready.{FormatLog()}");
        }
    }

    private static async Task PollTcpAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var client = new TcpClient(endPoint.AddressFamily);
            try
            {
                await client.ConnectAsync(endPoint.Address, endPoint.Port, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void OnLine(string? line, TaskCompletionSource<bool> closed)
    {
        if (line is null)
        {
            closed.TrySetResult(true);
            return;
        }

        line = Redact(line, _options.Secrets);
        _log.Enqueue(line);
        while (_log.Count > _options.LogLinesKept && _log.TryDequeue(out _))
        {
        }

        try
        {
            _output?.WriteLine($"[{Name}] {line}");
        }
        catch (InvalidOperationException)
        {
            // The test that owned the output helper has finished; the line stays in the kept log.
        }

        if (_options.ReadyWhenLogMatches?.IsMatch(line) == true)
        {
            _logReady.TrySetResult(true);
        }

        Action<string>[] listeners;
        lock (_listeners)
        {
            listeners = [.. _listeners];
        }

        foreach (var listener in listeners)
        {
            listener(line);
        }
    }

    /// <summary>Replaces every occurrence of each non-empty secret in <paramref name="text"/> by <c>***</c>.</summary>
    public static string Redact(string text, IReadOnlyList<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(secrets);
        foreach (var secret in secrets)
        {
            if (!string.IsNullOrEmpty(secret))
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>Kills the process and all its descendants and waits for the child to exit.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        TryKillTree(_process);
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Reported by the caller's own checks; disposing must not throw.
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        Live.TryRemove(ProcessId, out _);
        _process.Dispose();
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static void TryKillTree(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exited between the check and the kill.
        }
    }
}
