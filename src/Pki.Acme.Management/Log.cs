using Microsoft.Extensions.Logging;

namespace Pki.Acme.Management;

// Source-generated log messages. None takes key material or EAB MAC keys.
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Information, "Issuer {Issuer} skipped: backing off until {Until}")]
    public static partial void IssuerBackingOff(ILogger logger, string issuer, DateTimeOffset until);

    [LoggerMessage(101, LogLevel.Information, "Issuer {Issuer} skipped: {Reason}")]
    public static partial void IssuerSkippedCaa(ILogger logger, string issuer, string reason);

    [LoggerMessage(102, LogLevel.Warning, "Issuer {Issuer} failed ({Reason}); trying the next CA, this one backs off until {Until}")]
    public static partial void IssuerFailedNext(ILogger logger, Exception exception, string issuer, string reason, DateTimeOffset until);

    [LoggerMessage(103, LogLevel.Error, "Issuer {Issuer} failed in a way no CA will fix ({Reason}); stopping")]
    public static partial void IssuerFailedStop(ILogger logger, Exception exception, string issuer, string reason);

    [LoggerMessage(104, LogLevel.Information, "Issuer {Issuer} issued order {Order}")]
    public static partial void Issued(ILogger logger, string issuer, Uri order);

    [LoggerMessage(105, LogLevel.Information, "Account at {Issuer}: {Account}")]
    public static partial void AccountReady(ILogger logger, string issuer, Uri account);

    [LoggerMessage(106, LogLevel.Warning, "CAA for {Name} could not be decided for {Issuer} ({Explanation}); leaving the decision to the CA")]
    public static partial void CaaIndeterminate(ILogger logger, string issuer, string name, string explanation);

    [LoggerMessage(110, LogLevel.Information, "Certificate {Certificate}: {Action}")]
    public static partial void CertificateAction(ILogger logger, string certificate, string action);

    [LoggerMessage(111, LogLevel.Warning, "Certificate {Certificate}: resuming order {Order} failed; ordering again with the saved key")]
    public static partial void ResumeFailed(ILogger logger, Exception exception, string certificate, Uri order);

    [LoggerMessage(112, LogLevel.Error, "Certificate {Certificate}: issuance or renewal failed")]
    public static partial void CertificateFailed(ILogger logger, Exception exception, string certificate);

    [LoggerMessage(113, LogLevel.Warning, "Certificate {Certificate}: lost the lease (token {Token}) while issuing: {Reason}; the issuance is cancelled")]
    public static partial void LeaseLost(ILogger logger, string certificate, long token, string reason);

    [LoggerMessage(114, LogLevel.Warning, "Certificate {Certificate}: renewing the lease failed; it is held until {HeldUntil}, trying again")]
    public static partial void LeaseRenewalFailed(ILogger logger, Exception exception, string certificate, DateTimeOffset heldUntil);

    [LoggerMessage(115, LogLevel.Warning, "Certificate {Certificate}: releasing the lease failed; it expires by itself")]
    public static partial void LeaseReleaseFailed(ILogger logger, Exception exception, string certificate);

    [LoggerMessage(116, LogLevel.Warning, "Certificate {Certificate}: attempt {Failures} failed or gave a certificate that is due at once; next attempt not before {NotBefore}")]
    public static partial void CertificateBackoff(ILogger logger, string certificate, int failures, DateTimeOffset notBefore);
}
