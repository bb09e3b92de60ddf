using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace Pki.Caa;

/// <summary>Settings of <see cref="DnsCaaResolver"/>. Invalid values throw from its constructor, or fail at start-up when registered with <c>AddCaaEvaluator</c>; the message names the setting.</summary>
public sealed class DnsCaaResolverOptions
{
    /// <summary>
    /// Name servers as <c>IP</c>, <c>IP:PORT</c> or <c>[IPv6]:PORT</c> (port 53 when omitted). Empty:
    /// the system's resolvers.
    /// </summary>
    public IList<string> NameServers { get; } = new List<string>();

    /// <summary>Time to wait for one answer, per attempt (more than zero, at most 5 minutes; default 5 seconds).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many times a query is sent again after a timeout (0 to 10, default 2).</summary>
    public int Retries { get; set; } = 2;

    /// <summary>Retry over TCP when a UDP answer is truncated (default true). When false a truncated answer is indeterminate.</summary>
    public bool UseTcpFallback { get; set; } = true;

    /// <summary>Query over TCP only, never UDP (default false): for networks that drop large UDP answers, and so no answer is ever truncated.</summary>
    public bool UseTcpOnly { get; set; }

    /// <summary>Parses one <see cref="NameServers"/> entry; throws <see cref="CaaFormatException"/> naming it when it is not an address.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static IPEndPoint ParseNameServer(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        string host;
        var port = 53;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0)
            {
                throw new CaaFormatException($"The name server '{value}' opens '[' without ']'; write [IPv6]:PORT.", value, 0);
            }

            host = text.Substring(1, close - 1);
            var rest = text.Substring(close + 1);
            if (rest.Length > 0)
            {
                if (rest[0] != ':' || !TryPort(rest.Substring(1), out port))
                {
                    throw new CaaFormatException($"The name server '{value}' has a bad port '{rest}'; write [IPv6]:PORT with a port from 1 to 65535.", value, close + 1);
                }
            }
        }
        else if (text.Contains(':') && text.IndexOf(':') == text.LastIndexOf(':'))
        {
            var colon = text.IndexOf(':');
            host = text.Substring(0, colon);
            if (!TryPort(text.Substring(colon + 1), out port))
            {
                throw new CaaFormatException($"The name server '{value}' has a bad port '{text.Substring(colon + 1)}'; use a port from 1 to 65535.", value, colon + 1);
            }
        }
        else
        {
            host = text;
        }

        if (!IPAddress.TryParse(host, out var address))
        {
            throw new CaaFormatException($"The name server '{value}' is not an IP address (IP, IP:PORT or [IPv6]:PORT); host names are not accepted.", value, 0);
        }

        return new IPEndPoint(address, port);
    }

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
}

/// <summary>Validates <see cref="DnsCaaResolverOptions"/> at start-up.</summary>
internal sealed class DnsCaaResolverOptionsValidator : IValidateOptions<DnsCaaResolverOptions>
{
    public ValidateOptionsResult Validate(string? name, DnsCaaResolverOptions options)
    {
        var error = Check(options);
        return error is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error);
    }

    public static string? Check(DnsCaaResolverOptions options)
    {
        var errors = new List<string>();
        foreach (var server in options.NameServers)
        {
            try
            {
                DnsCaaResolverOptions.ParseNameServer(server ?? string.Empty);
            }
            catch (CaaFormatException ex)
            {
                errors.Add(ex.Message);
            }
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"DnsCaaResolverOptions.Timeout is {options.Timeout}; use more than zero and at most 5 minutes.");
        }

        if (options.Retries is < 0 or > 10)
        {
            errors.Add($"DnsCaaResolverOptions.Retries is {options.Retries}; use 0 to 10.");
        }

        return errors.Count == 0 ? null : string.Join(" ", errors);
    }
}
