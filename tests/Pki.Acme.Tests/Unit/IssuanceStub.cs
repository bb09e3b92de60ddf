using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Pki.Acme.Tests.Unit;

/// <summary>
/// A two-level CA (root, intermediate) that signs whatever a test asks for, including what a real
/// CA must not: certificates with any validity, for any key, with any issuer name.
/// </summary>
public sealed class StubCa : IDisposable
{
    public const string RootName = "CN=Stub Root, O=Pki Tests";
    public const string IntermediateName = "CN=Stub Intermediate, O=Pki Tests";

    public StubCa(DateTimeOffset now)
    {
        Now = now;
        Root = Sign(RootName, new PublicKey(RootKey), RootName, RootKey, now.AddYears(-1), now.AddYears(10), isCa: true);
        Intermediate = Sign(IntermediateName, new PublicKey(IntermediateKey), RootName, RootKey, now.AddDays(-30), now.AddYears(2), isCa: true);
    }

    public DateTimeOffset Now { get; }

    public ECDsa RootKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public ECDsa IntermediateKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public X509Certificate2 Root { get; }

    public X509Certificate2 Intermediate { get; }

    /// <summary>A certificate for <paramref name="key"/> signed by <paramref name="issuerKey"/> under <paramref name="issuer"/>, with no checks at all.</summary>
    public static X509Certificate2 Sign(string subject, PublicKey key, string issuer, ECDsa issuerKey, DateTimeOffset notBefore, DateTimeOffset notAfter, bool isCa = false, IEnumerable<AcmeIdentifier>? names = null)
    {
        var request = new CertificateRequest(new X500DistinguishedName(subject), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        if (names is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in names)
            {
                if (name.Type == AcmeIdentifier.IpType)
                {
                    san.AddIpAddress(IPAddress.Parse(name.Value));
                }
                else
                {
                    san.AddDnsName(name.Value);
                }
            }

            request.CertificateExtensions.Add(san.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        return request.Create(new X500DistinguishedName(issuer), X509SignatureGenerator.CreateForECDsa(issuerKey), notBefore, notAfter, serial);
    }

    /// <summary>A leaf for <paramref name="key"/> naming <paramref name="names"/>, valid from an hour ago for 90 days unless told otherwise.</summary>
    public X509Certificate2 Leaf(PublicKey key, IEnumerable<AcmeIdentifier> names, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, ECDsa? signer = null) =>
        Sign("CN=Stub Leaf", key, IntermediateName, signer ?? IntermediateKey, notBefore ?? Now.AddHours(-1), notAfter ?? Now.AddDays(90), names: names);

    public static string Pem(params X509Certificate2[] certificates) =>
        string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n"));

    public void Dispose()
    {
        RootKey.Dispose();
        IntermediateKey.Dispose();
        Root.Dispose();
        Intermediate.Dispose();
    }
}

/// <summary>
/// A whole RFC 8555 issuance on <see cref="StubAcmeServer"/>: newOrder, one authorization per
/// identifier with an http-01 challenge, finalize (the CSR is read and a chain issued for its key by
/// <see cref="StubCa"/>), certificate download with an optional alternate. Every step can be made to
/// misbehave. Authorizations become valid as soon as their challenge is answered, and the order is
/// ready at once, so no poll waits and a <see cref="FakeTimeProvider"/> clock stays put.
/// </summary>
public sealed class IssuanceStub : IDisposable
{
    public const string ValidToken = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";
    private readonly ConcurrentDictionary<int, bool> _answered = new();
    private List<AcmeIdentifier> _requested = [];
    private List<AcmeIdentifier> _listed = [];
    private string? _chain;

    public IssuanceStub()
    {
        Time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        Ca = new StubCa(Time.GetUtcNow());
        Chain = (key, names) => StubCa.Pem(Ca.Leaf(key, names), Ca.Intermediate);
        Server.Routes["POST /order"] = NewOrder;
        Server.Routes["POST /order/1"] = _ => OrderJson(HttpStatusCode.OK);
        Server.Routes["POST /finalize/1"] = Finalize;
        Server.Routes["POST /cert/1"] = _ =>
        {
            var response = StubAcmeServer.Json(HttpStatusCode.OK, _chain!, "application/pem-certificate-chain");
            if (AlternateChain is not null)
            {
                response.Headers.Add("Link", $"<{AlternateLink}>;rel=\"alternate\"");
            }

            return response;
        };
        Server.Routes["POST /cert/1/alt"] = _ => StubAcmeServer.Json(HttpStatusCode.OK, AlternateChain!(_chainKey!, _requested), "application/pem-certificate-chain");
    }

    private PublicKey? _chainKey;

    public StubAcmeServer Server { get; } = new();

    public FakeTimeProvider Time { get; }

    public StubCa Ca { get; }

    /// <summary>The token of every challenge.</summary>
    public string Token { get; set; } = ValidToken;

    /// <summary>The Location of the new order.</summary>
    public string OrderLocation { get; set; } = "https://acme.test/order/1";

    /// <summary>The alternate chain's URL, as it appears in the Link header.</summary>
    public string AlternateLink { get; set; } = "https://acme.test/cert/1/alt";

    /// <summary>What the new order lists, given what was requested (default: the same).</summary>
    public Func<IReadOnlyList<AcmeIdentifier>, IReadOnlyList<AcmeIdentifier>> Listed { get; set; } = requested => requested;

    /// <summary>The authorization's identifier and wildcard flag for a listed identifier (default: section 7.1.4, '*.' moved into the flag).</summary>
    public Func<AcmeIdentifier, (AcmeIdentifier Identifier, bool Wildcard)> Authorization { get; set; } = DefaultAuthorization;

    /// <summary>The default chain's PEM for the CSR's key and the requested identifiers.</summary>
    public Func<PublicKey, IReadOnlyList<AcmeIdentifier>, string> Chain { get; set; }

    /// <summary>An alternate chain, linked with rel="alternate" when set.</summary>
    public Func<PublicKey, IReadOnlyList<AcmeIdentifier>, string>? AlternateChain { get; set; }

    public static (AcmeIdentifier, bool) DefaultAuthorization(AcmeIdentifier listed) =>
        listed.IsWildcard ? (listed with { Value = listed.Value[2..] }, true) : (listed, false);

    public async Task<(AcmeClient Client, AcmeAccount Account)> AccountAsync(Action<AcmeClientOptions>? configure = null)
    {
        var client = Server.CreateClient(configure, Time);
        var account = await client.CreateAccountAsync(AcmeKey.Create(), new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        return (client, account);
    }

    private HttpResponseMessage NewOrder(HttpRequestMessage request)
    {
        using var payload = JsonDocument.Parse(Payload(request));
        _requested = payload.RootElement.GetProperty("identifiers").EnumerateArray()
            .Select(e => new AcmeIdentifier { Type = e.GetProperty("type").GetString()!, Value = e.GetProperty("value").GetString()! })
            .ToList();
        _listed = Listed(_requested).ToList();
        for (var i = 0; i < _listed.Count; i++)
        {
            var index = i;
            var (identifier, wildcard) = Authorization(_listed[i]);
            Server.Routes[$"POST /authz/{i}"] = _ => StubAcmeServer.Json(HttpStatusCode.OK, $$"""
                {"status":"{{(_answered.ContainsKey(index) ? "valid" : "pending")}}","identifier":{{JsonSerializer.Serialize(identifier)}},{{(wildcard ? "\"wildcard\":true," : string.Empty)}}
                 "challenges":[{"type":"http-01","url":"https://acme.test/chall/{{index}}","status":"pending","token":{{JsonSerializer.Serialize(Token)}}}]}
                """);
            Server.Routes[$"POST /chall/{i}"] = _ =>
            {
                _answered[index] = true;
                return StubAcmeServer.Json(HttpStatusCode.OK, $$"""{"type":"http-01","url":"https://acme.test/chall/{{index}}","status":"processing","token":{{JsonSerializer.Serialize(Token)}}}""");
            };
        }

        return OrderJson(HttpStatusCode.Created, OrderLocation);
    }

    private HttpResponseMessage Finalize(HttpRequestMessage request)
    {
        using var payload = JsonDocument.Parse(Payload(request));
        var csr = CertificateRequest.LoadSigningRequest(FromBase64Url(payload.RootElement.GetProperty("csr").GetString()!), HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        _chainKey = csr.PublicKey;
        _chain = Chain(csr.PublicKey, _requested);
        return OrderJson(HttpStatusCode.OK);
    }

    private HttpResponseMessage OrderJson(HttpStatusCode status, string? location = null)
    {
        var state = _chain is not null ? "valid" : _listed.Count > 0 && Enumerable.Range(0, _listed.Count).All(_answered.ContainsKey) ? "ready" : "pending";
        var authorizations = string.Join(",", Enumerable.Range(0, _listed.Count).Select(i => $"\"https://acme.test/authz/{i}\""));
        var certificate = state == "valid" ? ",\"certificate\":\"https://acme.test/cert/1\"" : string.Empty;
        return StubAcmeServer.Json(status, $$"""
            {"status":"{{state}}","identifiers":{{JsonSerializer.Serialize(_listed)}},"authorizations":[{{authorizations}}],"finalize":"https://acme.test/finalize/1"{{certificate}}}
            """, location: location);
    }

    private static byte[] Payload(HttpRequestMessage request)
    {
        using var jws = JsonDocument.Parse(request.Content!.ReadAsStringAsync().GetAwaiter().GetResult());
        return FromBase64Url(jws.RootElement.GetProperty("payload").GetString()!);
    }

    private static byte[] FromBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64 + new string('=', (4 - (base64.Length % 4)) % 4));
    }

    public void Dispose() => Ca.Dispose();
}

/// <summary>Counts what solvers were asked to present, and presents nothing.</summary>
public sealed class CountingSolver : IChallengeSolver
{
    public ConcurrentQueue<AcmeChallengeContext> Presented { get; } = new();

    public string ChallengeType => AcmeChallengeResource.Http01;

    public Task PresentAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
    {
        Presented.Enqueue(context);
        return Task.CompletedTask;
    }

    public Task CleanupAsync(AcmeChallengeContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
