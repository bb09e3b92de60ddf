using System.Security.Cryptography;

namespace Pki.Acme.Tests.Unit;

/// <summary>The public records print their lists item by item, and never key material (issue #13).</summary>
public sealed class RecordTextTests
{
    [Fact]
    public void An_account_prints_its_URL_status_and_contacts_but_not_its_key()
    {
        using var key = AcmeKey.Create(AcmeKeyAlgorithm.ES256);
        var account = new AcmeAccount(
            new Uri("https://ca.example/acct/1"),
            key,
            new AcmeAccountResource { Status = "valid", Contact = ["mailto:a@example.com", "mailto:b@example.com"], TermsOfServiceAgreed = true });

        var text = account.ToString();

        Assert.Equal(
            $"AcmeAccount {{ Location = https://ca.example/acct/1, Key = ES256 key {key.Thumbprint}, Resource = AcmeAccountResource {{ Status = valid, Contact = [mailto:a@example.com, mailto:b@example.com], TermsOfServiceAgreed = True, Orders =  }} }}",
            text);
        Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
        Assert.DoesNotContain(key.ExportPkcs8Pem(), text, StringComparison.Ordinal);
    }

    [Fact]
    public void Orders_authorizations_and_the_directory_meta_print_their_lists()
    {
        var order = new AcmeOrderResource
        {
            Status = "pending",
            Identifiers = [AcmeIdentifier.Dns("a.example"), AcmeIdentifier.Dns("b.example")],
            Authorizations = [new Uri("https://ca.example/authz/1"), new Uri("https://ca.example/authz/2")],
        };
        Assert.Contains("Identifiers = [dns:a.example, dns:b.example]", order.ToString(), StringComparison.Ordinal);
        Assert.Contains("Authorizations = [https://ca.example/authz/1, https://ca.example/authz/2]", order.ToString(), StringComparison.Ordinal);

        var authorization = new AcmeAuthorizationResource
        {
            Identifier = AcmeIdentifier.Dns("a.example"),
            Status = "pending",
            Challenges = [new AcmeChallengeResource { Type = AcmeChallengeResource.Http01, Status = "pending", Token = "tok" }],
        };
        Assert.Contains("Challenges = [AcmeChallengeResource { Type = http-01, Url = , Status = pending, Validated = , Error = , Token = tok }]", authorization.ToString(), StringComparison.Ordinal);

        var meta = new AcmeDirectoryMeta
        {
            CaaIdentities = ["ca.example"],
            Profiles = new Dictionary<string, string> { ["classic"] = "the usual", ["shortlived"] = "six days" },
        };
        Assert.Contains("CaaIdentities = [ca.example], ExternalAccountRequired = , Profiles = [classic, shortlived]", meta.ToString(), StringComparison.Ordinal);
        Assert.Contains("Meta = AcmeDirectoryMeta { TermsOfService = ", new AcmeDirectory { Meta = meta }.ToString(), StringComparison.Ordinal);

        var orderRequest = new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("a.example")] };
        Assert.StartsWith("AcmeOrderRequest { Identifiers = [dns:a.example], ", orderRequest.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_account_request_prints_the_EAB_key_id_but_never_its_MAC_key()
    {
        const string MacKey = "c2VjcmV0LW1hYy1rZXktdGhhdC1tdXN0LW5vdC1sZWFr";
        var request = new AcmeNewAccountRequest
        {
            Contacts = ["mailto:a@example.com"],
            TermsOfServiceAgreed = true,
            ExternalAccountBinding = new AcmeExternalAccountBinding("kid-1", MacKey),
        };

        Assert.Equal(
            "AcmeNewAccountRequest { Contacts = [mailto:a@example.com], TermsOfServiceAgreed = True, ExternalAccountBinding = EAB key id kid-1 }",
            request.ToString());
    }

    [Fact]
    public void An_issuance_request_names_the_key_type_and_CSR_size_but_no_key_material()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new AcmeIssuanceRequest
        {
            Identifiers = [AcmeIdentifier.Dns("www.example.com"), AcmeIdentifier.Ip(System.Net.IPAddress.Parse("192.0.2.1"))],
            CertificateKey = key,
            Csr = new byte[] { 0x30, 0x03, 0x02, 0x01, 0x00 },
            Progress = new Progress<AcmeIssuanceProgress>(),
        };

        var text = request.ToString();

        Assert.StartsWith("AcmeIssuanceRequest { Identifiers = [dns:www.example.com, ip:192.0.2.1], KeyType = EcP256, CertificateKey = ECDSA 256-bit, Csr = 5 bytes, ", text, StringComparison.Ordinal);
        Assert.Contains("Progress = (set), OrderCreated = , CleanupTimeout = 00:00:30 }", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        Assert.DoesNotContain(key.ExportPkcs8PrivateKeyPem(), text, StringComparison.Ordinal);
    }
}
