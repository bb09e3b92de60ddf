using Microsoft.Extensions.Logging;
using Pki.Caa;

namespace Pki.Acme.Server;

/// <summary>Source-generated log messages of the validation authority and CAA enforcement.</summary>
internal static partial class ValidationLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "{Type} validation of {Identifier}, attempt {Attempt} of {Attempts}, failed ({ProblemType}): {Detail}")]
    public static partial void AttemptFailed(ILogger logger, string type, string identifier, int attempt, int attempts, string problemType, string detail);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "{Type} validation of {Identifier}: valid")]
    public static partial void Valid(ILogger logger, string type, string identifier);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "{Type} validation of {Identifier}: invalid ({ProblemType}) {Detail}")]
    public static partial void Invalid(ILogger logger, string type, string identifier, string problemType, string detail);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "CAA check of {Identifier} ({Method}): {Verdict} ({Reason}) {Explanation}")]
    public static partial void CaaDecided(ILogger logger, string identifier, string method, CaaVerdict verdict, CaaReason reason, string explanation);
}
