using Microsoft.Extensions.Logging;

namespace Pki.Acme.Internal;

// Source-generated log messages. None of them takes key material: account keys and EAB MAC keys
// are never passed to a logger.
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "ACME {Method} {Url} -> {Status}")]
    public static partial void Exchange(ILogger logger, string method, Uri url, int status);

    [LoggerMessage(2, LogLevel.Debug, "badNonce from {Url}; retrying with a fresh nonce (attempt {Attempt} of {Max})")]
    public static partial void BadNonceRetry(ILogger logger, Uri url, int attempt, int max);

    [LoggerMessage(3, LogLevel.Information, "ACME account {Account} ({Status})")]
    public static partial void Account(ILogger logger, Uri account, string status);

    [LoggerMessage(4, LogLevel.Information, "Order {Order} created for {Identifiers}")]
    public static partial void OrderCreated(ILogger logger, Uri order, string identifiers);

    [LoggerMessage(5, LogLevel.Information, "Authorization for {Identifier}: {Stage}")]
    public static partial void AuthorizationStage(ILogger logger, string identifier, string stage);

    [LoggerMessage(6, LogLevel.Information, "Order {Order}: {Stage}")]
    public static partial void OrderStage(ILogger logger, Uri order, string stage);

    [LoggerMessage(7, LogLevel.Warning, "Cleaning up the {Type} challenge for {Identifier} failed")]
    public static partial void CleanupFailed(ILogger logger, Exception exception, string type, string identifier);

    [LoggerMessage(8, LogLevel.Debug, "Polling {Url}: status {Status}, next poll in {Delay}")]
    public static partial void Poll(ILogger logger, Uri url, string status, TimeSpan delay);

    [LoggerMessage(9, LogLevel.Warning, "HTTP-01 responder request failed")]
    public static partial void ResponderFailed(ILogger logger, Exception exception);

    [LoggerMessage(12, LogLevel.Debug, "HTTP-01 connection from {Remote} ended unanswered: {Reason}")]
    public static partial void Http01ConnectionFailed(ILogger logger, string remote, string reason);

    [LoggerMessage(10, LogLevel.Debug, "TLS-ALPN-01 handshake from {Remote} failed: {Reason}")]
    public static partial void AlpnHandshakeFailed(ILogger logger, string remote, string reason);

    [LoggerMessage(11, LogLevel.Warning, "{Url} links {Count} alternate chains; only the first {Max} are fetched (AcmeClientOptions.MaxAlternateChains)")]
    public static partial void AlternateChainsCapped(ILogger logger, Uri url, int count, int max);

    // Ids from 40 on: the certificate checks of issue #11 (kept apart from the transport's).
    [LoggerMessage(40, LogLevel.Warning, "The certificate chain from {Source} was rejected ({Reason}): {Detail}")]
    public static partial void ChainRejected(ILogger logger, Uri source, AcmeCertificateMismatchReason reason, string detail);

    [LoggerMessage(41, LogLevel.Information, "The CA refused replaces={Replaces} ({Type}: {Detail}); placing the order once more without it (RFC 9773 section 5)")]
    public static partial void ReplacesRefused(ILogger logger, string replaces, string type, string detail);
}
