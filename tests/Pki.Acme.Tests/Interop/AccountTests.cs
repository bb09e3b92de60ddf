using System.Security.Cryptography.X509Certificates;
using Pki.TestSupport;
using Xunit.Abstractions;

namespace Pki.Acme.Tests.Interop;

[Collection(PebbleCollection.Name)]
public sealed class AccountTests(PebbleFixture fixture, ITestOutputHelper output)
{
    private AcmeClient NewClient() => fixture.CreateClient(output);

    [Fact]
    public async Task The_directory_and_its_meta_are_read()
    {
        var directory = await NewClient().GetDirectoryAsync();

        Assert.NotNull(directory.NewNonce);
        Assert.NotNull(directory.KeyChange);
        Assert.NotNull(directory.Meta?.TermsOfService);
        Assert.False(directory.Meta!.ExternalAccountRequired);
        Assert.Null(directory.RenewalInfo); // Pebble 2.4 has no ARI
    }

    [Fact]
    public async Task An_account_is_created_found_and_its_contacts_updated()
    {
        var client = NewClient();
        using var key = AcmeKey.Create();
        var created = await client.CreateAccountAsync(key, new AcmeNewAccountRequest { TermsOfServiceAgreed = true, Contacts = ["mailto:a@example.test"] });
        Assert.Equal(AcmeStatus.Valid, created.Resource.Status);

        var found = await client.FindAccountAsync(key);
        Assert.Equal(created.Location, found.Location);

        // Creating again with the same key returns the existing account.
        var again = await client.CreateAccountAsync(key, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        Assert.Equal(created.Location, again.Location);

        var updated = await client.UpdateAccountAsync(created, ["mailto:b@example.test"]);
        Assert.Equal(["mailto:b@example.test"], updated.Resource.Contact);
    }

    [Fact]
    public async Task Finding_an_account_for_an_unknown_key_gives_accountDoesNotExist()
    {
        var ex = await Assert.ThrowsAsync<AcmeProblemException>(() => NewClient().FindAccountAsync(AcmeKey.Create()));
        Assert.Equal(AcmeProblemTypes.AccountDoesNotExist, ex.Type);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, ex.StatusCode);
    }

    [Fact]
    public async Task Key_rollover_then_the_new_key_works_and_the_old_one_does_not()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client);
        var oldKey = account.Key;
        using var newKey = AcmeKey.Create(AcmeKeyAlgorithm.RS256);

        var rolled = await client.ChangeAccountKeyAsync(account, newKey);

        Assert.Same(newKey, rolled.Key);
        Assert.Equal(account.Location, (await client.FindAccountAsync(newKey)).Location);
        var ex = await Assert.ThrowsAsync<AcmeProblemException>(() => client.FindAccountAsync(oldKey));
        Assert.Equal(AcmeProblemTypes.AccountDoesNotExist, ex.Type);

        // The rolled account orders and gets a certificate.
        var issued = await new AcmeCertificateIssuer(client).IssueAsync(
            rolled,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns(PebbleFixture.UniqueName("rolled"))] },
            [new Http01ChallengeSolver(fixture.TokenStore)]);
        PebbleFixture.AssertChainsTo(issued.Chain, fixture.Root);
    }

    [Fact]
    public async Task A_deactivated_account_is_refused_with_unauthorized()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client);

        var deactivated = await client.DeactivateAccountAsync(account);
        Assert.Equal(AcmeStatus.Deactivated, deactivated.Resource.Status);

        var ex = await Assert.ThrowsAsync<AcmeProblemException>(() =>
            client.CreateOrderAsync(deactivated, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns(PebbleFixture.UniqueName("deact"))] }));
        Assert.Equal(AcmeProblemTypes.Unauthorized, ex.Type);
    }

    [Fact]
    public async Task Revocation_by_account_key_then_again_is_alreadyRevoked()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client);
        var issued = await new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns(PebbleFixture.UniqueName("revoke"))] },
            [new Http01ChallengeSolver(fixture.TokenStore)]);
        PebbleFixture.AssertChainsTo(issued.Chain, fixture.Root);
        var der = issued.Chain.Certificates[0];

        await client.RevokeCertificateAsync(account, der, AcmeRevocationReason.Superseded);

        using var leaf = issued.Chain.LoadLeaf();
        Assert.Equal("Revoked", await fixture.Pebble.GetCertificateStatusAsync(leaf.SerialNumber.TrimStart('0').ToLowerInvariant()));
        var ex = await Assert.ThrowsAsync<AcmeProblemException>(() => client.RevokeCertificateAsync(account, der));
        Assert.Equal(AcmeProblemTypes.AlreadyRevoked, ex.Type);
    }

    [Fact]
    public async Task Revocation_by_certificate_key_then_again_is_alreadyRevoked()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client);
        var issued = await new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns(PebbleFixture.UniqueName("revkey"))] },
            [new Http01ChallengeSolver(fixture.TokenStore)]);
        PebbleFixture.AssertChainsTo(issued.Chain, fixture.Root);
        var der = issued.Chain.Certificates[0];
        using var certificateKey = AcmeKey.ImportPem(issued.PrivateKeyPem!);

        // No account involved: the JWS carries the certificate key's JWK.
        await NewClient().RevokeCertificateAsync(certificateKey, der, AcmeRevocationReason.KeyCompromise);

        var ex = await Assert.ThrowsAsync<AcmeProblemException>(() => NewClient().RevokeCertificateAsync(certificateKey, der));
        Assert.Equal(AcmeProblemTypes.AlreadyRevoked, ex.Type);
    }

    [Fact]
    public async Task Revocation_with_an_unrelated_key_is_unauthorized()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client);
        var issued = await new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns(PebbleFixture.UniqueName("revother"))] },
            [new Http01ChallengeSolver(fixture.TokenStore)]);

        PebbleFixture.AssertChainsTo(issued.Chain, fixture.Root);
        using var stranger = AcmeKey.Create();
        var ex = await Assert.ThrowsAsync<AcmeProblemException>(() => client.RevokeCertificateAsync(stranger, issued.Chain.Certificates[0]));
        Assert.Equal(AcmeProblemTypes.Unauthorized, ex.Type);
    }

    [Fact]
    public async Task An_eddsa_account_key_reaches_pebble_which_refuses_the_key_type_with_badPublicKey()
    {
        // Pebble 2.4 accepts only RSA and ECDSA account keys; the EdDSA JWS itself is checked in JwsTests.
        var ex = await Assert.ThrowsAsync<AcmeProblemException>(() => fixture.NewAccountAsync(NewClient(), AcmeKeyAlgorithm.EdDSA));
        Assert.Equal(AcmeProblemTypes.BadPublicKey, ex.Type);
        Assert.Contains("ed25519", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_profile_the_directory_does_not_offer_is_refused_before_sending()
    {
        var client = NewClient();
        var account = await fixture.NewAccountAsync(client);
        var ex = await Assert.ThrowsAsync<AcmeConfigurationException>(() =>
            client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("x.example.test")], Profile = "shortlived" }));
        Assert.Contains("Profile 'shortlived' is not offered", ex.Message, StringComparison.Ordinal);
    }
}

