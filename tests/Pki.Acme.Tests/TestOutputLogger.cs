using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Pki.Acme.Tests;

/// <summary>Sends log lines to the test output and keeps them, so tests can assert what was (not) logged.</summary>
public sealed class TestOutputLogger(ITestOutputHelper? output) : ILogger
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) { return [.. _lines]; } }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var line = $"{logLevel}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception)}";
        lock (_lines)
        {
            _lines.Add(line);
        }

        try
        {
            output?.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test has finished.
        }
    }
}
