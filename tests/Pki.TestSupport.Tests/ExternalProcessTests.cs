using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Pki.TestSupport;
using Xunit.Abstractions;

namespace Pki.TestSupport.Tests;

public sealed class ExternalProcessTests(ITestOutputHelper output)
{
    private static ExternalProcessOptions Shell(string script, string ready, TimeSpan? timeout = null) => new()
    {
        FileName = "/bin/sh",
        Arguments = ["-c", script],
        DisplayName = "sh",
        ReadyWhenLogMatches = new Regex(ready),
        StartTimeout = timeout ?? TimeSpan.FromSeconds(20),
    };

    [Fact]
    public async Task Waits_for_a_log_line_and_passes_arguments_and_environment()
    {
        var options = Shell("echo starting; sleep 0.3; echo \"value=$PKI_TEST_VALUE arg=$0\"; sleep 60", "^value=") with
        {
            Arguments = ["-c", "echo starting; sleep 0.3; echo \"value=$PKI_TEST_VALUE arg=$0\"; sleep 60", "first-arg"],
            Environment = new Dictionary<string, string?> { ["PKI_TEST_VALUE"] = "bar" },
        };
        await using var process = await ExternalProcess.StartAsync(options);
        process.Output = output;

        Assert.False(process.HasExited);
        Assert.Contains("starting", process.LogLines);
        Assert.Contains("value=bar arg=first-arg", process.LogLines);
    }