public sealed class SeparatePebbleTests(ITestOutputHelper output)
{
    private const string MacKey = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";
    private readonly List<HttpClient> _clients = [];

    [Fact]
    public async Task External_account_binding_is_required_refused_without_and_accepted_with()
    {
        await using var pebble = await PebbleServer.StartAsync(new PebbleOptions
        {
            ExternalAccountBindingRequired = true,
            ExternalAccountMacKeys = new Dictionary<string, string> { ["kid-1"] = MacKey },
        });
        pebble.Process.Output = output;
        var logger = new TestOutputLogger(output);
        var client = new AcmeClient(Track(pebble.CreateHttpClient()), new AcmeClientOptions { DirectoryUri = pebble.DirectoryUri }, logger);

        Assert.True((await client.GetDirectoryAsync()).Meta?.ExternalAccountRequired);
        var without = await Assert.ThrowsAsync<AcmeProblemException>(() =>
            client.CreateAccountAsync(AcmeKey.Create(), new AcmeNewAccountRequest { TermsOfServiceAgreed = true }));
        Assert.Equal(AcmeProblemTypes.ExternalAccountRequired, without.Type);

        var wrongMac = await Assert.ThrowsAsync<AcmeProblemException>(() => client.CreateAccountAsync(
            AcmeKey.Create(),
            new AcmeNewAccountRequest { TermsOfServiceAgreed = true, ExternalAccountBinding = new AcmeExternalAccountBinding("kid-1", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") }));
        Assert.Equal(AcmeProblemTypes.Unauthorized, wrongMac.Type);

        using var key = AcmeKey.Create(AcmeKeyAlgorithm.ES384);
        var account = await client.CreateAccountAsync(
            key,
            new AcmeNewAccountRequest { TermsOfServiceAgreed = true, ExternalAccountBinding = new AcmeExternalAccountBinding("kid-1", MacKey) });
        Assert.Equal(AcmeStatus.Valid, account.Resource.Status);

        // Secrets never reach the log or the exception messages.
        var pem = key.ExportPkcs8Pem();
        var secretBody = pem.Split('\n')[1];
        Assert.DoesNotContain(logger.Lines, l => l.Contains(MacKey, StringComparison.Ordinal) || l.Contains(secretBody, StringComparison.Ordinal));
        Assert.DoesNotContain(MacKey, without.Message + wrongMac.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadNonce_retries_are_bounded_against_a_pebble_that_rejects_every_nonce()
    {
        await using var pebble = await PebbleServer.StartAsync(new PebbleOptions
        {
            Environment = new Dictionary<string, string?> { ["PEBBLE_WFE_NONCEREJECT"] = "100" },
        });
        pebble.Process.Output = output;
        var logger = new TestOutputLogger(output);
        var client = new AcmeClient(Track(pebble.CreateHttpClient()), new AcmeClientOptions { DirectoryUri = pebble.DirectoryUri, BadNonceRetries = 3 }, logger);

        var ex = await Assert.ThrowsAsync<AcmeProblemException>(() =>
            client.CreateAccountAsync(AcmeKey.Create(), new AcmeNewAccountRequest { TermsOfServiceAgreed = true }));

        Assert.Equal(AcmeProblemTypes.BadNonce, ex.Type);
        Assert.Equal(3, logger.Lines.Count(l => l.Contains("badNonce from", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_directory_tls_certificate_is_validated_normally_by_default()
    {
        await using var pebble = await PebbleServer.StartAsync();
        using var http = new HttpClient(); // the system trust store: Pebble's self-signed listener is not in it
        var client = new AcmeClient(http, new AcmeClientOptions { DirectoryUri = pebble.DirectoryUri });

        var ex = await Assert.ThrowsAsync<AcmeTransportException>(() => client.GetDirectoryAsync());
        Assert.Equal(AcmeTransportFailureKind.TlsFailed, ex.Kind);
        Assert.Contains(pebble.DirectoryUri.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(ex.InnerException);
    }

    private HttpClient Track(HttpClient client)
    {
        _clients.Add(client);
        return client;
    }
}
