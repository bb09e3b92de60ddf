using System.Net;
using System.Security.Cryptography.X509Certificates;
using Pki.Acme;

namespace Pki.Ari;

/// <summary>Renewal orders with RFC 9773 <c>replaces</c>.</summary>
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
    /// Issues a renewal: the order carries <c>replaces</c> per <see cref="GetReplaces"/>; when the CA
    /// refuses it (409 <c>alreadyReplaced</c>, or 403 about the replaced certificate) the order is
    /// placed once more without it.
    /// </summary>
    public static async Task<AcmeIssuedCertificate> IssueRenewalAsync(
        AcmeClient client,
        AcmeAccount account,
        AcmeIssuanceRequest request,
        IReadOnlyList<IChallengeSolver> solvers,
        X509Certificate2 predecessor,
        Uri? predecessorDirectory,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        var directory = await client.GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        var replaces = GetReplaces(predecessor, predecessorDirectory, client.DirectoryUri, directory);
        if (replaces is null)
        {
            return await client.IssueCertificateAsync(account, request with { Replaces = null }, solvers, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await client.IssueCertificateAsync(account, request with { Replaces = replaces }, solvers, cancellationToken).ConfigureAwait(false);
        }
        catch (AcmeProblemException ex) when (IsReplacesRefusal(ex))
        {
            return await client.IssueCertificateAsync(account, request with { Replaces = null }, solvers, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True for the answers RFC 9773 section 5 allows for a <c>replaces</c> the CA will not honour.</summary>
    public static bool IsReplacesRefusal(AcmeProblemException problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return problem.Type == AcmeProblemTypes.AlreadyReplaced
            || (problem.StatusCode == HttpStatusCode.Conflict && problem.Type == AcmeProblemTypes.Malformed)
            || (problem.StatusCode == HttpStatusCode.Forbidden && (problem.Problem.Detail ?? string.Empty).Contains("replace", StringComparison.OrdinalIgnoreCase));
    }

    private static bool UriEquals(Uri a, Uri b) =>
        string.Equals(a.AbsoluteUri.TrimEnd('/'), b.AbsoluteUri.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
