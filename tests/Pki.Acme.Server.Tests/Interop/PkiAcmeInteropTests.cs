using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pki.Acme;
using Pki.Acme.Server.Tests.EndToEnd;
using Pki.Ari;

namespace Pki.Acme.Server.Tests.Interop;

/// <summary>
/// Pki.Acme (plumbing and porcelain) and Pki.Ari doing every client operation against the whole embedded server over HTTPS:
/// accounts (create, find, contact update, key change, deactivation), orders with profiles, ip identifiers and wildcards,
/// http-01, download with alternates, renewalInfo, <c>replaces</c> and revocation by either key.
/// </summary>
public sealed class PkiAcmeInteropTests
{
    [Fact]
    public async Task Account_lifecycle_create_find_update_key_change_and_deactivate()
    {
        await using var server = await EmbeddedServer.StartAsync(http01Port: 1);
        var client = server.CreateClient();
        using var firstKey = AcmeKey.Create();
        var account = await client.CreateAccountAsync(firstKey, new AcmeNewAccountRequest { Contacts = ["mailto:first@acme.test"], TermsOfServiceAgreed = true });
        Assert.Equal("valid", account.Resource.Status);
        Assert.Equal(["mailto:first@acme.test"], account.Resource.Contact);

        // onlyReturnExisting: the same account for the same key; none for a key never registered.
        var found = await client.FindAccountAsync(firstKey);
        Assert.Equal(account.Location, found.Location);
        using var strangerKey = AcmeKey.Create();
        var none = await Assert.ThrowsAsync<AcmeProblemException>(() => client.FindAccountAsync(strangerKey));
        Assert.Equal(AcmeProblemTypes.AccountDoesNotExist, none.Problem.Type);

        var updated = await client.UpdateAccountAsync(account, ["mailto:second@acme.test"]);
        Assert.Equal(["mailto:second@acme.test"], updated.Resource.Contact);
        Assert.Equal(["mailto:second@acme.test"], (await client.GetAccountAsync(updated)).Resource.Contact);

        // Key change (RFC 8555 section 7.3.5): the new key finds the account, the old one no longer does.
        using var secondKey = AcmeKey.Create(AcmeKeyAlgorithm.RS256);
        var rolled = await client.ChangeAccountKeyAsync(updated, secondKey);
        Assert.Equal(account.Location, rolled.Location);
        Assert.Equal(account.Location, (await client.FindAccountAsync(secondKey)).Location);
        var old = await Assert.ThrowsAsync<AcmeProblemException>(() => client.FindAccountAsync(firstKey));
        Assert.Equal(AcmeProblemTypes.AccountDoesNotExist, old.Problem.Type);

        // Deactivation (section 7.3.6): the server refuses every later request signed by the account.
        var deactivated = await client.DeactivateAccountAsync(rolled);
        Assert.Equal("deactivated", deactivated.Resource.Status);
        var refused = await Assert.ThrowsAsync<AcmeProblemException>(() => client.CreateOrderAsync(deactivated, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("late.acme.test")] }));
        Assert.Equal(AcmeProblemTypes.Unauthorized, refused.Problem.Type);
    }

    [Fact]
    public async Task Orders_with_a_profile_an_ip_identifier_renewal_info_replaces_and_revocation_by_either_key()
    {
        var tokens = new InMemoryHttp01TokenStore();
        await using var responder = Http01Responder.Start(tokens, new IPEndPoint(IPAddress.Loopback, 0));
        await using var server = await EmbeddedServer.StartAsync(responder.LocalEndPoint!.Port);
        var client = server.CreateClient();
        using var accountKey = AcmeKey.Create();
        var account = await client.CreateAccountAsync(accountKey, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        var solvers = new IChallengeSolver[] { new Http01ChallengeSolver(tokens) };
        var identifiers = new[] { AcmeIdentifier.Dns("ops.acme.test"), AcmeIdentifier.Ip(IPAddress.Loopback) };
        using var root = await server.GetRootAsync();

        // The shortlived profile over http-01, for a name and an address; every chain offered (default and alternates) builds to the root.
        var first = await new AcmeCertificateIssuer(client).IssueAsync(account, new AcmeIssuanceRequest { Identifiers = identifiers, Profile = "shortlived" }, solvers);
        Assert.Equal("shortlived", (await client.GetOrderAsync(account, first.OrderUri)).Resource.Profile);
        using var firstLeaf = first.Chain.LoadLeaf();
        Assert.Equal(7, (int)Math.Round((firstLeaf.NotAfter - firstLeaf.NotBefore).TotalDays));
        var san = firstLeaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["ops.acme.test"], san.EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback], san.EnumerateIPAddresses());
        Assert.NotEmpty(first.AllChains);
        foreach (var chain in first.AllChains)
        {
            Assert.Equal(first.Chain.Certificates[0], chain.Certificates[0]);
            using var leaf = chain.LoadLeaf();
            var intermediates = chain.Certificates.Skip(1).Select(EmbeddedServerTests.LoadDer).ToList();
            ServedChain.AssertBuildsTo(root, leaf, intermediates);
            intermediates.ForEach(c => c.Dispose());
        }

        // A wildcard is offered dns-01 only (RFC 8555 section 7.1.3): http-01 cannot prove control of a whole zone.
        var wildcardOrder = await client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("*.wild.acme.test")] });
        var wildcardAuthorization = await client.GetAuthorizationAsync(account, wildcardOrder.Resource.Authorizations.Single());
        Assert.True(wildcardAuthorization.Resource.Wildcard);
        Assert.Equal("wild.acme.test", wildcardAuthorization.Resource.Identifier.Value);
        Assert.Equal(["dns-01"], wildcardAuthorization.Resource.Challenges.Select(c => c.Type));
        var noSolver = await Assert.ThrowsAnyAsync<AcmeException>(() => new AcmeCertificateIssuer(client).IssueAsync(account, new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("*.wild2.acme.test")] }, solvers));
        Assert.Contains("dns-01", noSolver.Message, StringComparison.Ordinal);

        // renewalInfo (RFC 9773 section 4) for the issued certificate: a window inside its validity, with Retry-After.
        var directory = await client.GetDirectoryAsync();
        Assert.NotNull(directory.RenewalInfo);
        var certId = AriCertId.FromCertificate(firstLeaf);
        using var http = server.CreateHttpClient();
        var info = await new RenewalInfoClient(http).GetAsync(directory.RenewalInfo, certId);
        Assert.True(info.Status == RenewalInfoStatus.Ok, info.Problem);
        var window = info.Window!.Value;
        Assert.True(window.Start > new DateTimeOffset(firstLeaf.NotBefore.ToUniversalTime()) && window.End < new DateTimeOffset(firstLeaf.NotAfter.ToUniversalTime()), $"{window.Start:O} - {window.End:O}");

        // A renewal naming it in 'replaces' is accepted (the order carries it) ...
        var renewed = await new AcmeCertificateIssuer(client).IssueAsync(account, new AcmeIssuanceRequest { Identifiers = identifiers, Replaces = certId.Value }, solvers);
        Assert.Equal(certId.Value, (await client.GetOrderAsync(account, renewed.OrderUri)).Resource.Replaces);
        Assert.Equal("tls-server", (await client.GetOrderAsync(account, renewed.OrderUri)).Resource.Profile);
        using var renewedLeaf = renewed.Chain.LoadLeaf();
        Assert.NotEqual(firstLeaf.SerialNumber, renewedLeaf.SerialNumber);

        // ... a second order replacing the same certificate is refused with alreadyReplaced (section 5) ...
        var again = await Assert.ThrowsAsync<AcmeProblemException>(() => client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = identifiers, Replaces = certId.Value }));
        Assert.Equal(AcmeProblemTypes.AlreadyReplaced, again.Problem.Type);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        // ... and another account cannot name this account's (not yet replaced) certificate.
        using var otherKey = AcmeKey.Create();
        var other = await client.CreateAccountAsync(otherKey, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        var renewedId = AriCertId.FromCertificate(renewedLeaf).Value;
        var foreign = await Assert.ThrowsAsync<AcmeProblemException>(() => client.CreateOrderAsync(other, new AcmeOrderRequest { Identifiers = identifiers, Replaces = renewedId }));
        Assert.Equal(AcmeProblemTypes.Malformed, foreign.Problem.Type);
        Assert.Contains("this account", foreign.Problem.Detail, StringComparison.Ordinal);

        // Revocation signed by the account, then by the certificate's own key (RFC 8555 section 7.6); both show in the CRL.
        await client.RevokeCertificateAsync(account, renewed.Chain.Certificates[0], AcmeRevocationReason.Superseded);
        using (var certificateKey = ECDsa.Create())
        {
            certificateKey.ImportFromPem(first.PrivateKeyPem);
            using var signer = AcmeKey.FromECDsa(certificateKey);
            await client.RevokeCertificateAsync(signer, first.Chain.Certificates[0], AcmeRevocationReason.KeyCompromise);
        }

        var revoked = EmbeddedServerTests.SerialsIn(await server.GetCrlAsync());
        Assert.Contains(Convert.FromHexString(renewedLeaf.SerialNumber), revoked, EmbeddedServerTests.ByteArrayComparer.Instance);
        Assert.Contains(Convert.FromHexString(firstLeaf.SerialNumber), revoked, EmbeddedServerTests.ByteArrayComparer.Instance);
        var twice = await Assert.ThrowsAsync<AcmeProblemException>(() => client.RevokeCertificateAsync(account, renewed.Chain.Certificates[0]));
        Assert.Equal(AcmeProblemTypes.AlreadyRevoked, twice.Problem.Type);
    }
}
