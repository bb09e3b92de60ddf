using System.Formats.Asn1;
using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Pki.Acme;
using Pki.Acme.Server;
using Pki.TestSupport;

namespace Pki.Acme.Server.Tests.Ca;

/// <summary>The store's revocations as a list the tests fill.</summary>
internal sealed class ListRevocationSource : IAcmeRevocationSource
{
    public List<AcmeRevokedCertificate> Revoked { get; } = [];

    public Task<IReadOnlyList<AcmeRevokedCertificate>> ListRevokedAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyList<AcmeRevokedCertificate>>(Revoked.ToArray());
    }
}

/// <summary>A generated CA in a temporary state directory, with the clock and revocations the tests drive.</summary>
internal sealed class CaFixture : IDisposable
{
    public static readonly Uri BaseUrl = new("https://acme.test/acme");

    public CaFixture(Action<AcmeServerCaOptions>? configure = null, Microsoft.Extensions.Logging.ILogger? logger = null, Uri? baseUrl = null)
    {
        Options = new AcmeServerCaOptions { StateDirectory = Path.Combine(Directory.Path, "ca") };
        configure?.Invoke(Options);
        Ca = EmbeddedCa.Create(Options, baseUrl ?? BaseUrl, Revocations, Time, logger);
    }

    public TempDirectory Directory { get; } = new();

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public ListRevocationSource Revocations { get; } = new();

    public AcmeServerCaOptions Options { get; }

    public EmbeddedCa Ca { get; }

    public ECDsa AccountKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public byte[] AccountSpki => AccountKey.ExportSubjectPublicKeyInfo();

    public async Task<(X509Certificate2 Leaf, AcmeIssuedChains Issued)> IssueAsync(string profile = "", AsymmetricAlgorithm? key = null, params string[] names)
    {
        names = names.Length == 0 ? ["www.example.com", "example.com"] : names;
        using var owned = key is null ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : null;
        var csr = Csr.Create(key ?? owned!, names);
        var issued = await Ca.IssueAsync(csr, names.Select(AcmeIdentifier.Parse).ToArray(), profile, AccountSpki, CancellationToken.None);
        return (X509Certificate2.CreateFromPem(issued.ChainsPem[0]), issued);
    }

    public void Dispose()
    {
        Ca.Dispose();
        AccountKey.Dispose();
        Directory.Dispose();
    }
}

/// <summary>CSRs, good and bad.</summary>
internal static class Csr
{
    public static byte[] Create(AsymmetricAlgorithm key, string[] sanNames, string? commonName = null, Action<CertificateRequest>? adjust = null)
    {
        var subject = new X500DistinguishedName(commonName is null ? "CN=" + sanNames[0] : commonName.Length == 0 ? string.Empty : "CN=" + commonName);
        var request = key switch
        {
            ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentException("ECDsa or RSA only", nameof(key)),
        };
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in sanNames)
        {
            if (IPAddress.TryParse(name, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        adjust?.Invoke(request);
        return request.CreateSigningRequest();
    }

    /// <summary>A CSR around any subjectPublicKeyInfo, with a junk signature (the key policy refuses before the signature is checked).</summary>
    public static byte[] WithRawKey(byte[] spki, string signatureAlgorithm)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteInteger(0);
                writer.WriteEncodedValue(new X500DistinguishedName("CN=example.com").RawData);
                writer.WriteEncodedValue(spki);
                writer.WriteEncodedValue(new byte[] { 0xA0, 0x00 });
            }

            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(signatureAlgorithm);
            }

            writer.WriteBitString(new byte[64]);
        }

        return writer.Encode();
    }

    public static byte[] Spki(string algorithm, byte[] key, string? curve = null, byte[]? parameters = null)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(algorithm);
                if (curve is not null)
                {
                    writer.WriteObjectIdentifier(curve);
                }
                else if (parameters is not null)
                {
                    writer.WriteEncodedValue(parameters);
                }
            }

            writer.WriteBitString(key);
        }

        return writer.Encode();
    }

    public static byte[] RsaPublicKey(byte[] modulus, BigInteger exponent)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(modulus);
            writer.WriteInteger(exponent);
        }

        return writer.Encode();
    }
}

/// <summary>Reading certificate and CRL fields the BR require, with System.Formats.Asn1.</summary>
internal static class Asn
{
    public static X509Extension? Extension(X509Certificate2 certificate, string oid)
        => certificate.Extensions.Cast<X509Extension>().SingleOrDefault(e => e.Oid!.Value == oid);

    public static List<string> Policies(X509Extension extension)
    {
        var policies = new List<string>();
        var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
        while (reader.HasData)
        {
            var info = reader.ReadSequence();
            policies.Add(info.ReadObjectIdentifier());
            Assert.False(info.HasData); // no qualifiers
        }

        return policies;
    }

    public static List<string> CrlDistributionPoints(X509Extension extension)
    {
        var uris = new List<string>();
        var points = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
        while (points.HasData)
        {
            var point = points.ReadSequence();
            var name = point.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
            var fullName = name.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
            while (fullName.HasData)
            {
                uris.Add(fullName.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6)));
            }
        }

        return uris;
    }

    /// <summary>The parts of an RFC 5280 CertificateList the tests check.</summary>
    public sealed record Crl(int Version, string SignatureAlgorithm, byte[] Issuer, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate, List<(string Serial, DateTimeOffset Date, int? Reason)> Entries, BigInteger Number, byte[] AuthorityKeyId);

    public static Crl ReadCrl(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var list = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var tbs = list.ReadSequence();
        var signature = list.ReadSequence().ReadObjectIdentifier();
        var version = (int)tbs.ReadInteger();
        Assert.Equal(signature, tbs.ReadSequence().ReadObjectIdentifier());
        var issuer = tbs.ReadEncodedValue().ToArray();
        var thisUpdate = tbs.ReadUtcTime();
        var nextUpdate = tbs.ReadUtcTime();
        var entries = new List<(string, DateTimeOffset, int?)>();
        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var revoked = tbs.ReadSequence();
            while (revoked.HasData)
            {
                var entry = revoked.ReadSequence();
                var serial = Convert.ToHexString(entry.ReadIntegerBytes().Span);
                var date = entry.ReadUtcTime();
                int? reason = null;
                if (entry.HasData)
                {
                    var extensions = entry.ReadSequence();
                    while (extensions.HasData)
                    {
                        var extension = extensions.ReadSequence();
                        var oid = extension.ReadObjectIdentifier();
                        var value = extension.ReadOctetString();
                        if (oid == "2.5.29.21")
                        {
                            reason = (int)new AsnReader(value, AsnEncodingRules.DER).ReadEnumeratedValue<X509RevocationReason>();
                        }
                    }
                }

                entries.Add((serial, date, reason));
            }
        }

        BigInteger number = -1;
        byte[] aki = [];
        var crlExtensions = tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
        while (crlExtensions.HasData)
        {
            var extension = crlExtensions.ReadSequence();
            var oid = extension.ReadObjectIdentifier();
            if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
            {
                extension.ReadBoolean();
            }

            var value = extension.ReadOctetString();
            if (oid == "2.5.29.20")
            {
                number = new AsnReader(value, AsnEncodingRules.DER).ReadInteger();
            }
            else if (oid == "2.5.29.35")
            {
                aki = new AsnReader(value, AsnEncodingRules.DER).ReadSequence().ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 0));
            }
        }

        return new Crl(version, signature, issuer, thisUpdate, nextUpdate, entries, number, aki);
    }
}
