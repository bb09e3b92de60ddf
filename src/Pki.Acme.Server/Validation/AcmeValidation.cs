using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pki.Caa;

namespace Pki.Acme.Server;

/// <summary>Builds the validation authority (the three challenge validators) and the CAA policy from the options.</summary>
internal static class AcmeValidation
{
    /// <summary>http-01, dns-01 and tls-alpn-01, sharing one resolver.</summary>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names every bad setting.</exception>
    public static IReadOnlyList<IAcmeChallengeValidator> CreateValidators(AcmeServerValidationOptions o, TimeProvider time, ILoggerFactory? logs)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(time);
        AcmeServerValidationOptionsValidator.ThrowIfInvalid(o);
        var logger = (logs ?? NullLoggerFactory.Instance).CreateLogger("Pki.Acme.Server.Validation");
        var dns = new AcmeValidationDns(o);
        return
        [
            new Http01Validator(o, dns, time, logger),
            new Dns01Validator(o, dns, time, logger),
            new TlsAlpn01Validator(o, dns, time, logger),
        ];
    }

    /// <summary>The CAA enforcer over Pki.Caa's evaluator and DNS resolver (the configured name servers, the options' timeout, <c>Attempts - 1</c> retries).</summary>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names every bad setting.</exception>
    public static IAcmeCaaPolicy CreateCaaPolicy(AcmeServerValidationOptions o, TimeProvider time, ILoggerFactory? logs)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(time);
        AcmeServerValidationOptionsValidator.ThrowIfInvalid(o);
        logs ??= NullLoggerFactory.Instance;
        var resolverOptions = new DnsCaaResolverOptions { Timeout = o.Timeout, Retries = o.Attempts - 1 };
        foreach (var server in o.NameServers)
        {
            resolverOptions.NameServers.Add(server.ToString());
        }

        var resolver = new DnsCaaResolver(resolverOptions, logs.CreateLogger<DnsCaaResolver>());
        var evaluator = new CaaEvaluator(resolver, null, time, logs.CreateLogger<CaaEvaluator>());
        return new AcmeCaaEnforcer(evaluator, o.CaaIdentities, logs.CreateLogger("Pki.Acme.Server.Caa"));
    }
}