    [Fact]
    public async Task Waits_for_an_open_tcp_port_of_a_real_server()
    {
        var port = FreePorts.Tcp();
        await using var server = await ExternalProcess.StartAsync(new ExternalProcessOptions
        {
            FileName = "python3",
            Arguments = ["-m", "http.server", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1"],
            WorkingDirectory = AppContext.BaseDirectory,
            ReadyWhenTcpAccepts = new IPEndPoint(IPAddress.Loopback, port),
        });
        server.Output = output;

        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_readiness_timeout_fails_with_the_process_log_in_the_message()
    {
        var ex = await Assert.ThrowsAsync<ExternalProcessException>(() =>
            ExternalProcess.StartAsync(Shell("echo hello-from-child; sleep 60", "never-printed", TimeSpan.FromSeconds(1))));

        Assert.Contains("timed out after 1 s", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/never-printed/", ex.Message, StringComparison.Ordinal);
        Assert.Contains("hello-from-child", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_process_that_exits_before_ready_fails_with_its_exit_code_and_stderr()
    {
        var ex = await Assert.ThrowsAsync<ExternalProcessException>(() =>
            ExternalProcess.StartAsync(Shell("echo boom-on-stderr >&2; exit 3", "never-printed")));

        Assert.Contains("exited with code 3 before it was ready", ex.Message, StringComparison.Ordinal);
        Assert.Contains("boom-on-stderr", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_executable_fails_with_a_clear_message()
    {
        var ex = await Assert.ThrowsAsync<ExternalProcessException>(() =>
            ExternalProcess.StartAsync(Shell("true", "x") with { FileName = "/nonexistent/pki-peer" }));

        Assert.Contains("Could not start '/nonexistent/pki-peer'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_kills_the_whole_process_tree()
    {
        var process = await ExternalProcess.StartAsync(Shell("sleep 300 & echo grandchild=$!; wait", @"^grandchild=\d+$"));
        process.Output = output;
        var line = process.LogLines.Single(l => l.StartsWith("grandchild=", StringComparison.Ordinal));
        var grandchild = int.Parse(line["grandchild=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        var child = process.ProcessId;
        Assert.True(IsAlive(grandchild), "the grandchild should run before dispose");

        await process.DisposeAsync();

        Assert.False(IsAlive(child), "the child survived dispose");
        await WaitUntilAsync(() => !IsAlive(grandchild));
        Assert.False(IsAlive(grandchild), "the grandchild survived dispose");
    }

    [Fact]
    public async Task Dispose_after_a_failing_test_body_still_kills_the_child()
    {
        ExternalProcess? process = null;
        var pid = 0;
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var p = await ExternalProcess.StartAsync(Shell("echo up; sleep 300", "^up$"));
            process = p;
            pid = p.ProcessId;
            throw new InvalidOperationException("the test failed");
        });

        Assert.Equal("the test failed", ex.Message);
        Assert.NotNull(process);
        Assert.True(process!.HasExited);
        Assert.False(IsAlive(pid), "the child survived dispose");
    }

    [Fact]
    public async Task Log_lines_stream_to_the_test_output()
    {
        var sink = new RecordingOutput();
        await using var process = await ExternalProcess.StartAsync(Shell("echo first; echo second; sleep 60", "^second$"));
        process.Output = sink;
        var third = new TaskCompletionSource();
        process.AddLogListener(l => { if (l == "third") { third.TrySetResult(); } });

        // A line printed after the output helper is attached reaches it.
        await using var writer = await ExternalProcess.StartAsync(Shell("echo go; sleep 0.2; echo third; sleep 60", "^go$"));
        writer.Output = sink;
        await writer.WaitForLogAsync(new Regex("^third$"), TimeSpan.FromSeconds(10));

        Assert.Contains("[sh] third", sink.Lines);
    }

    [Fact]
    public async Task WaitForLog_times_out_with_the_log()
    {
        await using var process = await ExternalProcess.StartAsync(Shell("echo ready; sleep 60", "^ready$"));
        var ex = await Assert.ThrowsAsync<ExternalProcessException>(() =>
            process.WaitForLogAsync(new Regex("^absent$"), TimeSpan.FromMilliseconds(300)));
        Assert.Contains("no log line matched /^absent$/", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ready", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Free_ports_are_distinct_and_bindable()
    {
        var ports = Enumerable.Range(0, 20).Select(_ => FreePorts.TcpAndUdp()).ToList();
        Assert.Equal(ports.Count, ports.Distinct().Count());
        foreach (var port in ports.Take(5))
        {
            using var tcp = new TcpListener(IPAddress.Loopback, port);
            tcp.Start();
            using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
        }
    }

    private static bool IsAlive(int pid)
    {
        // A killed process whose parent is gone may linger as a zombie until reaped: that is dead.
        var stat = $"/proc/{pid}/stat";
        try
        {
            var text = File.ReadAllText(stat);
            var state = text[(text.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }
    }

    private sealed class RecordingOutput : ITestOutputHelper
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get { lock (_lines) { return [.. _lines]; } }
        }

        public void WriteLine(string message)
        {
            lock (_lines)
            {
                _lines.Add(message);
            }
        }

        public void WriteLine(string format, params object[] args) => WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
    }

    [Fact]
    public async Task Run_returns_the_exit_code_and_the_log_with_secrets_redacted()
    {
        var result = await ExternalProcess.RunAsync(
            new ExternalProcessOptions
            {
                FileName = "/bin/sh",
                Arguments = ["-c", "echo \"key=$0\"; echo oops >&2; exit 4", "s3cr3t-mac"],
                DisplayName = "sh",
                Secrets = ["s3cr3t-mac"],
            },
            TimeSpan.FromSeconds(20),
            output);

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("key=***", result.LogLines);
        Assert.Contains("oops", result.LogLines);
        var ex = Assert.Throws<ExternalProcessException>(() => result.EnsureSuccess());
        Assert.Contains("exited with code 4", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-mac", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_kills_a_command_that_outlives_its_timeout()
    {
        var ex = await Assert.ThrowsAsync<ExternalProcessException>(() => ExternalProcess.RunAsync(
            new ExternalProcessOptions { FileName = "/bin/sh", Arguments = ["-c", "echo started; sleep 60"], DisplayName = "sh" },
            TimeSpan.FromSeconds(1),
            output));

        Assert.Contains("did not exit within 1 s and was killed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("started", ex.Message, StringComparison.Ordinal);
    }
}
