using System.Net;
using Microsoft.Extensions.Options;

namespace Pki.Acme.Server;

/// <summary>
/// How the server's validation authority checks challenges (http-01, dns-01, tls-alpn-01) and CAA before
/// issuance. Invalid values fail at start-up; the message names the setting.
/// </summary>
public sealed class AcmeServerValidationOptions
{
    /// <summary>The TCP port http-01 validation connects to (1 to 65535, default 80). Tests point it at the client's responder.</summary>
    public int Http01Port { get; set; } = 80;

    /// <summary>The TCP port tls-alpn-01 validation connects to (1 to 65535, default 443). Tests point it at the client's responder.</summary>
    public int TlsAlpn01Port { get; set; } = 443;

    /// <summary>
    /// The recursive name servers for A/AAAA, TXT and CAA queries. Empty (the default): the system's resolvers.
    /// </summary>
    public IList<IPEndPoint> NameServers { get; } = new List<IPEndPoint>();

    /// <summary>
    /// Fixed addresses for http-01 and tls-alpn-01 connections, looked up before DNS: a host name (e.g. <c>app.internal.example</c>)
    /// or a wildcard suffix (<c>*.fleet.example</c>, which matches names below it) mapped to an IP address. For fleets on a private
    /// namespace the CA cannot resolve, and for demos and tests on loopback. Empty by default (DNS only).
    /// </summary>
    public IDictionary<string, string> Hosts { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Whether CAA (RFC 8659, RFC 8657) is checked before every issuance, fail-closed (default true). Turn it off only for a private
    /// namespace that has no public DNS (the check would always fail closed there); the server logs a warning at start when it is off.
    /// </summary>
    public bool EnforceCaa { get; set; } = true;

    /// <summary>The deadline of one validation attempt (DNS, connection and answer together): more than zero and at most 5 minutes (default 10 seconds).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times a validation is tried when it fails for a transient reason (timeout, connection refused, DNS server failure): 1 to 10 (default 3).</summary>
    public int Attempts { get; set; } = 3;

    /// <summary>The wait between two attempts: zero to 5 minutes (default 1 second).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many challenges are validated at once: 1 to 1024 (default 32). A validation mostly waits on the network
    /// (the client's responder, DNS), so a mass renewal needs many in flight rather than a few in turn.
    /// </summary>
    public int MaxConcurrentValidations { get; set; } = 32;

    /// <summary>The most bytes an http-01 response body may have: 1 to 1 MiB (default 8 KiB, far more than a key authorization).</summary>
    public int MaxResponseBytes { get; set; } = 8192;

    /// <summary>
    /// The issuer-domain-names this CA recognises as its own in CAA <c>issue</c>/<c>issuewild</c> records
    /// (RFC 8659 section 4.2), e.g. <c>ca.example.net</c>. At least one is required.
    /// </summary>
    public IList<string> CaaIdentities { get; } = new List<string>();
}

/// <summary>Validates <see cref="AcmeServerValidationOptions"/> at start-up, every problem in one message.</summary>
internal sealed class AcmeServerValidationOptionsValidator : IValidateOptions<AcmeServerValidationOptions>
{
    public const int MaxAttempts = 10;
    public const int MaxBodyLimit = 1024 * 1024;
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);

    public ValidateOptionsResult Validate(string? name, AcmeServerValidationOptions options)
    {
        var error = Check(options);
        return error is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error);
    }

    /// <summary>Null when valid, else every problem, one sentence each.</summary>
    public static string? Check(AcmeServerValidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Http01Port is < 1 or > 65535)
        {
            errors.Add($"AcmeServerValidationOptions.Http01Port is {options.Http01Port}; use a port from 1 to 65535.");
        }

        if (options.TlsAlpn01Port is < 1 or > 65535)
        {
            errors.Add($"AcmeServerValidationOptions.TlsAlpn01Port is {options.TlsAlpn01Port}; use a port from 1 to 65535.");
        }

        foreach (var server in options.NameServers)
        {
            if (server is null)
            {
                errors.Add("AcmeServerValidationOptions.NameServers has a null entry; give IP end points.");
            }
            else if (server.Port == 0)
            {
                errors.Add($"AcmeServerValidationOptions.NameServers has '{server}' with port 0; use a port from 1 to 65535.");
            }
        }

        foreach (var (host, address) in options.Hosts)
        {
            var name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
            if (string.IsNullOrWhiteSpace(name) || Uri.CheckHostName(name) != UriHostNameType.Dns)
            {
                errors.Add($"AcmeServerValidationOptions.Hosts has '{host}', which is not a host name or a '*.' wildcard suffix.");
            }

            if (!IPAddress.TryParse(address, out _))
            {
                errors.Add($"AcmeServerValidationOptions.Hosts maps '{host}' to '{address}', which is not an IP address.");
            }
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > MaxTimeout)
        {
            errors.Add($"AcmeServerValidationOptions.Timeout is {options.Timeout}; use more than zero and at most 5 minutes.");
        }

        if (options.MaxConcurrentValidations is < 1 or > 1024)
        {
            errors.Add($"AcmeServerValidationOptions.MaxConcurrentValidations is {options.MaxConcurrentValidations}; use 1 to 1024.");
        }

        if (options.Attempts is < 1 or > MaxAttempts)
        {
            errors.Add($"AcmeServerValidationOptions.Attempts is {options.Attempts}; use 1 to {MaxAttempts}.");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > MaxTimeout)
        {
            errors.Add($"AcmeServerValidationOptions.RetryDelay is {options.RetryDelay}; use zero to 5 minutes.");
        }

        if (options.MaxResponseBytes is < 1 or > MaxBodyLimit)
        {
            errors.Add($"AcmeServerValidationOptions.MaxResponseBytes is {options.MaxResponseBytes}; use 1 to {MaxBodyLimit} bytes.");
        }

        if (options.EnforceCaa && options.CaaIdentities.Count == 0)
        {
            errors.Add("AcmeServerValidationOptions.CaaIdentities is empty; name at least one issuer-domain-name this CA recognises in CAA records, e.g. \"ca.example.net\" (or turn EnforceCaa off for a private namespace).");
        }

        foreach (var identity in options.CaaIdentities)
        {
            if (string.IsNullOrWhiteSpace(identity) || !IsIssuerDomainName(identity))
            {
                errors.Add($"AcmeServerValidationOptions.CaaIdentities has '{identity}', which is not an issuer-domain-name (letters, digits and hyphens in dot-separated labels, e.g. \"ca.example.net\").");
            }
        }

        return errors.Count == 0 ? null : string.Join(" ", errors);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> with <see cref="Check"/>'s message when the options are invalid.</summary>
    public static void ThrowIfInvalid(AcmeServerValidationOptions options)
    {
        var error = Check(options);
        if (error is not null)
        {
            throw new OptionsValidationException(string.Empty, typeof(AcmeServerValidationOptions), [error]);
        }
    }

    // RFC 8659 section 4.2: issuer-domain-name = label *("." label); label = (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT))
    private static bool IsIssuerDomainName(string value)
    {
        foreach (var label in value.Split('.'))
        {
            if (label.Length == 0 || label.Length > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-'))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
