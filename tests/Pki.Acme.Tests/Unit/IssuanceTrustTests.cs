using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pki.Acme.Tests.Unit;

/// <summary>
/// Issue #11, point 9: what the CA sends is checked before it is used or returned. Each test runs
/// the whole issuance against <see cref="IssuanceStub"/> with one thing wrong.
/// </summary>
public sealed class IssuanceTrustTests : IDisposable
{
    private readonly IssuanceStub _stub = new();

    public void Dispose() => _stub.Dispose();

    private async Task<AcmeIssuedCertificate> IssueAsync(IReadOnlyList<AcmeIdentifier> identifiers, IChallengeSolver? solver = null, AsymmetricAlgorithm? key = null, DateTimeOffset? notBefore = null, string? preferredChain = null)
    {
        var (client, account) = await _stub.AccountAsync();
        return await new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = identifiers, CertificateKey = key, NotBefore = notBefore, PreferredChain = preferredChain },
            [solver ?? new CountingSolver()]);
    }

    private static string Fingerprint(AsymmetricAlgorithm key) => AcmeCertificateVerifier.GetKeyFingerprint(key.ExportSubjectPublicKeyInfo());

    [Fact]
    public async Task A_chain_that_matches_the_order_is_returned_whatever_the_case_or_form_of_the_names()
    {
        // The CA writes the names in its own case; an IDN arrives as its A-label.
        _stub.Chain = (key, _) => StubCa.Pem(
            _stub.Ca.Leaf(key, [new AcmeIdentifier { Value = "XN--BCHER-KVA.Example.TEST" }, new AcmeIdentifier { Value = "*.WILD.example.test" }, AcmeIdentifier.Ip(IPAddress.Parse("2001:db8::7"))]),
            _stub.Ca.Intermediate);
        var solver = new CountingSolver();

        var issued = await IssueAsync([AcmeIdentifier.Dns("Bücher.example.test"), AcmeIdentifier.Dns("*.wild.example.test"), AcmeIdentifier.Parse("2001:0db8:0:0::7")], solver);

        Assert.Equal(2, issued.Chain.Certificates.Count);
        Assert.Single(issued.AllChains);

        // The wildcard's authorization is for the base name with wildcard=true, and is accepted as the order's "*.wild.example.test".
        Assert.Contains(solver.Presented, c => c.Identifier.Value == "wild.example.test" && c.IsWildcard);
        Assert.Equal(3, solver.Presented.Count);
    }

    [Fact]
    public async Task A_certificate_for_another_key_is_a_KeyMismatch_naming_both_fingerprints_only()
    {
        using var ours = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var theirs = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _stub.Chain = (_, names) => StubCa.Pem(_stub.Ca.Leaf(new PublicKey(theirs), names), _stub.Ca.Intermediate);

        var ex = await Assert.ThrowsAsync<AcmeCertificateMismatchException>(() => IssueAsync([AcmeIdentifier.Dns("a.example.test")], key: ours));

        Assert.Equal(AcmeCertificateMismatchReason.KeyMismatch, ex.Reason);
        Assert.Equal(0, ex.CertificateIndex);
        Assert.Equal(Fingerprint(ours), ex.Expected);
        Assert.Equal(Fingerprint(theirs), ex.Actual);
        Assert.Equal(new Uri("https://acme.test/cert/1"), ex.ChainUri);
        Assert.Equal(
            $"The certificate chain from https://acme.test/cert/1 is not what was ordered (KeyMismatch): the leaf certificate is for another key: the CSR key is {Fingerprint(ours)}, the leaf's is {Fingerprint(theirs)}.",
            ex.Message);
        Assert.DoesNotContain(Convert.ToBase64String(ours.ExportSubjectPublicKeyInfo()), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_missing_a_name_is_an_IdentifiersMismatch_naming_it()
    {
        _stub.Chain = (key, names) => StubCa.Pem(_stub.Ca.Leaf(key, names.Take(1)), _stub.Ca.Intermediate);

        var ex = await Assert.ThrowsAsync<AcmeCertificateMismatchException>(() => IssueAsync([AcmeIdentifier.Dns("a.example.test"), AcmeIdentifier.Dns("b.example.test")]));

        Assert.Equal(AcmeCertificateMismatchReason.IdentifiersMismatch, ex.Reason);
        Assert.Equal("[dns:a.example.test, dns:b.example.test]", ex.Expected);
        Assert.Equal("[dns:a.example.test]", ex.Actual);
        Assert.EndsWith("(IdentifiersMismatch): the leaf certificate's subjectAltName differs from the requested identifiers: missing [dns:b.example.test].", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_with_a_name_not_requested_is_an_IdentifiersMismatch()
    {
        _stub.Chain = (key, names) => StubCa.Pem(_stub.Ca.Leaf(key, [.. names, AcmeIdentifier.Ip(IPAddress.Parse("192.0.2.1"))]), _stub.Ca.Intermediate);

        var ex = await Assert.ThrowsAsync<AcmeCertificateMismatchException>(() => IssueAsync([AcmeIdentifier.Dns("a.example.test")]));

        Assert.Equal(AcmeCertificateMismatchReason.IdentifiersMismatch, ex.Reason);
        Assert.EndsWith("differs from the requested identifiers: not requested [ip:192.0.2.1].", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_chain_is_Expired()
    {
        var now = _stub.Time.GetUtcNow();
        _stub.Chain = (key, names) => StubCa.Pem(_stub.Ca.Leaf(key, names, now.AddDays(-10), now.AddDays(-1)), _stub.Ca.Intermediate);

        var ex = await Assert.ThrowsAsync<AcmeCertificateMismatchException>(() => IssueAsync([AcmeIdentifier.Dns("a.example.test")]));

        Assert.Equal(AcmeCertificateMismatchReason.Expired, ex.Reason);
        Assert.Equal(0, ex.CertificateIndex);
        Assert.Contains("certificate 0 ('CN=Stub Leaf') expired at ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_intermediate_is_Expired_at_its_index()
    {
        var now = _stub.Time.GetUtcNow();
        using var stale = StubCa.Sign(StubCa.IntermediateName, new PublicKey(_stub.Ca.IntermediateKey), StubCa.RootName, _stub.Ca.RootKey, now.AddYears(-3), now.AddSeconds(-1), isCa: true);
        _stub.Chain = (key, names) => StubCa.Pem(_stub.Ca.Leaf(key, names), stale);

        var ex = await Assert.ThrowsAsync<AcmeCertificateMismatchException>(() => IssueAsync([AcmeIdentifier.Dns("a.example.test")]));

        Assert.Equal(AcmeCertificateMismatchReason.Expired, ex.Reason);
        Assert.Equal(1, ex.CertificateIndex);
    }

    [Fact]
    public async Task A_certificate_not_valid_yet_is_NotYetValid_beyond_the_clock_skew_allowance()
    {
        var now = _stub.Time.GetUtcNow();
        _stub.Chain = (key, names) => StubCa.Pem(_stub.Ca.Leaf(key, names, now.AddMinutes(10), now.AddDays(90)), _stub.Ca.Intermediate);

        var ex = await Assert.ThrowsAsync<AcmeCertificateMismatchException>(() => IssueAsync([AcmeIdentifier.Dns("a.example.test")]));

        Assert.Equal(AcmeCertificateMismatchReason.NotYetValid, ex.Reason);
        Assert.Contains("certificate 0 ('CN=Stub Leaf') is not valid before ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ca_clock_a_little_ahead_is_tolerated()
    {
        var now = _stub.Time.GetUtcNow();
        _stub.Chain = (key, names) => StubCa.Pem(_stub.Ca.Leaf(key, names, now.AddMinutes(2), now.AddDays(90)), _stub.Ca.Intermediate);

        var issued = await IssueAsync([AcmeIdentifier.Dns("a.example.test")]);

        Assert.Single(issued.AllChains);
    }

    [Fact]
    public async Task A_certificate_asked_to_start_later_is_checked_at_that_time()
    {
        var start = _stub.Time.GetUtcNow().AddDays(3);
        _stub.Chain = (key, names) => StubCa.Pem(_stub.Ca.Leaf(key, names, start, start.AddDays(90)), _stub.Ca.Intermediate);

        var issued = await IssueAsync([AcmeIdentifier.Dns("a.example.test")], notBefore: start);

        Assert.Single(issued.AllChains);
    }

    [Fact]
    public async Task A_chain_out_of_order_is_ChainOrder()
    {
        _stub.Chain = (key, names) => StubCa.Pem(_stub.Ca.Leaf(key, names), _stub.Ca.Root, _stub.Ca.Intermediate);

        var ex = await Assert.ThrowsAsync<AcmeCertificateMismatchException>(() => IssueAsync([AcmeIdentifier.Dns("a.example.test")]));

        Assert.Equal(AcmeCertificateMismatchReason.ChainOrder, ex.Reason);
        Assert.Equal(0, ex.CertificateIndex);
        Assert.EndsWith("(ChainOrder): certificate 0 is issued by 'CN=Stub Intermediate,O=Pki Tests', but certificate 1 is 'CN=Stub Root,O=Pki Tests': the chain is out of order or incomplete.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_leaf_signed_by_an_impostor_with_the_intermediates_name_is_BadSignature()
    {
        using var impostor = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _stub.Chain = (key, names) => StubCa.Pem(_stub.Ca.Leaf(key, names, signer: impostor), _stub.Ca.Intermediate);

        var ex = await Assert.ThrowsAsync<AcmeCertificateMismatchException>(() => IssueAsync([AcmeIdentifier.Dns("a.example.test")]));

        Assert.Equal(AcmeCertificateMismatchReason.BadSignature, ex.Reason);
        Assert.Equal(0, ex.CertificateIndex);
        Assert.Contains("the signature of certificate 0 ('CN=Stub Leaf') does not verify with the public key of certificate 1 ('CN=Stub Intermediate,O=Pki Tests')", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_alternate_chain_is_dropped_and_the_preferred_one_falls_back_to_a_verified_chain()
    {
        var now = _stub.Time.GetUtcNow();
        using var expiredCross = StubCa.Sign(StubCa.IntermediateName, new PublicKey(_stub.Ca.IntermediateKey), "CN=Old Root", _stub.Ca.RootKey, now.AddYears(-5), now.AddDays(-1), isCa: true);
        X509Certificate2? leaf = null;
        _stub.Chain = (key, names) => StubCa.Pem(leaf = _stub.Ca.Leaf(key, names), _stub.Ca.Intermediate);
        _stub.AlternateChain = (_, _) => StubCa.Pem(leaf!, expiredCross);

        var issued = await IssueAsync([AcmeIdentifier.Dns("a.example.test")], preferredChain: "Old Root");

        Assert.Equal(new Uri("https://acme.test/cert/1"), Assert.Single(issued.AllChains).Source);
        Assert.Same(issued.AllChains[0], issued.Chain);
        Assert.Equal(1, _stub.Server.Count("POST /cert/1/alt"));
        leaf?.Dispose();
    }

    [Fact]
    public async Task When_only_an_alternate_verifies_it_is_the_one_returned()
    {
        X509Certificate2? leaf = null;
        _stub.Chain = (key, names) => StubCa.Pem(leaf = _stub.Ca.Leaf(key, names), _stub.Ca.Root, _stub.Ca.Intermediate);
        _stub.AlternateChain = (_, _) => StubCa.Pem(leaf!, _stub.Ca.Intermediate, _stub.Ca.Root);

        var issued = await IssueAsync([AcmeIdentifier.Dns("a.example.test")]);

        Assert.Equal(new Uri("https://acme.test/cert/1/alt"), issued.Chain.Source);
        Assert.Equal(3, issued.Chain.Certificates.Count);
        leaf?.Dispose();
    }

    [Fact]
    public async Task An_unparseable_caller_csr_is_refused_before_finalization()
    {
        var (client, account) = await _stub.AccountAsync();

        var ex = await Assert.ThrowsAsync<AcmeConfigurationException>(() => new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("a.example.test")], Csr = new byte[] { 0x30, 0x03, 0x02, 0x01, 0x00 } },
            [new CountingSolver()]));

        Assert.StartsWith("The CSR (5 bytes) is not a DER PKCS#10 certification request", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, _stub.Server.Count("POST /finalize/1"));
    }

    [Fact]
    public async Task A_caller_csr_is_verified_against_its_own_key()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var (client, account) = await _stub.AccountAsync();
        var csr = CsrBuilder.Build(key, [AcmeIdentifier.Dns("a.example.test")]);
        _stub.Chain = (_, names) => StubCa.Pem(_stub.Ca.Leaf(new PublicKey(other), names), _stub.Ca.Intermediate);

        var ex = await Assert.ThrowsAsync<AcmeCertificateMismatchException>(() => new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("a.example.test")], Csr = csr },
            [new CountingSolver()]));

        Assert.Equal(Fingerprint(key), ex.Expected);
    }

    // ---------------------------------------------------------------- identifiers of orders and authorizations

    [Fact]
    public async Task An_authorization_for_a_name_not_ordered_stops_issuance_before_any_solver()
    {
        _stub.Authorization = listed => listed.Value == "b.example.test" ? (AcmeIdentifier.Dns("evil.example.test"), false) : IssuanceStub.DefaultAuthorization(listed);
        var solver = new CountingSolver();

        var ex = await Assert.ThrowsAsync<AcmeProtocolException>(() => IssueAsync([AcmeIdentifier.Dns("a.example.test"), AcmeIdentifier.Dns("b.example.test")], solver));

        Assert.Equal(AcmeProtocolError.UnexpectedIdentifier, ex.Error);
        Assert.Equal(new Uri("https://acme.test/authz/1"), ex.RequestUri);
        Assert.StartsWith("The authorization https://acme.test/authz/1 is for dns:evil.example.test, which order https://acme.test/order/1 does not list [dns:a.example.test, dns:b.example.test]", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(solver.Presented, c => c.Identifier.Value == "evil.example.test");
        Assert.Equal(0, _stub.Server.Count("POST /chall/1"));
    }

    [Fact]
    public async Task A_wildcard_authorization_for_a_name_ordered_without_wildcard_is_refused()
    {
        _stub.Authorization = listed => (listed, true);
        var solver = new CountingSolver();

        var ex = await Assert.ThrowsAsync<AcmeProtocolException>(() => IssueAsync([AcmeIdentifier.Dns("a.example.test")], solver));

        Assert.Equal(AcmeProtocolError.UnexpectedIdentifier, ex.Error);
        Assert.Contains("is for dns:*.a.example.test (wildcard)", ex.Message, StringComparison.Ordinal);
        Assert.Empty(solver.Presented);
    }

    [Fact]
    public async Task A_new_order_for_other_identifiers_is_refused_before_any_authorization_is_fetched()
    {
        _stub.Listed = requested => [.. requested, AcmeIdentifier.Dns("extra.example.test")];

        var ex = await Assert.ThrowsAsync<AcmeProtocolException>(() => IssueAsync([AcmeIdentifier.Dns("a.example.test")]));

        Assert.Equal(AcmeProtocolError.UnexpectedIdentifier, ex.Error);
        Assert.StartsWith("The new order https://acme.test/order/1 lists the identifiers [dns:a.example.test, dns:extra.example.test], but [dns:a.example.test] were requested", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, _stub.Server.Count("POST /authz/0"));
    }

    [Fact]
    public async Task A_new_order_that_writes_names_in_another_case_is_the_same_order()
    {
        _stub.Listed = requested => [.. requested.Select(i => i with { Value = i.Value.ToUpperInvariant() })];

        var issued = await IssueAsync([AcmeIdentifier.Dns("a.example.test")]);

        Assert.Single(issued.AllChains);
    }

    // ---------------------------------------------------------------- URLs

    [Fact]
    public async Task An_http_Location_is_refused_naming_the_url()
    {
        _stub.OrderLocation = "http://acme.test/order/1";

        var ex = await Assert.ThrowsAsync<AcmeProtocolException>(() => IssueAsync([AcmeIdentifier.Dns("a.example.test")]));

        Assert.Equal(AcmeProtocolError.InsecureUrl, ex.Error);
        Assert.Equal(new Uri("https://acme.test/order"), ex.RequestUri);
        Assert.Equal("The Location header URL 'http://acme.test/order/1' is not an absolute https URL (ACME InsecureUrl from https://acme.test/order)", ex.Message);
        Assert.Equal(0, _stub.Server.Count("POST /order/1"));
    }

    [Fact]
    public async Task An_http_account_Location_is_refused_too()
    {
        _stub.Server.Routes["POST /acct"] = _ => StubAcmeServer.Json(HttpStatusCode.Created, """{"status":"valid"}""", location: "http://acme.test/acct/1");

        var ex = await Assert.ThrowsAsync<AcmeProtocolException>(() => _stub.AccountAsync());

        Assert.Equal(AcmeProtocolError.InsecureUrl, ex.Error);
        Assert.Contains("'http://acme.test/acct/1'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_http_alternate_Link_is_refused_naming_the_url()
    {
        _stub.AlternateChain = (key, names) => StubCa.Pem(_stub.Ca.Leaf(key, names), _stub.Ca.Intermediate);
        _stub.AlternateLink = "http://acme.test/cert/1/alt";

        var ex = await Assert.ThrowsAsync<AcmeProtocolException>(() => IssueAsync([AcmeIdentifier.Dns("a.example.test")]));

        Assert.Equal(AcmeProtocolError.InsecureUrl, ex.Error);
        Assert.StartsWith("The Link rel=\"alternate\" URL 'http://acme.test/cert/1/alt' is not an absolute https URL", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_urls_are_accepted_with_AllowInsecureHttp()
    {
        _stub.OrderLocation = "http://acme.test/order/1";
        var (client, account) = await _stub.AccountAsync(o => o.AllowInsecureHttp = true);

        var order = await client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("a.example.test")] });

        Assert.Equal(new Uri("http://acme.test/order/1"), order.Location);
    }

    [Fact]
    public async Task An_http_url_inside_an_order_is_an_InsecureUrl_error()
    {
        var (client, account) = await _stub.AccountAsync();
        _stub.Server.Routes["POST /order"] = _ => StubAcmeServer.Json(HttpStatusCode.Created, """
            {"status":"pending","identifiers":[{"type":"dns","value":"a.example.test"}],"authorizations":["http://acme.test/authz/0"],"finalize":"https://acme.test/finalize/1"}
            """, location: "https://acme.test/order/1");

        var ex = await Assert.ThrowsAsync<AcmeProtocolException>(() => client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("a.example.test")] }));

        Assert.Equal(AcmeProtocolError.InsecureUrl, ex.Error);
        Assert.StartsWith("The 'authorizations' URL 'http://acme.test/authz/0' is not an absolute https URL", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_http_renewalInfo_in_the_directory_is_refused()
    {
        _stub.Server.Routes["GET /dir"] = _ => StubAcmeServer.Json(HttpStatusCode.OK, """
            {"newNonce":"https://acme.test/nonce","newAccount":"https://acme.test/acct","newOrder":"https://acme.test/order",
             "revokeCert":"https://acme.test/revoke","keyChange":"https://acme.test/key-change","renewalInfo":"http://acme.test/ari"}
            """);

        var ex = await Assert.ThrowsAsync<AcmeProtocolException>(() => _stub.Server.CreateClient().GetDirectoryAsync());

        Assert.Equal(AcmeProtocolError.InsecureUrl, ex.Error);
        Assert.StartsWith("The 'renewalInfo' URL 'http://acme.test/ari' is not an absolute https URL", ex.Message, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- tokens

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0=")]
    [InlineData("LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX/")]
    [InlineData("LoqXcYV8q5ONbJQxbmR7S")]
    [InlineData("LoqXcYV8q5ONbJQxbmR7SC%2e%2e")]
    public async Task A_token_outside_the_base64url_alphabet_never_reaches_a_solver(string token)
    {
        _stub.Token = token;
        var solver = new CountingSolver();

        var ex = await Assert.ThrowsAsync<AcmeProtocolException>(() => IssueAsync([AcmeIdentifier.Dns("a.example.test")], solver));

        Assert.Equal(AcmeProtocolError.MalformedToken, ex.Error);
        Assert.StartsWith($"The http-01 challenge token '{token}' is not base64url of 22 to 256 characters (RFC 8555 section 8.3)", ex.Message, StringComparison.Ordinal);
        Assert.Empty(solver.Presented);
        Assert.Equal(0, _stub.Server.Count("POST /chall/0"));
    }
}
