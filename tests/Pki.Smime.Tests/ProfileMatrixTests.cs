using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pki.Smime.Tests;

/// <summary>Issue point 6: every profile cell, for RSA-2048, P-256 and Ed25519, builds, lints clean and loads in .NET.</summary>
public sealed class ProfileMatrixTests
{
    public static TheoryData<SmimeValidationType, SmimeGeneration, SmimeKeyAlgorithm> Cells()
    {
        var data = new TheoryData<SmimeValidationType, SmimeGeneration, SmimeKeyAlgorithm>();
        foreach (var profile in SmimeProfile.All)
        {
            foreach (var key in new[] { SmimeKeyAlgorithm.Rsa, SmimeKeyAlgorithm.EcP256, SmimeKeyAlgorithm.Ed25519 })
            {
                data.Add(profile.Type, profile.Generation, key);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Every_profile_cell_builds_a_lint_clean_certificate_that_dotnet_loads(SmimeValidationType type, SmimeGeneration generation, SmimeKeyAlgorithm key)
    {
        var profile = new SmimeProfile(type, generation);
        var legacy = generation == SmimeGeneration.Legacy;
        var hierarchy = TestPki.Hierarchy(key);

        var certificate = TestPki.Builder(legacy).Build(TestPki.Request(profile, key), hierarchy.IssuingCa);

        Assert.Empty(certificate.Lint.Findings);
        var relint = SmimeLinter.Lint(certificate.RawData.Span, options: TestPki.LintOptions(hierarchy.IssuingCa, legacy));
        Assert.Equal(profile, relint.Profile);
        Assert.Empty(relint.Findings);

        using var dotnet = TestPki.Load(certificate.RawData.Span);
        Assert.Equal(3, dotnet.Version);
        Assert.Equal(certificate.SerialNumber, dotnet.SerialNumber);
        using var issuer = TestPki.Load(hierarchy.IssuingCa.Certificate.Span);
        Assert.Equal(issuer.SubjectName.RawData, dotnet.IssuerName.RawData);
        var eku = Assert.Single(dotnet.Extensions.OfType<X509EnhancedKeyUsageExtension>());
        Assert.Equal("1.3.6.1.5.5.7.3.4", Assert.Single(eku.EnhancedKeyUsages.Cast<Oid>()).Value);
        var policies = dotnet.Extensions.Single(e => e.Oid!.Value == "2.5.29.32");
        Assert.True(policies.RawData.AsSpan().IndexOf(new AsnOid(profile.PolicyOid).Encoded) >= 0);
        Assert.Equal("alice@example.test", dotnet.GetNameInfo(X509NameType.EmailName, forIssuer: false));
    }

    [Theory]
    [InlineData(SmimeKeyAlgorithm.Rsa)]
    [InlineData(SmimeKeyAlgorithm.EcP256)]
    public void Issued_certificates_chain_to_the_test_root_in_dotnet(SmimeKeyAlgorithm key)
    {
        var hierarchy = TestPki.Hierarchy(key);
        var certificate = TestPki.Builder().Build(TestPki.Request(TestPki.StrictMailbox, key), hierarchy.IssuingCa);
        var problems = TestPki.ChainProblems(hierarchy, certificate.RawData.Span, TestPki.Now.AddDays(1), "1.3.6.1.5.5.7.3.4");

        Assert.Equal(string.Empty, problems);
    }

    [Theory]
    [InlineData(SmimeKeyAlgorithm.Rsa, "300d06092a864886f70d0101010500")]
    [InlineData(SmimeKeyAlgorithm.EcP256, "301306072a8648ce3d020106082a8648ce3d030107")]
    [InlineData(SmimeKeyAlgorithm.EcP384, "301006072a8648ce3d020106052b81040022")]
    [InlineData(SmimeKeyAlgorithm.EcP521, "301006072a8648ce3d020106052b81040023")]
    [InlineData(SmimeKeyAlgorithm.Ed25519, "300506032b6570")]
    public void Public_key_algorithm_identifiers_are_byte_exact_per_section_7_1_3_1(SmimeKeyAlgorithm key, string hex)
    {
        var certificate = TestPki.Builder().Build(TestPki.Request(TestPki.StrictMailbox, key), TestPki.Ca);

        Assert.True(certificate.RawData.Span.IndexOf(TestPki.Hex(hex)) > 0);
    }

    [Theory]
    [InlineData(SmimeKeyAlgorithm.Rsa, "300d06092a864886f70d01010b0500")]
    [InlineData(SmimeKeyAlgorithm.EcP256, "300a06082a8648ce3d040302")]
    [InlineData(SmimeKeyAlgorithm.Ed25519, "300506032b6570")]
    public void Signature_algorithm_identifiers_are_byte_exact_per_section_7_1_3_2_in_both_places(SmimeKeyAlgorithm issuerKey, string hex)
    {
        var hierarchy = TestPki.Hierarchy(issuerKey);
        var certificate = TestPki.Builder().Build(TestPki.Request(TestPki.StrictMailbox), hierarchy.IssuingCa);
        var der = certificate.RawData.ToArray();
        var expected = TestPki.Hex(hex);

        var first = der.AsSpan().IndexOf(expected);
        var second = der.AsSpan(first + expected.Length).IndexOf(expected);

        Assert.True(first > 0);
        Assert.True(second > 0, "signatureAlgorithm repeats tbsCertificate.signature");
    }

    [Fact]
    public void Rsa_pss_issuers_sign_with_the_exact_pss_encoding()
    {
        using var rsa = RSA.Create(2048);
        using var pssKey = SmimeKeyPair.FromRsa(rsa, SmimeRsaSignatureScheme.PssSha256);

        Assert.Equal(
            TestPki.Hex("304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120"),
            pssKey.SignatureAlgorithm);
    }

    /// <summary>The DER body of an OBJECT IDENTIFIER, for searching in extension bytes.</summary>
    private sealed class AsnOid(string oid)
    {
        public byte[] Encoded { get; } = new Org.BouncyCastle.Asn1.DerObjectIdentifier(oid).GetEncoded();
    }
}
