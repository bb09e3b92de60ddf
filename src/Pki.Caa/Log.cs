using Microsoft.Extensions.Logging;

namespace Pki.Caa;

/// <summary>Source-generated log messages of this package.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "CAA query for {Name}: {Status}, {RecordCount} record(s), {AliasCount} alias(es), TTL {Ttl}")]
    public static partial void QueryAnswered(ILogger logger, string name, CaaQueryStatus status, int recordCount, int aliasCount, TimeSpan ttl);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "CAA query for {Name} failed ({Status}): {Detail}")]
    public static partial void QueryFailed(ILogger logger, string name, CaaQueryStatus status, string? detail);

    [LoggerMessage(EventId = 3, Level = LogLevel.Trace, Message = "CAA answer for {Name} served from cache")]
    public static partial void CacheHit(ILogger logger, string name);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "CAA check of {Identifier} for {Issuers}: {Verdict} ({Reason}) {Explanation}")]
    public static partial void Decided(ILogger logger, string identifier, IEnumerable<string> issuers, CaaVerdict verdict, CaaReason reason, string explanation);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "DNS query CAA {Name} to {Servers}")]
    public static partial void DnsQuery(ILogger logger, string name, string servers);
}
