using Microsoft.Extensions.Logging;
using Pki.Acme.Server.Protocol;
using Pki.Acme.Server.Storage;

namespace Pki.Acme.Server;

/// <summary>Operator actions on the running ACME server, resolved from dependency injection.</summary>
public interface IAcmeServerOperations
{
    /// <summary>
    /// Moves the ARI renewal window (RFC 9773) of every certificate with one of <paramref name="serialNumbers"/>
    /// (hex, as <c>X509Certificate2.SerialNumber</c>; separators ignored) to [<paramref name="windowStart"/>, <paramref name="windowEnd"/>]:
    /// the mass-revocation case, in one set-based store update. Returns how many certificates matched.
    /// </summary>
    /// <exception cref="ArgumentException">The window is empty or reversed.</exception>
    Task<int> MoveRenewalWindowsAsync(IEnumerable<string> serialNumbers, DateTimeOffset windowStart, DateTimeOffset windowEnd, CancellationToken cancellationToken = default);
}

internal sealed class AcmeServerOperations : IAcmeServerOperations
{
    private readonly IAcmeServerStore _store;
    private readonly ILogger _logger;

    public AcmeServerOperations(IAcmeServerStore store, ILogger<AcmeServerOperations> logger)
    {
        _store = store;
        _logger = logger;
    }

    public async Task<int> MoveRenewalWindowsAsync(IEnumerable<string> serialNumbers, DateTimeOffset windowStart, DateTimeOffset windowEnd, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(serialNumbers);
        if (windowEnd <= windowStart)
        {
            throw new ArgumentException($"The renewal window end {windowEnd:O} must be after its start {windowStart:O}.", nameof(windowEnd));
        }

        var serials = serialNumbers.Select(AriCertId.NormalizeSerial).ToHashSet(StringComparer.Ordinal);
        var moved = await _store.MoveRenewalWindowsAsync(serials, windowStart, windowEnd, cancellationToken).ConfigureAwait(false);
        Log.WindowsMoved(_logger, moved);
        return moved;
    }
}
