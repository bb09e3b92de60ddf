using Pki.Smime.Internal;

namespace Pki.Smime.Testing;

/// <summary>
/// A throw-away two-level hierarchy for tests and demos: a root CA (section 7.1.2.1) and an S/MIME issuing
/// sub-CA (section 7.1.2.2) with fresh keys held in memory, names under the reserved <c>.test</c> domain and
/// URLs that resolve nowhere. It is for unit tests, samples and benchmarks only, not for production issuance:
/// a real CA keeps its keys in an HSM, runs under an audited CP/CPS and publishes its CRL and certificates.
/// </summary>
public sealed class SmimeTestHierarchy : IDisposable
{
    /// <summary>The issuer domain name the sub-CA is known by in CAA issuemail records.</summary>
    public const string IssuerDomainName = "ca.example.test";

    private SmimeTestHierarchy(byte[] root, SmimeKeyPair rootKey, SmimeIssuingCa issuingCa)
    {
        RootCertificate = root;
        RootKey = rootKey;
        IssuingCa = issuingCa;
    }

    /// <summary>The self-signed root CA certificate in DER; add it as the only trust anchor when building chains in tests.</summary>
    public ReadOnlyMemory<byte> RootCertificate { get; }

    /// <summary>The root CA key, disposed with the hierarchy; use it to sign further test CAs.</summary>
    public SmimeKeyPair RootKey { get; }

    /// <summary>The issuing sub-CA: certificate, key and URLs.</summary>
    public SmimeIssuingCa IssuingCa { get; }

    /// <summary>Creates a root and an issuing sub-CA, both with keys of <paramref name="algorithm"/>.</summary>
    /// <param name="algorithm">Key type of both CAs (Rsa is 2048 bits).</param>
    /// <param name="timeProvider">Clock for the validity periods (root and sub-CA start one day before now).</param>
    public static SmimeTestHierarchy Create(SmimeKeyAlgorithm algorithm = SmimeKeyAlgorithm.EcP256, TimeProvider? timeProvider = null)
    {
        var now = (timeProvider ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        now = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        var serials = new SmimeCertificateBuilder(timeProvider: timeProvider);
        var rootKey = SmimeKeyPair.Generate(algorithm);
        var issuingKey = SmimeKeyPair.Generate(algorithm);
        try
        {
            var root = CreateRoot(rootKey, serials, now);
            var issuing = CreateIssuing(root, rootKey, issuingKey, serials, now);
            var issuingCa = new SmimeIssuingCa(issuing, issuingKey, new Uri("http://crl.example.test/smime-issuing.crl"))
            {
                CaIssuers = new Uri("http://ca.example.test/smime-issuing.cer"),
                IssuerDomainNames = [IssuerDomainName],
            };
            return new SmimeTestHierarchy(root, rootKey, issuingCa);
        }
        catch
        {
            rootKey.Dispose();
            issuingKey.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        RootKey.Dispose();
        IssuingCa.Key.Dispose();
    }

    // 7.1.2.1: basicConstraints (critical, cA, no pathLen), keyUsage (critical, keyCertSign, cRLSign), SKI; no EKU, no policies.
    private static byte[] CreateRoot(SmimeKeyPair key, SmimeCertificateBuilder serials, DateTime now)
    {
        var subject = NameEncoder.Encode(
        [
            (SubjectAttributes.Country, "XX"), (SubjectAttributes.Organization, "Pki Test"), (SubjectAttributes.CommonName, "Pki Test S/MIME Root CA"),
        ]);
        var draft = new CertificateDraft
        {
            Serial = serials.NewSerial(),
            SignatureAlgorithm = key.SignatureAlgorithm,
            Issuer = subject,
            Subject = subject,
            NotBefore = now.AddDays(-1),
            NotAfter = now.AddYears(10),
            SubjectPublicKeyInfo = key.PublicKey.SubjectPublicKeyInfo.ToArray(),
        };
        draft.Extensions.Add(ExtensionEncoder.BasicConstraints(ca: true, pathLength: null));
        draft.Extensions.Add(ExtensionEncoder.KeyUsage(ExtensionEncoder.KeyCertSign | ExtensionEncoder.CrlSign));
        draft.Extensions.Add(ExtensionEncoder.SubjectKeyIdentifier(ExtensionEncoder.KeyIdentifier(key.PublicKey.SubjectPublicKeyInfo.Span)));
        return SmimeCertificateBuilder.SignUnchecked(draft, key);
    }

    // 7.1.2.2: certificatePolicies, cRLDistributionPoints, AIA, basicConstraints, keyUsage, extKeyUsage (emailProtection), AKI, SKI.
    private static byte[] CreateIssuing(byte[] root, SmimeKeyPair rootKey, SmimeKeyPair key, SmimeCertificateBuilder serials, DateTime now)
    {
        var rootInfo = Pki.Smime.Linting.ParsedCertificate.ParseIssuer(root);
        var draft = new CertificateDraft
        {
            Serial = serials.NewSerial(),
            SignatureAlgorithm = rootKey.SignatureAlgorithm,
            Issuer = rootInfo.Subject,
            Subject = NameEncoder.Encode(
            [
                (SubjectAttributes.Country, "XX"), (SubjectAttributes.Organization, "Pki Test"), (SubjectAttributes.CommonName, "Pki Test S/MIME Issuing CA"),
            ]),
            NotBefore = now.AddDays(-1),
            NotAfter = now.AddYears(5),
            SubjectPublicKeyInfo = key.PublicKey.SubjectPublicKeyInfo.ToArray(),
        };
        draft.Extensions.Add(ExtensionEncoder.CertificatePolicies(SmimeProfile.All.Select(p => p.PolicyOid), cps: null));
        draft.Extensions.Add(ExtensionEncoder.CrlDistributionPoints("http://crl.example.test/smime-root.crl"));
        draft.Extensions.Add(ExtensionEncoder.AuthorityInformationAccess([(Oids.AccessCaIssuers, "http://ca.example.test/smime-root.cer")]));
        draft.Extensions.Add(ExtensionEncoder.BasicConstraints(ca: true, pathLength: 0));
        draft.Extensions.Add(ExtensionEncoder.KeyUsage(ExtensionEncoder.KeyCertSign | ExtensionEncoder.CrlSign));
        draft.Extensions.Add(ExtensionEncoder.ExtendedKeyUsage([Oids.EmailProtection]));
        draft.Extensions.Add(ExtensionEncoder.AuthorityKeyIdentifier(rootInfo.SubjectKeyIdentifier!));
        draft.Extensions.Add(ExtensionEncoder.SubjectKeyIdentifier(ExtensionEncoder.KeyIdentifier(key.PublicKey.SubjectPublicKeyInfo.Span)));
        return SmimeCertificateBuilder.SignUnchecked(draft, rootKey);
    }
}
