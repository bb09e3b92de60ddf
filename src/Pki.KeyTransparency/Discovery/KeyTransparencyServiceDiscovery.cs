using DnsClient;
using DnsClient.Protocol;

namespace Pki.KeyTransparency.Discovery;

/// <summary>
/// Finds a domain's key transparency service from its SRV record
/// <c>_sm._keytransparency._https.&lt;domain&gt;</c> and orders the targets per RFC 2782
/// (lowest priority first; within a priority, weighted random selection).
/// </summary>
public sealed class KeyTransparencyServiceDiscovery
{
    /// <summary>The labels prefixed to the domain to form the SRV owner name: <c>_sm._keytransparency._https.example.com</c>.</summary>
    public const string ServiceLabels = "_sm._keytransparency._https";

    private readonly ILookupClient _lookup;
    private readonly Random _random;
    private readonly object _randomLock = new();

    /// <summary>Creates the discovery over a DnsClient lookup client.</summary>
    /// <param name="lookup">The resolver (configure its name servers, timeouts and cache); not disposed by this class.</param>
    /// <param name="random">Source for the weighted selection; null for a new unseeded one. Pass a seeded one for reproducible tests.</param>
    public KeyTransparencyServiceDiscovery(ILookupClient lookup, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        _lookup = lookup;
#pragma warning disable CA5394 // Load spreading per RFC 2782, not security: an ordinary PRNG is what the RFC asks for.
        _random = random ?? new Random();
#pragma warning restore CA5394
    }

    /// <summary>Looks up the SRV records of <paramref name="domain"/>'s key transparency service.</summary>
    /// <param name="domain">The email domain, e.g. <c>example.com</c> (IDNs are converted to ASCII; a trailing dot is allowed).</param>
    /// <param name="cancellationToken">Cancels the lookup; cancellation throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>Found with the ordered endpoints, NonePublished, or Declined.</returns>
    /// <exception cref="ArgumentException">The domain is not a valid DNS name.</exception>
    /// <exception cref="KeyTransparencyDiscoveryException">The DNS answered with an error other than "no such name", did not answer, or published a target that is not a host name (e.g. <c>evil.com#.example.org</c>).</exception>
    public async Task<KeyTransparencyDiscoveryResult> DiscoverAsync(string domain, CancellationToken cancellationToken = default)
    {
        var ascii = NormalizeDomain(domain);
        var queryName = ServiceLabels + "." + ascii;
        cancellationToken.ThrowIfCancellationRequested();
        IDnsQueryResponse response;
        try
        {
            response = await _lookup.QueryAsync(queryName, QueryType.SRV, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResponseException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"The SRV lookup of {queryName} was cancelled.", e, cancellationToken);
        }
        catch (DnsResponseException e)
        {
            throw new KeyTransparencyDiscoveryException(queryName, $"The SRV lookup of {queryName} failed: {e.Message}", e);
        }

        if (response.HasError)
        {
            if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
            {
                return new KeyTransparencyDiscoveryResult(ascii, queryName, KeyTransparencyDiscoveryStatus.NonePublished, []);
            }

            throw new KeyTransparencyDiscoveryException(queryName, $"The SRV lookup of {queryName} failed with {response.Header.ResponseCode}: {response.ErrorMessage}", null);
        }

        var records = response.Answers.SrvRecords()
            .Where(r => string.Equals(r.DomainName.Value.TrimEnd('.'), queryName, StringComparison.OrdinalIgnoreCase))
            .Select(r => ToEndpoint(queryName, r))
            .ToList();
        if (records.Count == 0)
        {
            return new KeyTransparencyDiscoveryResult(ascii, queryName, KeyTransparencyDiscoveryStatus.NonePublished, []);
        }

        // "A Target of '.' means that the service is decidedly not available at this domain." (RFC 2782)
        if (records.Count == 1 && records[0].Host.Length == 0)
        {
            return new KeyTransparencyDiscoveryResult(ascii, queryName, KeyTransparencyDiscoveryStatus.Declined, []);
        }

        IReadOnlyList<KeyTransparencyEndpoint> ordered;
        lock (_randomLock)
        {
            ordered = OrderByPriorityAndWeight(records.Where(r => r.Host.Length > 0).ToList(), max => _random.Next(max + 1));
        }

        return new KeyTransparencyDiscoveryResult(ascii, queryName, KeyTransparencyDiscoveryStatus.Found, ordered);
    }

