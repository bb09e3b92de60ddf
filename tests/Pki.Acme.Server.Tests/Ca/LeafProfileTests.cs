using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pki.Acme;
using Pki.Acme.Server;

namespace Pki.Acme.Server.Tests.Ca;

/// <summary>Every TLS BR 7.1.2.7 field of an issued subscriber certificate, read back from the DER.</summary>
public sealed class LeafProfileTests : IDisposable
{
    private readonly CaFixture fixture = new();

    public void Dispose() => fixture.Dispose();

    [Fact]
    public async Task Issued_ecdsa_leaf_has_every_baseline_requirements_field()
    {
        var (leaf, issued) = await fixture.IssueAsync(names: ["www.example.com", "example.com", "192.0.2.7"]);
        var intermediate = fixture.Ca.IntermediateCertificate;

        Assert.Equal(3, leaf.Version);
        Assert.Equal(new byte[] { 0x30, 0x00 }, leaf.SubjectName.RawData); // TLS BR 7.1.2.7.2: no commonName by default
        Assert.Equal(intermediate.SubjectName.RawData, leaf.IssuerName.RawData);
        Assert.Equal("1.2.840.10045.4.3.2", leaf.SignatureAlgorithm.Value); // ecdsa-with-SHA256 from a P-256 intermediate

        // Serial: 16 bytes, positive, minimal DER.
        var serial = leaf.SerialNumberBytes.ToArray();
        Assert.Equal(16, serial.Length);
        Assert.InRange(serial[0], 0x40, 0x7F);
        Assert.Equal(leaf.SerialNumber, issued.SerialNumber);
        Assert.Equal(serial, issued.SerialDer);

        // Validity: 90 days inclusive (notAfter - notBefore + 1s), backdated one minute.
        var notBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime());
        Assert.Equal(TimeSpan.FromDays(90), notAfter - notBefore + TimeSpan.FromSeconds(1));
        Assert.InRange(fixture.Time.GetUtcNow() - notBefore, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(61));
        Assert.Equal(notBefore, issued.NotBefore);
        Assert.Equal(notAfter, issued.NotAfter);

