using Microsoft.Extensions.Logging;

namespace Pki.Caa.Tests;

public sealed class LoggingTests
{
    [Fact]
    public async Task Logs_failed_queries_as_warnings_and_decisions_as_information()
    {
        var logger = new ListLogger<CaaEvaluator>();
        var resolver = new EvaluatorTests.ScriptedResolver(CaaQueryResult.Failure(CaaQueryStatus.ServerFailure, "zone not loaded"));

        await new CaaEvaluator(resolver, logger: logger).EvaluateAsync(new CaaCheck("x.example", "ca.example"));

        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message == "CAA query for x.example failed (ServerFailure): zone not loaded");
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("CAA check of x.example for ca.example: Indeterminate (LookupFailed)", StringComparison.Ordinal));
    }

    private sealed class ListLogger<T> : ILogger<T>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
