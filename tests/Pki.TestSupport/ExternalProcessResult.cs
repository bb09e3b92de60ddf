namespace Pki.TestSupport;

/// <summary>How a command run by <see cref="ExternalProcess.RunAsync"/> ended.</summary>
/// <param name="Name">The command's display name.</param>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="LogLines">The last lines it printed (stdout and stderr interleaved, secrets redacted).</param>
public sealed record ExternalProcessResult(string Name, int ExitCode, IReadOnlyList<string> LogLines)
{
    /// <summary>The log as one block for error messages.</summary>
    public string FormatLog() => LogLines.Count == 0
        ? $"{Environment.NewLine}({Name} printed nothing)"
        : $"{Environment.NewLine}--- last {LogLines.Count} lines of {Name} ---{Environment.NewLine}{string.Join(Environment.NewLine, LogLines)}";

    /// <summary>Throws unless the exit code is 0.</summary>
    /// <exception cref="ExternalProcessException">It exited with another code; the message has its log.</exception>
    public ExternalProcessResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            throw new ExternalProcessException($"{Name} exited with code {ExitCode}.{FormatLog()}");
        }

        return this;
    }
}
