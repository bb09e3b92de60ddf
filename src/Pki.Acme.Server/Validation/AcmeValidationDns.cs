using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;

namespace Pki.Acme.Server;

/// <summary>
/// The validation authority's DNS: DnsClient against <see cref="AcmeServerValidationOptions.NameServers"/> (the system's
/// when empty), no cache (every validation looks afresh), no retries of its own (the validators retry). Failures are
/// thrown as <see cref="AcmeValidationFailure"/> of type dns: NXDOMAIN is final, SERVFAIL/REFUSED/timeouts are retryable.
/// Also connects to resolved addresses, since http-01 and tls-alpn-01 do it the same way.
/// </summary>
internal sealed class AcmeValidationDns
{
    private readonly LookupClient _client;
    private readonly string _servers;
    private readonly Dictionary<string, IPAddress> _hosts = new(StringComparer.OrdinalIgnoreCase);

    public AcmeValidationDns(AcmeServerValidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoints = options.NameServers.ToArray();
        var lookup = endpoints.Length == 0 ? new LookupClientOptions() : new LookupClientOptions(endpoints);
        lookup.AutoResolveNameServers = endpoints.Length == 0;
        lookup.UseCache = false;
        lookup.Timeout = options.Timeout;
        lookup.Retries = 0;
        lookup.ThrowDnsErrors = false;
        lookup.ContinueOnDnsError = true;
        lookup.ContinueOnEmptyResponse = false;
        lookup.UseTcpFallback = true;
        lookup.Recursion = true;
        _client = new LookupClient(lookup);
        foreach (var (host, address) in options.Hosts)
        {
            _hosts[host.TrimEnd('.')] = IPAddress.Parse(address);
        }

        _servers = endpoints.Length == 0 ? "the system name servers" : string.Join(", ", endpoints.Select(e => e.ToString()));
    }

    /// <summary>The ASCII (A-label) form of a DNS identifier, lower case, without a trailing dot.</summary>
    public static string ToAsciiName(string name) =>
        IdnName.ToLowerAscii(IdnName.TryToAscii(name, out var ascii) ? ascii : name).TrimEnd('.');

    /// <summary>The answer records of one query; throws <see cref="AcmeValidationFailure"/> (dns) for NXDOMAIN and errors.</summary>
    public async Task<IReadOnlyList<DnsResourceRecord>> QueryAsync(string name, QueryType type, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(name, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is not OperationCanceledException)
        {
            // DnsClient reports a cancelled query as a DnsResponseException; the caller asked for cancellation (or the attempt's deadline passed).
            throw new OperationCanceledException("The DNS query was cancelled.", ex, cancellationToken);
        }
        catch (DnsResponseException ex) when (ex.Code == DnsResponseCode.ConnectionTimeout)
        {
            throw AcmeValidationFailure.Dns($"DNS query for {type} {name} timed out: no answer from {_servers}.", isRetryable: true);
        }
        catch (DnsResponseException ex)
        {
            throw AcmeValidationFailure.Dns($"DNS query for {type} {name} to {_servers} failed: {ex.Message}", isRetryable: true);
        }
        catch (SocketException ex)
        {
            throw AcmeValidationFailure.Dns($"DNS query for {type} {name} failed: {_servers} unreachable ({ex.Message}).", isRetryable: true);
        }

        var code = response.Header.ResponseCode;
        if (code == DnsHeaderResponseCode.NotExistentDomain)
        {
            throw AcmeValidationFailure.Dns($"DNS query for {type} {name}: NXDOMAIN (no such domain) from {response.NameServer}.", isRetryable: false);
        }

        if (code != DnsHeaderResponseCode.NoError)
        {
            var text = code switch
            {
                DnsHeaderResponseCode.ServerFailure => "SERVFAIL",
                DnsHeaderResponseCode.Refused => "REFUSED",
                _ => code.ToString(),
            };
            throw AcmeValidationFailure.Dns($"DNS query for {type} {name}: {text} from {response.NameServer}.", isRetryable: true);
        }

        return response.Answers;
    }

    /// <summary>The AAAA then A addresses of a host (an IP literal is itself); throws <see cref="AcmeValidationFailure"/> when there is none.</summary>
    public async Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            return [literal];
        }

        var name = ToAsciiName(host);
        if (FindHost(name) is { } fixedAddress)
        {
            return [fixedAddress];
        }

        AcmeValidationFailure? failure = null;
        var addresses = new List<IPAddress>();
        foreach (var type in new[] { QueryType.AAAA, QueryType.A })
        {
            try
            {
                foreach (var record in await QueryAsync(name, type, cancellationToken).ConfigureAwait(false))
                {
                    if (record is AddressRecord address)
                    {
                        addresses.Add(address.Address);
                    }
                }
            }
            catch (AcmeValidationFailure ex)
            {
                failure ??= ex;
            }
        }

        if (addresses.Count > 0)
        {
            return addresses;
        }

        throw failure ?? AcmeValidationFailure.Dns($"No A or AAAA record found for {name}.", isRetryable: false);
    }

    // AcmeServerValidationOptions.Hosts: the exact name first, then the nearest "*.suffix" above it.
    private IPAddress? FindHost(string name)
    {
        if (_hosts.Count == 0)
        {
            return null;
        }

        if (_hosts.TryGetValue(name, out var exact))
        {
            return exact;
        }

        for (var dot = name.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = name.IndexOf('.', dot + 1))
        {
            if (_hosts.TryGetValue("*" + name[dot..], out var wildcard))
            {
                return wildcard;
            }
        }

        return null;
    }

    /// <summary>A connected stream to the first address that accepts; throws <see cref="AcmeValidationFailure"/> (connection, retryable) when none does.</summary>
    public static async Task<NetworkStream> ConnectAsync(string host, IReadOnlyList<IPAddress> addresses, int port, CancellationToken cancellationToken)
    {
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        var tried = string.Join(", ", addresses.Select(a => new IPEndPoint(a, port).ToString()));
        throw AcmeValidationFailure.Connection($"Could not connect to {host} ({tried}): {last?.Message ?? "no address"}.");
    }
}
