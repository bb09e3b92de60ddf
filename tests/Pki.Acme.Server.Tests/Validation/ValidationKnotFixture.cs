using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Pki.Acme;
using Pki.TestSupport;

namespace Pki.Acme.Server.Tests.Validation;

/// <summary>
/// One knotd for the validation tests: <c>acme.test</c> with the addresses, dns-01 TXT records and CAA records the
/// tests use, its parent <c>test</c> (so climbing for CAA ends in NODATA, not REFUSED) and a SERVFAIL zone.
/// </summary>
public sealed class ValidationKnotFixture : IAsyncLifetime
{
    /// <summary>The token and key authorization the TXT records under acme.test are made for.</summary>
    public const string Token = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";

    public const string KeyAuthorization = Token + ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";

    public const string CaIdentity = "ca.example.net";

    public const string AccountUrl = "https://acme.test/acme/acct/1";

    public KnotServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var digest = AcmeKeyAuthorization.ComputeDns01TxtValue(KeyAuthorization);
        const string Tld = """
            $ORIGIN test.
            $TTL 60
            @        SOA ns1.acme.test. hostmaster.acme.test. 1 3600 600 86400 60
            @        NS  ns1.acme.test.
            acme     NS  ns1.acme.test.
            servfail NS  ns1.acme.test.
            """;
        var acme = $$"""
            $ORIGIN acme.test.
            $TTL 60
            @        SOA ns1 hostmaster 1 3600 600 86400 60
            @        NS  ns1
            ns1      A   127.0.0.1
            web      A   127.0.0.1
            _acme-challenge.dns       TXT "{{digest}}"
            _acme-challenge.multi     TXT "something-else"
            _acme-challenge.multi     TXT "{{digest}}"
            _acme-challenge.split     TXT "{{digest[..20]}}" "{{digest[20..]}}"
            _acme-challenge.wild      TXT "{{digest}}"
            _acme-challenge.wrongtxt  TXT "not-the-digest"
            _acme-challenge.notxt A 127.0.0.1
            caa-allowed  CAA 0 issue "{{CaIdentity}}"
            caa-other    CAA 0 issue "other-ca.example"
            caa-wild     CAA 0 issue "{{CaIdentity}}"
            caa-wild     CAA 0 issuewild "other-ca.example"
            caa-acct     CAA 0 issue "{{CaIdentity}}; accounturi={{AccountUrl}}"
            caa-method   CAA 0 issue "{{CaIdentity}}; validationmethods=dns-01"
            caa-none     A   127.0.0.1
            """;
        // Reverse names for CAA on ip identifiers (RFC 8738 names, searched under in-addr.arpa); the whole of arpa so climbing ends in NODATA.
        var arpa = $$"""
            $ORIGIN arpa.
            $TTL 60
            @        SOA ns1.acme.test. hostmaster.acme.test. 1 3600 600 86400 60
            @        NS  ns1.acme.test.
            1.0.0.127.in-addr  CAA 0 issue "{{CaIdentity}}"
            2.0.0.127.in-addr  CAA 0 issue "other-ca.example"
            """;
        Server = await KnotServer.StartAsync([new KnotZone("test", Tld), new KnotZone("acme.test", acme), new KnotZone("servfail.test", null), new KnotZone("arpa", arpa)]);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>Options that ask this knotd, with short timeouts and delays for tests.</summary>
    public AcmeServerValidationOptions Options(Action<AcmeServerValidationOptions>? configure = null)
    {
        var options = new AcmeServerValidationOptions
        {
            Timeout = TimeSpan.FromSeconds(5),
            Attempts = 3,
            RetryDelay = TimeSpan.FromMilliseconds(20),
        };
        options.NameServers.Add(new IPEndPoint(IPAddress.Loopback, Server.Port));
        options.CaaIdentities.Add(CaIdentity);
        configure?.Invoke(options);
        return options;
    }

    internal IAcmeChallengeValidator Validator(string type, Action<AcmeServerValidationOptions>? configure = null) =>
        AcmeValidation.CreateValidators(Options(configure), TimeProvider.System, NullLoggerFactory.Instance).Single(v => v.Type == type);

    public static AcmeIdentifier Dns(string name) => new() { Type = AcmeIdentifier.DnsType, Value = name };

    public static AcmeIdentifier Ip(string address) => new() { Type = AcmeIdentifier.IpType, Value = address };
}

[CollectionDefinition(Name)]
public sealed class ValidationKnotCollection : ICollectionFixture<ValidationKnotFixture>
{
    public const string Name = "validation-knotd";
}
