using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Pki.Acme;

namespace Pki.Ari.Tests;

public sealed class ReplacesTests
{
    private static readonly Uri DirectoryUrl = new("https://ca.test/dir");
    private static readonly AcmeDirectory WithAri = new() { RenewalInfo = new Uri("https://ca.test/renewal-info") };
    private static readonly AcmeDirectory WithoutAri = new();

    [Fact]
    public void Replaces_is_sent_only_to_the_issuing_ca_and_only_when_it_has_renewal_info()
    {
        using var certificate = TestCertificates.Create(TestCertificates.Rfc9773KeyIdentifier, TestCertificates.Rfc9773Serial, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));

        Assert.Equal("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", AriRenewal.GetReplaces(certificate, DirectoryUrl, new Uri("https://CA.test/dir/"), WithAri));
        Assert.Null(AriRenewal.GetReplaces(certificate, DirectoryUrl, DirectoryUrl, WithoutAri));
        Assert.Null(AriRenewal.GetReplaces(certificate, new Uri("https://other-ca.test/dir"), DirectoryUrl, WithAri));
        Assert.Null(AriRenewal.GetReplaces(certificate, null, DirectoryUrl, WithAri));
    }

    [Theory]
    [InlineData(409, AcmeProblemTypes.AlreadyReplaced, "already replaced", true)]
    [InlineData(403, AcmeProblemTypes.Unauthorized, "the certificate named in replaces was not issued to this account", true)]
    [InlineData(403, AcmeProblemTypes.Unauthorized, "account is deactivated", false)]
    [InlineData(400, AcmeProblemTypes.Malformed, "bad identifiers", false)]
    public async Task A_refused_replaces_is_retried_once_without_it(int status, string type, string detail, bool retried)
    {
        using var predecessor = TestCertificates.Create(TestCertificates.Rfc9773KeyIdentifier, TestCertificates.Rfc9773Serial, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));
        var ca = new StubCa(firstOrderProblem: (status, type, detail));
        var client = new AcmeClient(new HttpClient(ca), new AcmeClientOptions { DirectoryUri = DirectoryUrl });
        var account = await client.CreateAccountAsync(AcmeKey.Create(), new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        var request = new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("renew.example.test")] };

        var issue = AriRenewal.IssueRenewalAsync(new AcmeCertificateIssuer(client), account, request, [new Http01ChallengeSolver(new InMemoryHttp01TokenStore())], predecessor, DirectoryUrl);

        if (retried)
        {
            var issued = await issue;
            Assert.Equal(["aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", null], ca.OrderReplaces);
            Assert.NotNull(issued.ChainPem);
        }
        else
        {
            var ex = await Assert.ThrowsAsync<AcmeProblemException>(() => issue);
            Assert.Equal(type, ex.Type);
            Assert.Equal(["aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"], ca.OrderReplaces);
        }
    }

    [Fact]
    public async Task A_renewal_whose_certificate_is_for_another_key_is_not_returned()
    {
        // AriRenewal goes through AcmeCertificateIssuer.IssueAsync, which verifies what the CA issued.
        using var predecessor = TestCertificates.Create(TestCertificates.Rfc9773KeyIdentifier, TestCertificates.Rfc9773Serial, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));
        var ca = new StubCa(firstOrderProblem: null) { IssueForAnotherKey = true };
        var client = new AcmeClient(new HttpClient(ca), new AcmeClientOptions { DirectoryUri = DirectoryUrl });
        var account = await client.CreateAccountAsync(AcmeKey.Create(), new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        var request = new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("renew.example.test")] };

        var ex = await Assert.ThrowsAsync<AcmeCertificateMismatchException>(() =>
            AriRenewal.IssueRenewalAsync(new AcmeCertificateIssuer(client), account, request, [new Http01ChallengeSolver(new InMemoryHttp01TokenStore())], predecessor, DirectoryUrl));

        Assert.Equal(AcmeCertificateMismatchReason.KeyMismatch, ex.Reason);
    }

    /// <summary>
    /// Just enough of an ACME CA with ARI for a renewal whose authorizations are already valid: it
    /// lists the requested identifiers and issues, self-signed, for the CSR's key and names (or,
    /// with <see cref="IssueForAnotherKey"/>, for a key of its own).
    /// </summary>
    private sealed class StubCa((int Status, string Type, string Detail)? firstOrderProblem) : HttpMessageHandler
    {
        private const string Identifiers = """[{"type":"dns","value":"renew.example.test"}]""";
        private string? _pem;
        private int _nonce;

        public bool IssueForAnotherKey { get; init; }

        public List<string?> OrderReplaces { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            string? payload = null;
            if (request.Content is not null)
            {
                using var jws = System.Text.Json.JsonDocument.Parse(await request.Content.ReadAsStringAsync(cancellationToken));
                payload = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(jws.RootElement.GetProperty("payload").GetString()));
            }

            var response = path switch
            {
                "/dir" => Json(200, """{"newNonce":"https://ca.test/nonce","newAccount":"https://ca.test/acct","newOrder":"https://ca.test/order","revokeCert":"https://ca.test/revoke","keyChange":"https://ca.test/kc","renewalInfo":"https://ca.test/renewal-info"}"""),
                "/nonce" => new HttpResponseMessage(HttpStatusCode.OK),
                "/acct" => Json(201, """{"status":"valid"}""", "https://ca.test/acct/1"),
                "/order" => NewOrder(payload!),
                "/order/1" => Json(200, $$"""{"status":"ready","identifiers":{{Identifiers}},"authorizations":[],"finalize":"https://ca.test/finalize/1"}"""),
                "/finalize/1" => Finalize(payload!),
                "/cert/1" => Json(200, _pem!, mediaType: "application/pem-certificate-chain"),
                _ => Json(404, """{"type":"about:blank"}""", mediaType: "application/problem+json"),
            };
            response.Headers.Add("Replay-Nonce", "n" + Interlocked.Increment(ref _nonce));
            return response;
        }

        private HttpResponseMessage NewOrder(string payload)
        {
            using var document = System.Text.Json.JsonDocument.Parse(payload);
            var replaces = document.RootElement.TryGetProperty("replaces", out var r) ? r.GetString() : null;
            OrderReplaces.Add(replaces);
            if (replaces is not null && firstOrderProblem is { } problem)
            {
                return Json(problem.Status, $$"""{"type":"{{problem.Type}}","detail":"{{problem.Detail}}","status":{{problem.Status}}}""", mediaType: "application/problem+json");
            }

            return Json(201, $$"""{"status":"ready","identifiers":{{Identifiers}},"authorizations":[],"finalize":"https://ca.test/finalize/1"}""", "https://ca.test/order/1");
        }

        private HttpResponseMessage Finalize(string payload)
        {
            using var document = System.Text.Json.JsonDocument.Parse(payload);
            var csr = CertificateRequest.LoadSigningRequest(System.Buffers.Text.Base64Url.DecodeFromChars(document.RootElement.GetProperty("csr").GetString()), HashAlgorithmName.SHA256);
            using var other = ECDsa.Create();
            var request = new CertificateRequest(new X500DistinguishedName("CN=renew.example.test"), IssueForAnotherKey ? new PublicKey(other) : csr.PublicKey, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("renew.example.test");
            request.CertificateExtensions.Add(san.Build());
            using var issuerKey = ECDsa.Create();
            var now = DateTimeOffset.UtcNow;
            using var certificate = request.Create(new X500DistinguishedName("CN=Stub CA"), X509SignatureGenerator.CreateForECDsa(issuerKey), now.AddMinutes(-1), now.AddDays(1), [1, 2, 3]);
            _pem = certificate.ExportCertificatePem();
            return Json(200, $$"""{"status":"valid","identifiers":{{Identifiers}},"authorizations":[],"finalize":"https://ca.test/finalize/1","certificate":"https://ca.test/cert/1"}""");
        }

        private static HttpResponseMessage Json(int status, string body, string? location = null, string mediaType = "application/json")
        {
            var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
            if (location is not null)
            {
                response.Headers.Location = new Uri(location);
            }

            return response;
        }
    }
}
