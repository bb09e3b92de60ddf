using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pki.Smime.Testing;

namespace Pki.Smime.Tests;

/// <summary>Issue point 5: the test hierarchy follows sections 7.1.2.1 and 7.1.2.2.</summary>
public sealed class HierarchyTests
{
    [Theory]
    [InlineData(SmimeKeyAlgorithm.EcP256)]
    [InlineData(SmimeKeyAlgorithm.Rsa)]
    [InlineData(SmimeKeyAlgorithm.Ed25519)]
    public void The_root_follows_section_7_1_2_1(SmimeKeyAlgorithm algorithm)
    {
        using var root = TestPki.Load(TestPki.Hierarchy(algorithm).RootCertificate.Span);

        var basic = root.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(basic.Critical);
        Assert.True(basic.CertificateAuthority);
        Assert.False(basic.HasPathLengthConstraint);
        var keyUsage = root.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(keyUsage.Critical);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, keyUsage.KeyUsages);
        Assert.False(root.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().Critical);
        Assert.Empty(root.Extensions.OfType<X509EnhancedKeyUsageExtension>());
        Assert.Null(root.Extensions["2.5.29.32"]);
        Assert.Equal(root.SubjectName.RawData, root.IssuerName.RawData);
        Assert.Equal("CN=Pki Test S/MIME Root CA, O=Pki Test, C=XX", root.Subject);
    }

    [Theory]
    [InlineData(SmimeKeyAlgorithm.EcP256)]
    [InlineData(SmimeKeyAlgorithm.Rsa)]
    [InlineData(SmimeKeyAlgorithm.Ed25519)]
    public void The_issuing_ca_follows_section_7_1_2_2(SmimeKeyAlgorithm algorithm)
    {
        var hierarchy = TestPki.Hierarchy(algorithm);
        using var root = TestPki.Load(hierarchy.RootCertificate.Span);
        using var issuing = TestPki.Load(hierarchy.IssuingCa.Certificate.Span);

        Assert.False(issuing.Extensions["2.5.29.32"]!.Critical);
        Assert.False(issuing.Extensions["2.5.29.31"]!.Critical);
        var aia = issuing.Extensions.OfType<X509AuthorityInformationAccessExtension>().Single();
        Assert.Equal(["http://ca.example.test/smime-root.cer"], aia.EnumerateCAIssuersUris());
        var basic = issuing.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(basic.Critical && basic.CertificateAuthority);
        var keyUsage = issuing.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(keyUsage.Critical);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, keyUsage.KeyUsages);
        var eku = issuing.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Equal(["1.3.6.1.5.5.7.3.4"], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        var aki = issuing.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single();
        Assert.False(aki.Critical);
        Assert.Null(aki.NamedIssuer);
        Assert.Equal(root.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray(), aki.KeyIdentifier!.Value.ToArray());
        Assert.Equal(root.SubjectName.RawData, issuing.IssuerName.RawData);
        Assert.Equal([SmimeTestHierarchy.IssuerDomainName], hierarchy.IssuingCa.IssuerDomainNames);
    }

    [Fact]
    public void The_rsa_and_ecdsa_hierarchies_verify_in_dotnet()
    {
        foreach (var algorithm in new[] { SmimeKeyAlgorithm.Rsa, SmimeKeyAlgorithm.EcP256 })
        {
            var hierarchy = TestPki.Hierarchy(algorithm);

            Assert.Equal(string.Empty, TestPki.ChainProblems(hierarchy, hierarchy.IssuingCa.Certificate.Span, TestPki.Now));
        }
    }

    [Fact]
    public void A_fresh_hierarchy_issues_end_to_end_with_p384_keys()
    {
        using var hierarchy = SmimeTestHierarchy.Create(SmimeKeyAlgorithm.EcP384, new FixedTime(TestPki.Now.AddDays(-2)));
        using var subscriber = SmimeKeyPair.Generate(SmimeKeyAlgorithm.EcP521);

        var certificate = TestPki.Builder().Build(TestPki.Request(TestPki.StrictMailbox) with { PublicKey = subscriber.PublicKey }, hierarchy.IssuingCa);

        Assert.Empty(certificate.Lint.Findings);
        Assert.True(certificate.RawData.Span.IndexOf(TestPki.Hex("300a06082a8648ce3d040303")) > 0, "P-384 issuers sign with ecdsa-with-SHA384");
    }
}
