using System.Formats.Asn1;
using Pki.Smime.Internal;
using Pki.Smime.Linting;

namespace Pki.Smime.Tests;

/// <summary>
/// The one ASN.1 layer (System.Formats.Asn1 with DER rules) on the lint and signing paths: what it writes
/// BouncyCastle reads back, and DER violations in a certificate are refused with <see cref="SmimeFormatException"/>.
/// </summary>
public sealed class Asn1LayerTests
{
    [Theory]
    [InlineData("2.5.29.17")]
    [InlineData("1.2.840.113549.1.1.1")]
    [InlineData("1.3.6.1.4.1.52266.1")]
    [InlineData("2.999.3")]
    [InlineData("0.9.2342.19200300.100.1.1")]
    public void Extension_object_identifiers_read_like_bouncycastle(string oid)
    {
        var draft = Draft();
        draft.Extensions.Add(new DraftExtension(oid, false, [0x05, 0x00]));

        var parsed = ParsedCertificate.Parse(TestPki.Sign(draft));

        Assert.Equal(oid, parsed.Extensions[^1].Oid);
        Assert.Equal(new Org.BouncyCastle.Asn1.DerObjectIdentifier(oid).GetEncoded(), Oid(oid));
    }

    [Theory]
    [InlineData("0603551d8e")] // the last subidentifier is unfinished
    [InlineData("060355800e")] // a subidentifier with a leading 0x80 octet
    [InlineData("0600050100")] // empty
    public void Malformed_extension_object_identifiers_are_refused(string oidHex)
    {
        var certificate = ReplaceOnce(TestPki.Sign(Draft()), Oid(Oids.SubjectKeyIdentifier), Convert.FromHexString(oidHex));

        var ex = Assert.Throws<SmimeFormatException>(() => SmimeLinter.Lint(certificate));

        Assert.StartsWith($"The input ({certificate.Length} bytes) is not a DER X.509 certificate", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5, "3005")]
    [InlineData(127, "307f")]
    [InlineData(128, "308180")]
    [InlineData(300, "3082012c")]
    [InlineData(70000, "3083011170")]
    public void Lengths_use_the_shortest_form_and_read_back(int length, string header)
    {
        var draft = Draft();
        draft.Extensions.Add(new DraftExtension("1.2.3.4", false, new byte[length]));

        var der = TestPki.Sign(draft);

        // The extnValue OCTET STRING: tag 04, then the length octets of the expected header.
        byte[] octetString = [0x04, .. Convert.FromHexString(header).AsSpan(1), .. new byte[Math.Min(length, 8)]];
        Assert.True(der.AsSpan().IndexOf(octetString) > 0);
        Assert.Equal(length, ParsedCertificate.Parse(der).Extensions[^1].Value.Length);
        Assert.Equal(der, DerOfBouncyCastle(der));
    }

    [Theory]
    [InlineData("3080", "indefinite length")]
    [InlineData("30810100", "non-minimal length")]
    [InlineData("3005010203", "a length running past the end")]
    [InlineData("30", "a truncated header")]
    public void Non_der_encodings_are_refused(string hex, string problem)
    {
        var bytes = Convert.FromHexString(hex);

        var ex = Assert.Throws<SmimeFormatException>(() => SmimeLinter.Lint(bytes));

        Assert.True(ex.Message.StartsWith($"The input ({bytes.Length} bytes) is not a DER X.509 certificate", StringComparison.Ordinal), problem);
        Assert.IsType<AsnContentException>(ex.InnerException);
    }

    [Fact]
    public void A_non_minimal_length_inside_the_certificate_is_refused()
    {
        var certificate = TestPki.Sign(Draft());

        // The subjectKeyIdentifier OCTET STRING 04 16 <22 bytes> rewritten as 04 81 16: BER, not DER.
        var ski = ParsedCertificate.Parse(certificate).Extensions.Single(e => e.Oid == Oids.SubjectKeyIdentifier).Value;
        var broken = ReplaceOnce(certificate, [0x04, (byte)ski.Length, .. ski], [0x04, 0x81, (byte)ski.Length, .. ski]);

        Assert.Throws<SmimeFormatException>(() => SmimeLinter.Lint(broken));
    }

    [Fact]
    public void Bytes_after_the_certificate_are_refused()
    {
        var certificate = TestPki.Builder().Build(TestPki.Request(TestPki.StrictMailbox), TestPki.Ca).RawData.ToArray();

        var ex = Assert.Throws<SmimeFormatException>(() => SmimeLinter.Lint([.. certificate, 0x00]));

        Assert.Contains("1 bytes follow the certificate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_certificate_is_refused()
    {
        var certificate = TestPki.Builder().Build(TestPki.Request(TestPki.StrictMailbox), TestPki.Ca).RawData.ToArray();

        var ex = Assert.Throws<SmimeFormatException>(() => SmimeLinter.Lint(certificate.AsSpan(0, certificate.Length - 10)));

        Assert.StartsWith($"The input ({certificate.Length - 10} bytes) is not a DER X.509 certificate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Issued_certificates_are_byte_identical_when_bouncycastle_re_encodes_them()
    {
        foreach (var type in Enum.GetValues<SmimeValidationType>())
        {
            var der = TestPki.Builder().Build(TestPki.Request(new SmimeProfile(type, SmimeGeneration.Strict)), TestPki.Ca).RawData.ToArray();

            var reencoded = DerOfBouncyCastle(der);

            Assert.Equal(der, reencoded);
        }
    }

    private static CertificateDraft Draft() => TestPki.Builder().CreateDraft(TestPki.Request(TestPki.StrictMailbox), TestPki.Ca);

    private static byte[] Oid(string oid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(oid);
        return writer.Encode();
    }

    private static byte[] DerOfBouncyCastle(byte[] der) =>
        Org.BouncyCastle.Asn1.Asn1Object.FromByteArray(der).GetEncoded(Org.BouncyCastle.Asn1.Asn1Encodable.Der);

    /// <summary>Replaces the only occurrence of <paramref name="find"/>, fixing no outer lengths (same-length edits keep every outer length right).</summary>
    private static byte[] ReplaceOnce(byte[] data, byte[] find, byte[] replacement)
    {
        var index = data.AsSpan().IndexOf(find);
        Assert.True(index >= 0);
        Assert.Equal(-1, data.AsSpan(index + 1).IndexOf(find));
        return [.. data.AsSpan(0, index), .. replacement, .. data.AsSpan(index + find.Length)];
    }
}
