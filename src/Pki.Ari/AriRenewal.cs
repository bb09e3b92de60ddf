using System.Security.Cryptography.X509Certificates;
using Pki.Acme;

namespace Pki.Ari;

/// <summary>Renewal orders with RFC 9773 <c>replaces</c>: which value to send, and a renewal through <see cref="AcmeCertificateIssuer"/>. Stateless and thread-safe.</summary>
public static class AriRenewal
{
    /// <summary>
    /// The <c>replaces</c> value for a renewal of <paramref name="predecessor"/>: its CertID, but
    /// only when ordering from the CA that issued it (<paramref name="predecessorDirectory"/> equals
    /// <paramref name="targetDirectory"/>) and only when that directory offers <c>renewalInfo</c>
    /// (section 5); otherwise null.
    /// </summary>
    public static string? GetReplaces(X509Certificate2 predecessor, Uri? predecessorDirectory, Uri targetDirectory, AcmeDirectory target)
    {
        ArgumentNullException.ThrowIfNull(predecessor);
        ArgumentNullException.ThrowIfNull(targetDirectory);
        ArgumentNullException.ThrowIfNull(target);
        if (target.RenewalInfo is null || predecessorDirectory is null || !UriEquals(predecessorDirectory, targetDirectory))
        {
            return null;
        }

        try
        {
            return AriCertId.FromCertificate(predecessor).Value;
        }
        catch (AriException)
        {
            return null; // no AKI: nothing to name
        }
    }

    /// <summary>
    /// Issues a renewal of <paramref name="predecessor"/> through <paramref name="issuer"/>: the order
    /// carries <c>replaces</c> per <see cref="GetReplaces"/> (overriding any in <paramref name="request"/>);
    /// when the CA refuses it (RFC 9773 section 5), <see cref="AcmeCertificateIssuer"/> places the order
    /// once more without it.
    /// </summary>
    /// <param name="issuer">The issuer over the client of the CA to order from.</param>
    /// <param name="account">The ordering account.</param>
    /// <param name="request">What to issue; its <see cref="AcmeIssuanceRequest.Replaces"/> is replaced.</param>
    /// <param name="solvers">The challenge solvers, in order of preference.</param>
    /// <param name="predecessor">The certificate being renewed; it stays the caller's.</param>
    /// <param name="predecessorDirectory">The directory URL of the CA that issued <paramref name="predecessor"/>; null when unknown (then no <c>replaces</c>).</param>
    /// <param name="cancellationToken">Cancels the renewal.</param>
    /// <exception cref="AcmeProblemException">The CA refused the order for a reason other than <c>replaces</c>.</exception>
    public static async Task<AcmeIssuedCertificate> IssueRenewalAsync(
        AcmeCertificateIssuer issuer,
        AcmeAccount account,
        AcmeIssuanceRequest request,
        IReadOnlyList<IChallengeSolver> solvers,
        X509Certificate2 predecessor,
        Uri? predecessorDirectory,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(request);
        var directory = await issuer.Client.GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        var replaces = GetReplaces(predecessor, predecessorDirectory, issuer.Client.DirectoryUri, directory);
        return await issuer.IssueAsync(account, request with { Replaces = replaces }, solvers, cancellationToken).ConfigureAwait(false);
    }

    private static bool UriEquals(Uri a, Uri b) =>
        string.Equals(a.AbsoluteUri.TrimEnd('/'), b.AbsoluteUri.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
