using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Pki.Caa;

/// <summary>
/// <see cref="ICaaResolver"/> over DnsClient: one CAA query per call to the configured name servers
/// (or the system's), with CNAMEs in the answer reported as aliases. Failures are results, not exceptions.
/// </summary>
public sealed class DnsCaaResolver : ICaaResolver
{
    private readonly LookupClient _client;
    private readonly string _servers;
    private readonly ILogger _logger;

    /// <summary>Creates a resolver from options (as registered by <c>AddCaaEvaluator</c>).</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting.</exception>
    public DnsCaaResolver(IOptions<DnsCaaResolverOptions> options, ILogger<DnsCaaResolver>? logger = null)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value, logger)
    {
    }

    /// <summary>Creates a resolver that asks <see cref="DnsCaaResolverOptions.NameServers"/> (the system's when empty), recursion desired, without a DnsClient cache (the evaluator caches by TTL).</summary>
    /// <param name="options">Servers, timeout, retries and transport.</param>
    /// <param name="logger">Receives each query at debug level; nothing is logged when null.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting.</exception>
    public DnsCaaResolver(DnsCaaResolverOptions options, ILogger<DnsCaaResolver>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var error = DnsCaaResolverOptionsValidator.Check(options);
        if (error is not null)
        {
            throw new ArgumentException(error, nameof(options));
        }

        var endpoints = options.NameServers.Select(DnsCaaResolverOptions.ParseNameServer).ToArray();
        var lookup = endpoints.Length == 0 ? new LookupClientOptions() : new LookupClientOptions(endpoints);
        lookup.AutoResolveNameServers = endpoints.Length == 0;
        lookup.UseCache = false;
        lookup.Timeout = options.Timeout;
        lookup.Retries = options.Retries;
        lookup.ThrowDnsErrors = false;
        lookup.UseTcpFallback = options.UseTcpFallback;
        lookup.UseTcpOnly = options.UseTcpOnly;
        lookup.ContinueOnDnsError = true;
        lookup.ContinueOnEmptyResponse = false;
        lookup.Recursion = true;
        _client = new LookupClient(lookup);
        _servers = endpoints.Length == 0 ? "system name servers" : string.Join(", ", endpoints.Select(e => e.ToString()));
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc />
    public async Task<CaaQueryResult> QueryCaaAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Log.DnsQuery(_logger, name, _servers);
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(name, QueryType.CAA, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResponseException ex) when (ex.Code == DnsResponseCode.ConnectionTimeout)
        {
            return CaaQueryResult.Failure(CaaQueryStatus.Timeout, $"no answer from {_servers}: {ex.Message}");
        }
        catch (DnsResponseException ex)
        {
            return CaaQueryResult.Failure(CaaQueryStatus.MalformedResponse, $"{_servers}: {ex.Message}");
        }
        catch (SocketException ex)
        {
            return CaaQueryResult.Failure(CaaQueryStatus.Timeout, $"{_servers} unreachable: {ex.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CaaQueryResult.Failure(CaaQueryStatus.Timeout, $"no answer from {_servers} in time");
        }
        catch (TimeoutException ex)
        {
            return CaaQueryResult.Failure(CaaQueryStatus.Timeout, $"no answer from {_servers}: {ex.Message}");
        }
        catch (DnsXidMismatchException ex)
        {
            // An answer to another query (spoofed, or a confused middlebox) after every retry: unknown, not "no records".
            return CaaQueryResult.Failure(CaaQueryStatus.MalformedResponse, $"{_servers} answered the CAA query for {name} with transaction ID {ex.ResponseXid} instead of {ex.RequestXid}");
        }
        catch (DnsResponseParseException ex)
        {
            return CaaQueryResult.Failure(CaaQueryStatus.MalformedResponse, $"{_servers} sent an answer for {name} that cannot be parsed: {ex.Message}");
        }

        try
        {
            return Interpret(name, response);
        }
        catch (CaaFormatException ex)
        {
            return CaaQueryResult.Failure(CaaQueryStatus.MalformedResponse, $"{_servers} sent an answer for {name} that cannot be read: {ex.Message}");
        }
    }

    internal static CaaQueryResult Interpret(string name, IDnsQueryResponse response)
    {
        var server = response.NameServer?.ToString() ?? "the name server";
        if (response.Header.ResultTruncated)
        {
            return CaaQueryResult.Failure(CaaQueryStatus.Truncated, $"{server} sent a truncated answer for {name}");
        }

        var code = response.Header.ResponseCode;
        var aliases = new List<CaaAlias>();
        var ttl = uint.MaxValue;
        foreach (var record in response.Answers)
        {
            if (record is CNameRecord cname)
            {
                aliases.Add(new CaaAlias(Normalize(cname.DomainName), Normalize(cname.CanonicalName)));
                ttl = Math.Min(ttl, (uint)Math.Max(0, cname.InitialTimeToLive));
            }
        }

        if (code == DnsHeaderResponseCode.NotExistentDomain)
        {
            return CaaQueryResult.NameError(aliases, NegativeTtl(response, ttl));
        }

        if (code != DnsHeaderResponseCode.NoError)
        {
            var status = code switch
            {
                DnsHeaderResponseCode.ServerFailure => CaaQueryStatus.ServerFailure,
                DnsHeaderResponseCode.Refused => CaaQueryStatus.Refused,
                _ => CaaQueryStatus.OtherError,
            };
            return CaaQueryResult.Failure(status, $"{server} answered {code} for {name}");
        }

        // The CAA records that count are those of the name the alias chain ends at.
        var end = Normalize(name);
        for (var step = 0; step < aliases.Count; step++)
        {
            var next = aliases.Find(a => a.Owner == end);
            if (next is null)
            {
                break;
            }

            end = next.Target;
        }

        var records = new List<CaaRecord>();
        foreach (var record in response.Answers)
        {
            if (record is DnsClient.Protocol.CaaRecord caa && Normalize(caa.DomainName) == end)
            {
                try
                {
                    records.Add(CaaRecord.FromDnsClient(caa));
                }
                catch (CaaFormatException ex)
                {
                    return CaaQueryResult.Failure(CaaQueryStatus.MalformedResponse, $"{server} sent a CAA record for {end} that cannot be read: {ex.Message}");
                }

                ttl = Math.Min(ttl, (uint)Math.Max(0, caa.InitialTimeToLive));
            }
        }

        return records.Count == 0
            ? CaaQueryResult.Success(records, aliases, NegativeTtl(response, ttl))
            : CaaQueryResult.Success(records, aliases, TimeSpan.FromSeconds(ttl));
    }

    // RFC 2308 section 5: a negative answer is cached for the minimum of the SOA's TTL and its MINIMUM field.
    private static TimeSpan NegativeTtl(IDnsQueryResponse response, uint aliasTtl)
    {
        var soa = response.Authorities.OfType<SoaRecord>().FirstOrDefault();
        if (soa is null)
        {
            return TimeSpan.Zero;
        }

        var ttl = Math.Min((uint)Math.Max(0, soa.InitialTimeToLive), soa.Minimum);
        return TimeSpan.FromSeconds(Math.Min(ttl, aliasTtl));
    }

    private static string Normalize(string name) => IdnName.ToLowerAscii(name.TrimEnd('.'));

    // DnsString.Value is the Unicode form of IDN labels; the comparison needs the A-labels of the wire.
    private static string Normalize(DnsString name)
    {
        var text = (name.Original ?? name.Value).TrimEnd('.');
        return IdnName.IsAscii(text) ? IdnName.ToLowerAscii(text) : DnsName.Normalize(text, "owner name in the answer");
    }
}