        var keyUsage = Assert.IsType<X509KeyUsageExtension>(Asn.Extension(leaf, "2.5.29.15"));
        Assert.True(keyUsage.Critical);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, keyUsage.KeyUsages);

        var eku = Assert.IsType<X509EnhancedKeyUsageExtension>(Asn.Extension(leaf, "2.5.29.37"));
        Assert.False(eku.Critical);
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));

        var basic = Assert.IsType<X509BasicConstraintsExtension>(Asn.Extension(leaf, "2.5.29.19"));
        Assert.True(basic.Critical);
        Assert.False(basic.CertificateAuthority);
        Assert.False(basic.HasPathLengthConstraint);

        var aki = Assert.IsType<X509AuthorityKeyIdentifierExtension>(Asn.Extension(leaf, "2.5.29.35"));
        var intermediateSki = Assert.IsType<X509SubjectKeyIdentifierExtension>(Asn.Extension(intermediate, "2.5.29.14"));
        Assert.Equal(intermediateSki.SubjectKeyIdentifierBytes.ToArray(), aki.KeyIdentifier!.Value.ToArray());
        Assert.Null(aki.NamedIssuer);
        Assert.Equal(aki.KeyIdentifier!.Value.ToArray(), issued.AuthorityKeyIdentifier);
        Assert.Null(Asn.Extension(leaf, "2.5.29.14")); // TLS BR 7.1.2.7.6: subjectKeyIdentifier NOT RECOMMENDED

        var aia = Assert.IsType<X509AuthorityInformationAccessExtension>(Asn.Extension(leaf, "1.3.6.1.5.5.7.1.1"));
        Assert.False(aia.Critical);
        Assert.Equal(["https://acme.test/acme/ca/intermediate.cer"], aia.EnumerateCAIssuersUris());
        Assert.Empty(aia.EnumerateOcspUris());

        var policies = Asn.Extension(leaf, "2.5.29.32")!;
        Assert.False(policies.Critical);
        Assert.Equal(["2.23.140.1.2.1"], Asn.Policies(policies));

        var crlDp = Asn.Extension(leaf, "2.5.29.31")!;
        Assert.False(crlDp.Critical);
        Assert.Equal(["https://acme.test/acme/ca/intermediate.crl"], Asn.CrlDistributionPoints(crlDp));

        var san = Assert.IsType<X509SubjectAlternativeNameExtension>(Asn.Extension(leaf, "2.5.29.17"));
        Assert.True(san.Critical); // the subject is empty (RFC 5280 4.2.1.6)
        Assert.Equal(["www.example.com", "example.com"], san.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse("192.0.2.7")], san.EnumerateIPAddresses());

        Assert.Equal(8, leaf.Extensions.Count); // nothing else
        Assert.Equal(issued.ChainsPem[0], leaf.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem() + "\n");
    }

    [Fact]
    public async Task Rsa_leaf_has_digital_signature_only_like_ecdsa()
    {
        using var rsa = RSA.Create(2048);
        var (leaf, _) = await fixture.IssueAsync(key: rsa, names: ["rsa.example.com"]);
        var keyUsage = Assert.IsType<X509KeyUsageExtension>(Asn.Extension(leaf, "2.5.29.15"));
        Assert.True(keyUsage.Critical);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, keyUsage.KeyUsages); // TLS BR 7.1.2.7.11: no keyEncipherment
    }

    [Fact]
    public void Built_in_profiles_leave_the_common_name_out()
    {
        Assert.All(AcmeServerProfileOptions.CreateDefaults(), p => Assert.False(p.IncludeCommonName));
        Assert.False(new AcmeServerProfileOptions().IncludeCommonName);
    }

    [Fact]
    public async Task Default_profiles_give_an_empty_subject_and_a_critical_san_for_every_identifier_kind()
    {
        foreach (var (profile, names) in new[] { ("tls-server", new[] { "*.example.com", "example.com" }), ("shortlived", new[] { "2001:db8::7" }), (string.Empty, new[] { "www.example.com" }) })
        {
            var (leaf, _) = await fixture.IssueAsync(profile, names: names);
            Assert.Equal(new byte[] { 0x30, 0x00 }, leaf.SubjectName.RawData);
            Assert.True(Asn.Extension(leaf, "2.5.29.17")!.Critical);
        }
    }

    [Fact]
    public async Task Include_common_name_puts_the_first_identifier_in_the_subject_and_keeps_the_san_non_critical()
    {
        using var withCn = new CaFixture(o => o.Profiles.Add(new AcmeServerProfileOptions { Name = "cn", Description = "with commonName", IncludeCommonName = true }));
        var (leaf, _) = await withCn.IssueAsync(names: ["www.example.com", "example.com"]);
        Assert.Equal("CN=www.example.com", leaf.Subject);
        Assert.Equal(["2.5.4.3"], leaf.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false).Select(r => r.GetSingleElementType().Value));
        Assert.False(Asn.Extension(leaf, "2.5.29.17")!.Critical);

        var (wildcard, _) = await withCn.IssueAsync(names: ["*.example.com", "example.com"]);
        Assert.Equal("CN=*.example.com", wildcard.Subject);
        Assert.Equal(["*.example.com", "example.com"], Assert.IsType<X509SubjectAlternativeNameExtension>(Asn.Extension(wildcard, "2.5.29.17")).EnumerateDnsNames());
        var (ip, _) = await withCn.IssueAsync(names: ["2001:db8::7"]);
        Assert.Equal("CN=2001:db8::7", ip.Subject);
        Assert.Equal([IPAddress.Parse("2001:db8::7")], Assert.IsType<X509SubjectAlternativeNameExtension>(Asn.Extension(ip, "2.5.29.17")).EnumerateIPAddresses());

        // A first name longer than the 64-character ub-common-name still gives an empty subject and a critical SAN.
        var longName = new string('a', 60) + ".example.com";
        var (longLeaf, _) = await withCn.IssueAsync(names: [longName, "short.example.com"]);
        Assert.Equal(new byte[] { 0x30, 0x00 }, longLeaf.SubjectName.RawData);
        Assert.True(Asn.Extension(longLeaf, "2.5.29.17")!.Critical);
        Assert.Equal([longName, "short.example.com"], Assert.IsType<X509SubjectAlternativeNameExtension>(Asn.Extension(longLeaf, "2.5.29.17")).EnumerateDnsNames());
    }

    [Fact]
    public async Task Wildcard_and_ip_first_orders_are_issued()
    {
        var (wildcard, _) = await fixture.IssueAsync(names: ["*.example.com", "example.com"]);
        Assert.Equal(["*.example.com", "example.com"], Assert.IsType<X509SubjectAlternativeNameExtension>(Asn.Extension(wildcard, "2.5.29.17")).EnumerateDnsNames());
        var (ip, _) = await fixture.IssueAsync(names: ["2001:db8::7"]);
        Assert.Equal([IPAddress.Parse("2001:db8::7")], Assert.IsType<X509SubjectAlternativeNameExtension>(Asn.Extension(ip, "2.5.29.17")).EnumerateIPAddresses());
    }

    [Fact]
    public async Task Chain_builds_to_the_root_with_custom_trust_for_server_authentication()
    {
        var (leaf, issued) = await fixture.IssueAsync(names: ["chain.example.com"]);
        var chainCertificates = new X509Certificate2Collection();
        chainCertificates.ImportFromPem(issued.ChainsPem[0]);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(X509Certificate2.CreateFromPem(fixture.Ca.RootPem));
        chain.ChainPolicy.ExtraStore.Add(chainCertificates[1]);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.1"));
        Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(3, chain.ChainElements.Count);
    }

    [Fact]
    public async Task Serials_are_distinct_and_carry_at_least_64_random_bits()
    {
        var serials = new List<byte[]>();
        for (var i = 0; i < 24; i++)
        {
            var (_, issued) = await fixture.IssueAsync(names: ["serial.example.com"]);
            serials.Add(issued.SerialDer);
        }

        Assert.Equal(serials.Count, serials.Select(Convert.ToHexString).Distinct().Count());
        Assert.All(serials, s => Assert.Equal(16, s.Length));

        // Bit positions that differ between at least two serials: random ones vary, fixed ones never do.
        var varying = 0;
        for (var bit = 0; bit < 128; bit++)
        {
            var values = serials.Select(s => (s[bit / 8] >> (7 - (bit % 8))) & 1).Distinct().Count();
            varying += values == 2 ? 1 : 0;
        }

        Assert.True(varying >= 64, $"{varying} varying bits");
    }

    [Fact]
    public async Task Shortlived_profile_is_7_days_without_crl_distribution_point()
    {
        var (leaf, issued) = await fixture.IssueAsync("shortlived", names: ["short.example.com"]);
        Assert.Equal(TimeSpan.FromDays(7), issued.NotAfter - issued.NotBefore + TimeSpan.FromSeconds(1));
        Assert.Null(Asn.Extension(leaf, "2.5.29.31"));
        Assert.NotNull(Asn.Extension(leaf, "1.3.6.1.5.5.7.1.1"));
    }

    [Fact]
    public async Task Named_default_profile_and_empty_profile_both_issue_90_days_with_crl_distribution_point()
    {
        foreach (var profile in new[] { "tls-server", string.Empty })
        {
            var (leaf, issued) = await fixture.IssueAsync(profile, names: ["default.example.com"]);
            Assert.Equal(TimeSpan.FromDays(90), issued.NotAfter - issued.NotBefore + TimeSpan.FromSeconds(1));
            Assert.NotNull(Asn.Extension(leaf, "2.5.29.31"));
        }
    }

    [Fact]
    public void Profiles_are_advertised_default_first()
    {
        Assert.Equal(["tls-server", "shortlived"], fixture.Ca.Profiles.Select(p => p.Name));
        Assert.All(fixture.Ca.Profiles, p => Assert.False(string.IsNullOrWhiteSpace(p.Description)));
    }

    [Fact]
    public async Task Unknown_profile_is_invalidProfile()
    {
        var error = await Assert.ThrowsAsync<AcmeIssuanceRejectedException>(() => fixture.IssueAsync("classic", names: ["x.example.com"]));
        Assert.Equal(AcmeProblemTypes.InvalidProfile, error.ProblemType);
        Assert.Contains("'classic'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configured_profiles_replace_the_defaults_and_client_auth_is_added_only_when_asked()
    {
        using var custom = new CaFixture(o =>
        {
            o.Profiles.Add(new AcmeServerProfileOptions { Name = "mtls", Description = "server and client", Validity = TimeSpan.FromDays(30), IncludeClientAuth = true });
            o.Profiles.Add(new AcmeServerProfileOptions { Name = "day", Description = "one day", Validity = TimeSpan.FromDays(1), IncludeCrlDistributionPoint = false });
        });
        Assert.Equal(["mtls", "day"], custom.Ca.Profiles.Select(p => p.Name));
        var (leaf, issued) = await custom.IssueAsync(string.Empty, names: ["m.example.com"]);
        Assert.Equal(TimeSpan.FromDays(30), issued.NotAfter - issued.NotBefore + TimeSpan.FromSeconds(1));
        var eku = Assert.IsType<X509EnhancedKeyUsageExtension>(Asn.Extension(leaf, "2.5.29.37"));
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        var (dayLeaf, _) = await custom.IssueAsync("day", names: ["d.example.com"]);
        Assert.Null(Asn.Extension(dayLeaf, "2.5.29.31"));
        await Assert.ThrowsAsync<AcmeIssuanceRejectedException>(() => custom.IssueAsync("tls-server", names: ["x.example.com"]));
    }

    [Fact]
    public void Intermediate_has_the_subordinate_ca_profile()
    {
        var intermediate = fixture.Ca.IntermediateCertificate;
        var basic = Assert.IsType<X509BasicConstraintsExtension>(Asn.Extension(intermediate, "2.5.29.19"));
        Assert.True(basic.Critical && basic.CertificateAuthority && basic.HasPathLengthConstraint);
        Assert.Equal(0, basic.PathLengthConstraint);
        var keyUsage = Assert.IsType<X509KeyUsageExtension>(Asn.Extension(intermediate, "2.5.29.15"));
        Assert.True(keyUsage.Critical);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, keyUsage.KeyUsages);
        var eku = Assert.IsType<X509EnhancedKeyUsageExtension>(Asn.Extension(intermediate, "2.5.29.37"));
        Assert.Contains("1.3.6.1.5.5.7.3.1", eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        Assert.Equal(["2.23.140.1.2.1"], Asn.Policies(Asn.Extension(intermediate, "2.5.29.32")!));
        Assert.Equal(["https://acme.test/acme/ca/root.crl"], Asn.CrlDistributionPoints(Asn.Extension(intermediate, "2.5.29.31")!));
        var aia = Assert.IsType<X509AuthorityInformationAccessExtension>(Asn.Extension(intermediate, "1.3.6.1.5.5.7.1.1"));
        Assert.Equal(["https://acme.test/acme/ca/root.cer"], aia.EnumerateCAIssuersUris());
        Assert.Equal("CN=Pki ACME Server Intermediate, O=Pki ACME Server", intermediate.Subject);
        Assert.Equal("CN=Pki ACME Server Root, O=Pki ACME Server", fixture.Ca.RootCertificate.Subject);
        Assert.Equal(["2.5.4.10", "2.5.4.3"], intermediate.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false).Select(r => r.GetSingleElementType().Value)); // O, then CN in the DER
    }

    [Fact]
    public void Generated_root_has_the_root_ca_profile_with_an_authority_key_identifier_equal_to_its_subject_key_identifier()
    {
        var root = fixture.Ca.RootCertificate;
        var basic = Assert.IsType<X509BasicConstraintsExtension>(Asn.Extension(root, "2.5.29.19"));
        Assert.True(basic.Critical && basic.CertificateAuthority && !basic.HasPathLengthConstraint);
        var keyUsage = Assert.IsType<X509KeyUsageExtension>(Asn.Extension(root, "2.5.29.15"));
        Assert.True(keyUsage.Critical);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, keyUsage.KeyUsages);
        var ski = Assert.IsType<X509SubjectKeyIdentifierExtension>(Asn.Extension(root, "2.5.29.14"));
        Assert.False(ski.Critical);

        // TLS BR 7.1.2.1.3: keyIdentifier only (no issuer name or serial), the root's own SKI, not critical.
        var aki = Assert.IsType<X509AuthorityKeyIdentifierExtension>(Asn.Extension(root, "2.5.29.35"));
        Assert.False(aki.Critical);
        Assert.Equal(ski.SubjectKeyIdentifierBytes.ToArray(), aki.KeyIdentifier!.Value.ToArray());
        Assert.Null(aki.NamedIssuer);
        Assert.Null(aki.SerialNumber);
        Assert.Equal(4, root.Extensions.Count); // nothing else

        // The intermediate's AKI points at the same key identifier.
        var intermediateAki = Assert.IsType<X509AuthorityKeyIdentifierExtension>(Asn.Extension(fixture.Ca.IntermediateCertificate, "2.5.29.35"));
        Assert.Equal(ski.SubjectKeyIdentifierBytes.ToArray(), intermediateAki.KeyIdentifier!.Value.ToArray());
    }

    [Fact]
    public async Task P384_and_rsa_hierarchies_sign_with_the_matching_algorithm()
    {
        using var p384 = new CaFixture(o => (o.KeyAlgorithm, o.Country) = (AcmeServerCaKeyAlgorithm.EcdsaP384, "DE"));
        Assert.Equal(["2.5.4.6", "2.5.4.10", "2.5.4.3"], p384.Ca.IntermediateCertificate.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false).Select(r => r.GetSingleElementType().Value));
        var (leaf384, _) = await p384.IssueAsync(names: ["p384.example.com"]);
        Assert.Equal("1.2.840.10045.4.3.3", leaf384.SignatureAlgorithm.Value);
        using var rsa = new CaFixture(o => o.KeyAlgorithm = AcmeServerCaKeyAlgorithm.Rsa2048);
        var (leafRsa, _) = await rsa.IssueAsync(names: ["rsa.example.com"]);
        Assert.Equal("1.2.840.113549.1.1.11", leafRsa.SignatureAlgorithm.Value);
    }

    [Fact]
    public async Task Issue_honours_a_cancelled_token()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = Csr.Create(key, ["c.example.com"]);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fixture.Ca.IssueAsync(csr, [AcmeIdentifier.Dns("c.example.com")], string.Empty, fixture.AccountSpki, new CancellationToken(true)));
    }

    [Fact]
    public async Task Leaf_never_outlives_the_intermediate()
    {
        fixture.Time.SetUtcNow(new DateTimeOffset(fixture.Ca.IntermediateCertificate.NotAfter.ToUniversalTime()).AddDays(-10));
        var (_, issued) = await fixture.IssueAsync(names: ["late.example.com"]);
        Assert.True(issued.NotAfter <= new DateTimeOffset(fixture.Ca.IntermediateCertificate.NotAfter.ToUniversalTime()));
    }
}