    /// <summary>
    /// RFC 2782 target selection: by ascending priority; within one priority, repeatedly "compute the
    /// sum of the weights of those RRs, and with each RR associate the running sum in the selected
    /// order. Then choose a uniform random number between 0 and the sum computed (inclusive), and select
    /// the RR whose running sum value is the first in the selected order which is greater than or equal
    /// to the random number selected." Zero-weight records are placed first, as the RFC asks, so they
    /// are chosen only when the draw is 0.
    /// </summary>
    /// <param name="records">The SRV targets in DNS order (not modified).</param>
    /// <param name="uniformInclusive">Returns a uniform integer in [0, argument].</param>
    internal static List<KeyTransparencyEndpoint> OrderByPriorityAndWeight(List<KeyTransparencyEndpoint> records, Func<int, int> uniformInclusive)
    {
        var result = new List<KeyTransparencyEndpoint>(records.Count);
        foreach (var group in records.GroupBy(r => r.Priority).OrderBy(g => g.Key))
        {
            var remaining = group.OrderBy(r => r.Weight == 0 ? 0 : 1).ToList();
            while (remaining.Count > 0)
            {
                var sum = remaining.Sum(r => r.Weight);
                var draw = uniformInclusive(sum);
                var running = 0;
                var chosen = remaining.Count - 1;
                for (var i = 0; i < remaining.Count; i++)
                {
                    running += remaining[i].Weight;
                    if (running >= draw)
                    {
                        chosen = i;
                        break;
                    }
                }

                result.Add(remaining[chosen]);
                remaining.RemoveAt(chosen);
            }
        }

        return result;
    }

    /// <summary>
    /// An SRV target becomes a URI host only when it is a host name: LDH labels of 1 to 63
    /// characters, at most 253 in all. DnsClient renders the wire name as text without escaping
    /// characters such as '#', '/', '?', '@' or ':'; a target like <c>evil.com#.example.org</c> ends
    /// in the expected suffix while the URI built from it points at <c>evil.com</c>.
    /// </summary>
    private static KeyTransparencyEndpoint ToEndpoint(string queryName, SrvRecord record)
    {
        var target = record.Target.Value;
        var host = target.Length > 0 && target[^1] == '.' ? target[..^1] : target;
        if (host.Length == 0)
        {
            return new KeyTransparencyEndpoint(host, record.Port, record.Priority, record.Weight); // "." : declined
        }

        if (!IsHostName(host))
        {
            throw new KeyTransparencyDiscoveryException(
                queryName,
                $"The SRV record of {queryName} names the target '{Printable(target)}', which is not a host name: labels of 1 to 63 letters, digits or hyphens, not starting or ending with a hyphen, at most 253 characters in all.",
                null);
        }

        var endpoint = new KeyTransparencyEndpoint(host, record.Port, record.Priority, record.Weight);
        if (!string.Equals(endpoint.BaseUri.Host, host, StringComparison.OrdinalIgnoreCase))
        {
            throw new KeyTransparencyDiscoveryException(queryName, $"The SRV target '{host}' of {queryName} does not survive as a URI host (got '{endpoint.BaseUri.Host}').", null);
        }

        return endpoint;
    }

    /// <summary>True for an RFC 1123 host name: LDH labels of 1 to 63 characters, not starting or ending with a hyphen, at most 253 characters.</summary>
    internal static bool IsHostName(string name)
    {
        if (name.Length is 0 or > 253)
        {
            return false;
        }

        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var ch in label)
            {
                if (!(ch is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-'))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static string Printable(string value)
    {
        var text = new string(value.Take(255).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return value.Length > 255 ? text + "..." : text;
    }

    private static string NormalizeDomain(string domain)
    {
        if (string.IsNullOrWhiteSpace(domain))
        {
            throw new ArgumentException("The domain is empty; give an email domain such as example.com.", nameof(domain));
        }

        var trimmed = domain.Trim().TrimEnd('.');
        string ascii;
        try
        {
            // The one IDN configuration of the library (src/Shared/IdnName.cs); ASCII names are only
            // lower-cased there and checked label by label below.
            ascii = IdnName.ToAscii(trimmed);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"'{domain}' is not a valid domain name: {e.Message}", nameof(domain), e);
        }

        if (ascii.Length > 253 - ServiceLabels.Length - 1)
        {
            throw new ArgumentException($"'{domain}' is too long: with the {ServiceLabels} prefix the name exceeds 253 characters.", nameof(domain));
        }

        foreach (var label in ascii.Split('.'))
        {
            if (label.Length is 0 or > 63 || label.Any(ch => !(ch is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_')) || label[0] == '-' || label[^1] == '-')
            {
                throw new ArgumentException($"'{domain}' is not a valid domain name: the label '{label}' must be 1 to 63 letters, digits or hyphens, not starting or ending with a hyphen.", nameof(domain));
            }
        }

        return ascii;
    }
}
