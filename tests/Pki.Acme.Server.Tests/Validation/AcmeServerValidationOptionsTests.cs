using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Pki.Acme.Server.Tests.Validation;

public sealed class AcmeServerValidationOptionsTests
{
    public static TheoryData<string, string> BadOptions => new()
    {
        { "http01port", "AcmeServerValidationOptions.Http01Port is 0; use a port from 1 to 65535." },
        { "tlsalpn01port", "AcmeServerValidationOptions.TlsAlpn01Port is 70000; use a port from 1 to 65535." },
        { "nameserverport", "AcmeServerValidationOptions.NameServers has '127.0.0.1:0' with port 0; use a port from 1 to 65535." },
        { "timeout", "AcmeServerValidationOptions.Timeout is 00:00:00; use more than zero and at most 5 minutes." },
        { "attempts", "AcmeServerValidationOptions.Attempts is 0; use 1 to 10." },
        { "concurrency", "AcmeServerValidationOptions.MaxConcurrentValidations is 0; use 1 to 1024." },
        { "retrydelay", "AcmeServerValidationOptions.RetryDelay is -00:00:01; use zero to 5 minutes." },
        { "maxresponsebytes", "AcmeServerValidationOptions.MaxResponseBytes is 0; use 1 to 1048576 bytes." },
        { "nocaa", "AcmeServerValidationOptions.CaaIdentities is empty; name at least one issuer-domain-name this CA recognises in CAA records, e.g. \"ca.example.net\" (or turn EnforceCaa off for a private namespace)." },
        { "badcaa", "AcmeServerValidationOptions.CaaIdentities has 'ca example', which is not an issuer-domain-name (letters, digits and hyphens in dot-separated labels, e.g. \"ca.example.net\")." },
        { "badhost", "AcmeServerValidationOptions.Hosts has 'not a host', which is not a host name or a '*.' wildcard suffix." },
        { "badaddress", "AcmeServerValidationOptions.Hosts maps 'app.fleet.test' to 'nowhere', which is not an IP address." },
    };

    [Fact]
    public void The_defaults_with_an_identity_are_valid()
    {
        var options = Valid();

        Assert.Equal(80, options.Http01Port);
        Assert.Equal(443, options.TlsAlpn01Port);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        Assert.Equal(3, options.Attempts);
        Assert.Equal(32, options.MaxConcurrentValidations);
        Assert.Empty(options.NameServers);
        Assert.Null(AcmeServerValidationOptionsValidator.Check(options));
        Assert.True(new AcmeServerValidationOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(["http-01", "dns-01", "tls-alpn-01"], AcmeValidation.CreateValidators(options, TimeProvider.System, null).Select(v => v.Type));
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Each_bad_setting_has_its_exact_message(string setting, string message)
    {
        var options = Valid();
        switch (setting)
        {
            case "http01port": options.Http01Port = 0; break;
            case "tlsalpn01port": options.TlsAlpn01Port = 70000; break;
            case "nameserverport": options.NameServers.Add(new IPEndPoint(IPAddress.Loopback, 0)); break;
            case "timeout": options.Timeout = TimeSpan.Zero; break;
            case "attempts": options.Attempts = 0; break;
            case "concurrency": options.MaxConcurrentValidations = 0; break;
            case "retrydelay": options.RetryDelay = TimeSpan.FromSeconds(-1); break;
            case "maxresponsebytes": options.MaxResponseBytes = 0; break;
            case "nocaa": options.CaaIdentities.Clear(); break;
            case "badcaa": options.CaaIdentities.Add("ca example"); break;
            case "badhost": options.Hosts["not a host"] = "127.0.0.1"; break;
            case "badaddress": options.Hosts["app.fleet.test"] = "nowhere"; break;
            default: throw new ArgumentOutOfRangeException(nameof(setting));
        }

        Assert.Equal(message, AcmeServerValidationOptionsValidator.Check(options));
        var result = new AcmeServerValidationOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Equal(message, result.FailureMessage);
        var thrown = Assert.Throws<OptionsValidationException>(() => AcmeValidation.CreateValidators(options, TimeProvider.System, NullLoggerFactory.Instance));
        Assert.Equal(message, thrown.Message);
        Assert.Equal(message, Assert.Throws<OptionsValidationException>(() => AcmeValidation.CreateCaaPolicy(options, TimeProvider.System, null)).Message);
    }

    [Fact]
    public void Several_problems_are_reported_together()
    {
        var options = new AcmeServerValidationOptions { Attempts = 11 };

        Assert.Equal(
            "AcmeServerValidationOptions.Attempts is 11; use 1 to 10. AcmeServerValidationOptions.CaaIdentities is empty; name at least one issuer-domain-name this CA recognises in CAA records, e.g. \"ca.example.net\" (or turn EnforceCaa off for a private namespace).",
            AcmeServerValidationOptionsValidator.Check(options));
    }

    private static AcmeServerValidationOptions Valid()
    {
        var options = new AcmeServerValidationOptions();
        options.CaaIdentities.Add("ca.example.net");
        return options;
    }
}
