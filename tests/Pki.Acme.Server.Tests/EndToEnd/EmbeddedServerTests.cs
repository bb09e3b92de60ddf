using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pki.Acme;
using Pki.Acme.Server.Tests.Validation;
using Pki.TestSupport;

namespace Pki.Acme.Server.Tests.EndToEnd;

/// <summary>
/// Pki.Acme against the whole server as <c>AddAcmeServer</c> registers it: embedded CA, real http-01/tls-alpn-01 validation
/// against Pki.Acme's responders on loopback, CAA from knotd.
/// </summary>
[Collection(ValidationKnotCollection.Name)]
public sealed class EmbeddedServerTests(ValidationKnotFixture knot)
{
    private IPEndPoint Knot => new(IPAddress.Loopback, knot.Server.Port);

    [Fact]
    public async Task Issues_over_http01_a_chain_to_the_served_root_with_http_aia_and_crl_urls_then_revokes_into_the_crl()
    {
        var tokens = new InMemoryHttp01TokenStore();
        await using var responder = Http01Responder.Start(tokens, new IPEndPoint(IPAddress.Loopback, 0));
        await using var server = await EmbeddedServer.StartAsync(responder.LocalEndPoint!.Port);
        var client = server.CreateClient();
        using var accountKey = AcmeKey.Create();
        var account = await client.CreateAccountAsync(accountKey, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });

        var issued = await new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("www.acme.test"), AcmeIdentifier.Ip(IPAddress.Loopback)] },
            [new Http01ChallengeSolver(tokens)]);

        using var root = await server.GetRootAsync();
        using var leaf = issued.Chain.LoadLeaf();
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        foreach (var der in issued.Chain.Certificates.Skip(1))
        {
            chain.ChainPolicy.ExtraStore.Add(LoadDer(der));
        }

        Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(new byte[] { 0x30, 0x00 }, leaf.SubjectName.RawData); // the built-in profile has no commonName
        Assert.Equal(90, (int)Math.Round((leaf.NotAfter - leaf.NotBefore).TotalDays));

        // The AIA and CRL URLs are plain http (TLS BR 7.1.2.7.7, 7.1.2.11.2) and serve what the CA serves.
        var caIssuers = Assert.Single(leaf.Extensions.OfType<X509AuthorityInformationAccessExtension>().Single().EnumerateCAIssuersUris());
        var crlDp = Assert.Single(Ca.Asn.CrlDistributionPoints(Ca.Asn.Extension(leaf, "2.5.29.31")!));
        Assert.Equal(new Uri(server.PublicationBaseUrl + "/ca/intermediate.cer"), new Uri(caIssuers));
        Assert.Equal(new Uri(server.PublicationBaseUrl + "/ca/intermediate.crl"), new Uri(crlDp));
        Assert.Equal(Uri.UriSchemeHttp, new Uri(caIssuers).Scheme);
        Assert.Equal(Uri.UriSchemeHttp, new Uri(crlDp).Scheme);

        // A relying party's fetch: plain http, no TLS involved.
        using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var intermediateResponse = await plain.GetAsync(new Uri(caIssuers));
        Assert.Equal(HttpStatusCode.OK, intermediateResponse.StatusCode);
        Assert.Equal("application/pkix-cert", intermediateResponse.Content.Headers.ContentType?.MediaType);
        var intermediateDer = await intermediateResponse.Content.ReadAsByteArrayAsync();
        Assert.Equal(issued.Chain.Certificates[1], intermediateDer);
        using var https = server.CreateHttpClient();
        Assert.Equal(await https.GetByteArrayAsync(new Uri(server.BaseUrl, "/acme/ca/intermediate.cer")), intermediateDer);

        using var crlResponse = await plain.GetAsync(new Uri(crlDp));
        Assert.Equal(HttpStatusCode.OK, crlResponse.StatusCode);
        Assert.Equal("application/pkix-crl", crlResponse.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await server.GetCrlAsync(), await crlResponse.Content.ReadAsByteArrayAsync());

        // The intermediate's own AIA/CRL DP point at the root's files on the same plain-http listener.
        using var intermediate = LoadDer(intermediateDer);
        var rootUrl = Assert.Single(intermediate.Extensions.OfType<X509AuthorityInformationAccessExtension>().Single().EnumerateCAIssuersUris());
        Assert.Equal(new Uri(server.PublicationBaseUrl + "/ca/root.cer"), new Uri(rootUrl));
        Assert.Equal(root.RawData, await plain.GetByteArrayAsync(new Uri(rootUrl)));
        Assert.Equal(new Uri(server.PublicationBaseUrl + "/ca/root.crl"), new Uri(Assert.Single(Ca.Asn.CrlDistributionPoints(Ca.Asn.Extension(intermediate, "2.5.29.31")!))));

        // Nothing but the CA's files over plain http.
        using var directory = await plain.GetAsync(new Uri(server.PublicationBaseUrl + "/directory"));
        Assert.Equal(HttpStatusCode.NotFound, directory.StatusCode);

        await client.RevokeCertificateAsync(account, issued.Chain.Certificates[0], AcmeRevocationReason.KeyCompromise);
        var crl = await server.GetCrlAsync();
        Assert.Contains(Convert.FromHexString(leaf.SerialNumber), SerialsIn(crl), ByteArrayComparer.Instance);
    }

    [Fact]
    public async Task The_short_lived_profile_over_tls_alpn01_gives_seven_days_without_a_crl_pointer()
    {
        var store = new InMemoryTlsAlpn01ChallengeStore();
        await using var responder = TlsAlpn01Responder.Start(store, new IPEndPoint(IPAddress.Loopback, 0));
        await using var server = await EmbeddedServer.StartAsync(http01Port: 1, tlsAlpn01Port: responder.LocalEndPoint!.Port);
        var client = server.CreateClient();
        using var accountKey = AcmeKey.Create();
        var account = await client.CreateAccountAsync(accountKey, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        var directory = await client.GetDirectoryAsync();
        Assert.Equal(["tls-server", "shortlived"], directory.Meta!.Profiles!.Keys.Order(StringComparer.Ordinal).Reverse());

        var issued = await new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("alpn.acme.test")], Profile = "shortlived" },
            [new TlsAlpn01ChallengeSolver(store)]);

        using var leaf = issued.Chain.LoadLeaf();
        Assert.Equal(7, (int)Math.Round((leaf.NotAfter - leaf.NotBefore).TotalDays));
        Assert.DoesNotContain(leaf.Extensions.Cast<X509Extension>(), e => e.Oid?.Value == "2.5.29.31");
    }

    [Fact]
    public async Task Caa_naming_another_ca_refuses_at_finalize_with_the_deciding_record()
    {
        var tokens = new InMemoryHttp01TokenStore();
        await using var responder = Http01Responder.Start(tokens, new IPEndPoint(IPAddress.Loopback, 0));
        await using var server = await EmbeddedServer.StartAsync(responder.LocalEndPoint!.Port, nameServer: Knot, configure: o => o.Validation.Hosts["*.acme.test"] = "127.0.0.1");
        var client = server.CreateClient();
        using var accountKey = AcmeKey.Create();
        var account = await client.CreateAccountAsync(accountKey, new AcmeNewAccountRequest { TermsOfServiceAgreed = true });

        // caa-allowed names this CA: issued. caa-other names another CA: refused with the record in the detail.
        await new AcmeCertificateIssuer(client).IssueAsync(account, new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("caa-allowed.acme.test")] }, [new Http01ChallengeSolver(tokens)]);
        var refused = await Assert.ThrowsAnyAsync<AcmeException>(() => new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("caa-other.acme.test")] },
            [new Http01ChallengeSolver(tokens)]));
        var problem = refused switch
        {
            AcmeProblemException p => p.Problem,
            AcmeOrderException o => o.Problem,
            _ => null,
        };
        Assert.True(problem is not null, refused.ToString());
        Assert.Equal(AcmeProblemTypes.Caa, problem.Type);
        Assert.Contains("CAA 0 issue \"other-ca.example\"", problem.Subproblems!.Single().Detail, StringComparison.Ordinal);
    }

    internal static X509Certificate2 LoadDer(byte[] der) =>
#if NET9_0_OR_GREATER
        X509CertificateLoader.LoadCertificate(der);
#else
        new(der);
#endif

    internal static List<byte[]> SerialsIn(byte[] crlDer)
    {
        var serials = new List<byte[]>();
        var reader = new System.Formats.Asn1.AsnReader(crlDer, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        var tbs = reader.ReadSequence();
        if (tbs.PeekTag().TagValue == 2)
        {
            tbs.ReadInteger(); // version
        }

        tbs.ReadSequence(); // signature algorithm
        tbs.ReadSequence(); // issuer
        tbs.ReadEncodedValue(); // thisUpdate
        if (tbs.HasData && tbs.PeekTag().TagValue is 23 or 24)
        {
            tbs.ReadEncodedValue(); // nextUpdate
        }

        if (tbs.HasData && tbs.PeekTag().TagClass == System.Formats.Asn1.TagClass.Universal && tbs.PeekTag().TagValue == 16)
        {
            var revoked = tbs.ReadSequence();
            while (revoked.HasData)
            {
                serials.Add(revoked.ReadSequence().ReadIntegerBytes().ToArray());
            }
        }

        return serials;
    }

    internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length;
    }
}
