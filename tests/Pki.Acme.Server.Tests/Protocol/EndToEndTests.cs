using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Pki.Acme.Server.Tests.Protocol;

/// <summary>The real Pki.Acme client against the server over loopback HTTP.</summary>
public sealed class EndToEndTests
{
    internal static async Task<(AcmeAccount Account, AcmeOrder Order, byte[] LeafDer, ECDsa CertificateKey)> IssueAsync(AcmeClient client, AcmeAccount account, string name, string? replaces = null, string? profile = null)
    {
        var order = await client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns(name)], Replaces = replaces, Profile = profile });
        Assert.Equal("pending", order.Resource.Status);
        foreach (var authzUrl in order.Resource.Authorizations)
        {
            var authz = await client.GetAuthorizationAsync(account, authzUrl);
            var challenge = authz.Resource.Challenges.Single(c => c.Type == "http-01");
            await client.RespondToChallengeAsync(account, challenge);
            var done = await client.WaitForAuthorizationAsync(account, authzUrl);
            Assert.Equal("valid", done.Resource.Status);
        }

        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        order = await client.WaitForOrderAsync(account, order.Location);
        Assert.Equal("ready", order.Resource.Status);
        order = await client.FinalizeOrderAsync(account, order, request.CreateSigningRequest());
        order = await client.WaitForOrderAsync(account, order.Location);
        Assert.Equal("valid", order.Resource.Status);
        var chains = await client.DownloadCertificateAsync(account, order.Resource.Certificate!);
        return (account, order, chains[0].Certificates[0], key);
    }

    [Fact]
    public async Task Issues_downloads_alternates_revokes_and_serves_renewal_info()
    {
        using var dir = new TempDirectory();
        await using var server = await TestServer.StartAsync(dir.Database, o => o.TermsOfService = new Uri("https://example.com/tos"));
        var client = server.CreateClient();
        var directory = await client.GetDirectoryAsync();
        Assert.NotNull(directory.RenewalInfo);
        using var accountKey = AcmeKey.Create();
        var account = await client.CreateAccountAsync(accountKey, new AcmeNewAccountRequest { Contacts = ["mailto:ops@example.com"], TermsOfServiceAgreed = true });
        Assert.Equal("valid", account.Resource.Status);

        // The same key finds the same account.
        var again = await client.FindAccountAsync(accountKey);
        Assert.Equal(account.Location, again.Location);

        var (_, order, leafDer, certKey) = await IssueAsync(client, account, "www.example.com", profile: "shortlived");
        using var _k = certKey;
        Assert.Equal("shortlived", order.Resource.Profile);
        var chains = await client.DownloadCertificateAsync(account, order.Resource.Certificate!);
        Assert.Equal(2, chains.Count);
        Assert.Contains(server.Http01.KeyAuthorizations, k => k.EndsWith("." + accountKey.Thumbprint, StringComparison.Ordinal));

        // ARI: the default window is inside the validity, Retry-After is sent.
        using var leaf = Pki.Acme.Server.Protocol.CertificateLoading.Load(leafDer);
        var certId = CertId(leaf);
        using var http = new HttpClient();
        using var info = await http.GetAsync(new Uri(directory.RenewalInfo!, directory.RenewalInfo!.AbsolutePath + "/" + certId));
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        Assert.NotNull(info.Headers.RetryAfter);
        using (var doc = JsonDocument.Parse(await info.Content.ReadAsStringAsync()))
        {
            var start = doc.RootElement.GetProperty("suggestedWindow").GetProperty("start").GetDateTimeOffset();
            var end = doc.RootElement.GetProperty("suggestedWindow").GetProperty("end").GetDateTimeOffset();
            Assert.True(start > leaf.NotBefore && end < leaf.NotAfter && start < end);
        }

        using var unknown = await http.GetAsync(new Uri(directory.RenewalInfo!, directory.RenewalInfo!.AbsolutePath + "/AAAA.AAAA"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // The operator moves the window (mass revocation).
        var operations = server.Services.GetRequiredService<IAcmeServerOperations>();
        var newStart = DateTimeOffset.UtcNow.AddMinutes(-10);
        Assert.Equal(1, await operations.MoveRenewalWindowsAsync(["00DEAD", leaf.SerialNumber], newStart, newStart.AddMinutes(5)));
        using (var moved = await http.GetAsync(new Uri(directory.RenewalInfo!, directory.RenewalInfo!.AbsolutePath + "/" + certId)))
        using (var doc = JsonDocument.Parse(await moved.Content.ReadAsStringAsync()))
        {
            Assert.Equal(newStart.ToUnixTimeSeconds(), doc.RootElement.GetProperty("suggestedWindow").GetProperty("start").GetDateTimeOffset().ToUnixTimeSeconds());
        }

        // replaces, then alreadyReplaced.
        var (_, replacement, _, key2) = await IssueAsync(client, account, "www.example.com", replaces: certId);
        key2.Dispose();
        Assert.Equal(certId, replacement.Resource.Replaces);
        var replacedTwice = await Assert.ThrowsAsync<AcmeProblemException>(() => client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("www.example.com")], Replaces = certId }));
        Assert.Equal(AcmeProblemTypes.AlreadyReplaced, replacedTwice.Type);

        // Revocation by the certificate's key, then alreadyRevoked by the account.
        using var certAcmeKey = AcmeKey.FromECDsa(certKey);
        await client.RevokeCertificateAsync(certAcmeKey, leafDer, AcmeRevocationReason.KeyCompromise);
        Assert.Contains(server.Issuer.Revoked, r => r.Serial == leaf.SerialNumber && r.Reason == 1);
        var twice = await Assert.ThrowsAsync<AcmeProblemException>(() => client.RevokeCertificateAsync(account, leafDer));
        Assert.Equal(AcmeProblemTypes.AlreadyRevoked, twice.Type);
        var revoked = await server.Store.ListRevokedAsync(default);
        Assert.Single(revoked);

        // A revoked certificate's renewal window is already open.
        using (var afterRevocation = await http.GetAsync(new Uri(directory.RenewalInfo!, directory.RenewalInfo!.AbsolutePath + "/" + certId)))
        using (var doc = JsonDocument.Parse(await afterRevocation.Content.ReadAsStringAsync()))
        {
            Assert.True(doc.RootElement.GetProperty("suggestedWindow").GetProperty("end").GetDateTimeOffset() <= DateTimeOffset.UtcNow.AddSeconds(1));
        }
    }

    [Fact]
    public async Task Key_change_and_deactivation()
    {
        using var dir = new TempDirectory();
        await using var server = await TestServer.StartAsync(dir.Database);
        var client = server.CreateClient();
        using var oldKey = AcmeKey.Create();
        using var newKey = AcmeKey.Create(AcmeKeyAlgorithm.ES384);
        var account = await client.CreateAccountAsync(oldKey, new AcmeNewAccountRequest());
        var changed = await client.ChangeAccountKeyAsync(account, newKey);
        Assert.Equal(account.Location, changed.Location);
        Assert.Equal(account.Location, (await client.FindAccountAsync(newKey)).Location);
        var gone = await Assert.ThrowsAsync<AcmeProblemException>(() => client.FindAccountAsync(oldKey));
        Assert.Equal(AcmeProblemTypes.AccountDoesNotExist, gone.Type);

        // A key already in use by another account: conflict.
        using var otherKey = AcmeKey.Create();
        await client.CreateAccountAsync(otherKey, new AcmeNewAccountRequest());
        var conflict = await Assert.ThrowsAsync<AcmeProblemException>(() => client.ChangeAccountKeyAsync(changed, otherKey));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);

        var updated = await client.UpdateAccountAsync(changed, ["mailto:new@example.org"]);
        Assert.Equal(["mailto:new@example.org"], updated.Resource.Contact);
        var deactivated = await client.DeactivateAccountAsync(changed);
        Assert.Equal("deactivated", deactivated.Resource.Status);
        var refused = await Assert.ThrowsAsync<AcmeProblemException>(() => client.CreateOrderAsync(changed, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("a.example.com")] }));
        Assert.Equal(AcmeProblemTypes.Unauthorized, refused.Type);
    }

    [Fact]
    public async Task Failed_validation_makes_the_authorization_and_order_invalid()
    {
        using var dir = new TempDirectory();
        await using var server = await TestServer.StartAsync(dir.Database);
        server.Http01.Accept = false;
        var client = server.CreateClient();
        using var key = AcmeKey.Create();
        var account = await client.CreateAccountAsync(key, new AcmeNewAccountRequest());
        var order = await client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("bad.example.com")] });
        var authz = await client.GetAuthorizationAsync(account, order.Resource.Authorizations[0]);
        await client.RespondToChallengeAsync(account, authz.Resource.Challenges.Single(c => c.Type == "http-01"));
        authz = await client.WaitForAuthorizationAsync(account, order.Resource.Authorizations[0]);
        Assert.Equal("invalid", authz.Resource.Status);
        Assert.Equal(AcmeProblemTypes.IncorrectResponse, authz.Resource.Challenges.Single(c => c.Type == "http-01").Error!.Type);
        Assert.Equal("invalid", (await client.GetOrderAsync(account, order.Location)).Resource.Status);
    }

    [Fact]
    public async Task The_challenge_response_waits_briefly_for_the_validation()
    {
        using var dir = new TempDirectory();
        var held = new TestValidator("http-01") { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var server = await TestServer.StartAsync(dir.Database, o => o.ChallengeResponseWait = TimeSpan.FromMilliseconds(300), http01: held);
        var client = server.CreateClient();
        using var key = AcmeKey.Create();
        var account = await client.CreateAccountAsync(key, new AcmeNewAccountRequest());

        // A validation that takes longer than the wait: answered processing, finished later.
        var slow = await client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("slow.example.com")] });
        var slowAuthz = await client.GetAuthorizationAsync(account, slow.Resource.Authorizations[0]);
        var answered = await client.RespondToChallengeAsync(account, slowAuthz.Resource.Challenges.Single(c => c.Type == "http-01"));
        Assert.Equal("processing", answered.Status);
        held.Gate.SetResult();
        Assert.Equal("valid", (await client.WaitForAuthorizationAsync(account, slow.Resource.Authorizations[0])).Resource.Status);

        // One that finishes within it: the answer is the outcome, no poll needed.
        held.Gate = null;
        var fast = await client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("fast.example.com")] });
        var fastAuthz = await client.GetAuthorizationAsync(account, fast.Resource.Authorizations[0]);
        var done = await client.RespondToChallengeAsync(account, fastAuthz.Resource.Challenges.Single(c => c.Type == "http-01"));
        Assert.Equal("valid", done.Status);
        Assert.NotNull(done.Validated);
        Assert.Equal("valid", (await client.GetAuthorizationAsync(account, fast.Resource.Authorizations[0])).Resource.Status);
    }

    [Fact]
    public async Task Transient_validation_failures_are_retried()
    {
        using var dir = new TempDirectory();
        await using var server = await TestServer.StartAsync(dir.Database);
        server.Http01.TransientFailures = 1;
        var client = server.CreateClient();
        using var key = AcmeKey.Create();
        var account = await client.CreateAccountAsync(key, new AcmeNewAccountRequest());
        var order = await client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("flaky.example.com")] });
        var authz = await client.GetAuthorizationAsync(account, order.Resource.Authorizations[0]);
        await client.RespondToChallengeAsync(account, authz.Resource.Challenges.Single(c => c.Type == "http-01"));
        Assert.Equal("valid", (await client.WaitForAuthorizationAsync(account, order.Resource.Authorizations[0])).Resource.Status);
        Assert.Equal(2, server.Http01.KeyAuthorizations.Count);
    }

    [Fact]
    public async Task Wildcard_orders_offer_dns01_only()
    {
        using var dir = new TempDirectory();
        await using var server = await TestServer.StartAsync(dir.Database);
        var client = server.CreateClient();
        using var key = AcmeKey.Create();
        var account = await client.CreateAccountAsync(key, new AcmeNewAccountRequest());
        var order = await client.CreateOrderAsync(account, new AcmeOrderRequest { Identifiers = [AcmeIdentifier.Dns("*.example.com"), new AcmeIdentifier { Type = "ip", Value = "192.0.2.7" }] });
        var wildcard = await client.GetAuthorizationAsync(account, order.Resource.Authorizations[0]);
        Assert.True(wildcard.Resource.Wildcard);
        Assert.Equal("example.com", wildcard.Resource.Identifier.Value);
        Assert.Equal(["dns-01"], wildcard.Resource.Challenges.Select(c => c.Type));
        var ip = await client.GetAuthorizationAsync(account, order.Resource.Authorizations[1]);
        Assert.Equal(["http-01"], ip.Resource.Challenges.Select(c => c.Type));
    }

    internal static string CertId(X509Certificate2 leaf)
    {
        var aki = leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.ToArray();
        return WebEncoders.Base64UrlEncode(aki) + "." + WebEncoders.Base64UrlEncode(Convert.FromHexString(leaf.SerialNumber));
    }
}
