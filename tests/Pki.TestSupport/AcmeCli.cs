using System.Globalization;

namespace Pki.TestSupport;

/// <summary>Runs one command of a real ACME client and turns a failure into an <see cref="AcmeCliException"/> with its log tail.</summary>
internal static class AcmeCli
{
    private const int LogFileLinesInMessage = 60;

    public static async Task RunAsync(string tool, string verb, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?> environment, AcmeCliOptions options, string workingDirectory, string? logFile, CancellationToken cancellationToken)
    {
        ExternalProcessResult result;
        try
        {
            result = await ExternalProcess.RunAsync(
                new ExternalProcessOptions
                {
                    FileName = tool,
                    Arguments = arguments,
                    Environment = environment,
                    WorkingDirectory = workingDirectory,
                    DisplayName = $"{Path.GetFileName(tool)} {verb}",
                    Secrets = options.Secrets,
                },
                options.Timeout,
                options.Output,
                cancellationToken).ConfigureAwait(false);
        }
        catch (ExternalProcessException ex)
        {
            throw new AcmeCliException(ExternalProcess.Redact(ex.Message, options.Secrets) + await ReadLogTailAsync(logFile, options).ConfigureAwait(false));
        }

        if (result.ExitCode != 0)
        {
            throw new AcmeCliException($"{result.Name} exited with code {result.ExitCode.ToString(CultureInfo.InvariantCulture)}.{result.FormatLog()}{await ReadLogTailAsync(logFile, options).ConfigureAwait(false)}")
            {
                ExitCode = result.ExitCode,
            };
        }
    }

    private static async Task<string> ReadLogTailAsync(string? logFile, AcmeCliOptions options)
    {
        if (logFile is null || !File.Exists(logFile))
        {
            return string.Empty;
        }

        var lines = await File.ReadAllLinesAsync(logFile).ConfigureAwait(false);
        var tail = lines.Skip(Math.Max(0, lines.Length - LogFileLinesInMessage));
        return ExternalProcess.Redact($"{Environment.NewLine}--- last lines of {logFile} ---{Environment.NewLine}{string.Join(Environment.NewLine, tail)}", options.Secrets);
    }
}
