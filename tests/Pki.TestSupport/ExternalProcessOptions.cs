using System.Net;
using System.Text.RegularExpressions;

namespace Pki.TestSupport;

/// <summary>How to start an <see cref="ExternalProcess"/> and how to tell that it is ready.</summary>
public sealed record ExternalProcessOptions
{
    /// <summary>Executable name (looked up on PATH) or path.</summary>
    public required string FileName { get; init; }

    /// <summary>Arguments, passed one by one (no shell quoting).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Extra environment variables; a null value removes the variable.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Working directory; the current one when null.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Name used in log lines and error messages; the file name when null.</summary>
    public string? DisplayName { get; init; }

    /// <summary>Ready when a line of stdout or stderr matches this pattern.</summary>
    public Regex? ReadyWhenLogMatches { get; init; }

    /// <summary>Ready when a TCP connection to this endpoint succeeds.</summary>
    public IPEndPoint? ReadyWhenTcpAccepts { get; init; }

    /// <summary>How long to wait for readiness before failing with the process's log.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many recent log lines are kept for error messages.</summary>
    public int LogLinesKept { get; init; } = 400;

    /// <summary>
    /// Secrets the process may print (e.g. an EAB MAC key passed on its command line): every
    /// occurrence is replaced by <c>***</c> before a line is kept, streamed or put in a message.
    /// </summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];
}
