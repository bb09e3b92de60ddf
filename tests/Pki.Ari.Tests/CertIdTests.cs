using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Pki.Ari.Tests;

public sealed class CertIdTests
{
    [Fact]
    public void The_rfc9773_example_certid()
    {
        using var certificate = TestCertificates.Create(TestCertificates.Rfc9773KeyIdentifier, TestCertificates.Rfc9773Serial, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));

        var id = AriCertId.FromCertificate(certificate);

        Assert.Equal("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", id.Value);
        Assert.Equal(TestCertificates.Rfc9773Serial, id.SerialNumber.ToArray()); // the leading 00 is kept
        Assert.Equal(id, AriCertId.Parse("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"));
    }

    [Fact]
    public void A_certificate_without_aki_has_no_certid()
    {
        using var certificate = TestCertificates.Create(null, [0x01, 0x02], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var ex = Assert.Throws<AriException>(() => AriCertId.FromCertificate(certificate));
        Assert.Contains("has no Authority Key Identifier extension, so it has no RFC 9773 CertID", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CN=ari.example.test", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("30038005")] // keyIdentifier's length runs past the end
    [InlineData("0403010203")] // an OCTET STRING, not the AuthorityKeyIdentifier SEQUENCE
    [InlineData("30008000")] // trailing bytes after the SEQUENCE
    public void A_malformed_aki_extension_is_an_AriException(string extensionHex)
    {
        using var certificate = TestCertificates.Create(null, [0x01, 0x02], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1), new System.Security.Cryptography.X509Certificates.X509Extension("2.5.29.35", Convert.FromHexString(extensionHex), critical: false));

        var ex = Assert.Throws<AriException>(() => AriCertId.FromCertificate(certificate));
        Assert.Equal("Certificate 'CN=ari.example.test' has a malformed Authority Key Identifier extension.", ex.Message);
        Assert.IsType<System.Formats.Asn1.AsnContentException>(ex.InnerException);
        Assert.Throws<AriException>(() => AriCertId.FromDer(certificate.RawData));
    }

    [Fact]
    public void An_aki_without_a_key_identifier_has_no_certid()
    {
        // authorityCertSerialNumber [2] only.
        using var certificate = TestCertificates.Create(null, [0x01, 0x02], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1), new System.Security.Cryptography.X509Certificates.X509Extension("2.5.29.35", Convert.FromHexString("300382010A"), critical: false));

        var ex = Assert.Throws<AriException>(() => AriCertId.FromCertificate(certificate));
        Assert.Equal("Certificate 'CN=ari.example.test' has an Authority Key Identifier without a keyIdentifier, so it has no RFC 9773 CertID.", ex.Message);
    }

    [Fact]
    public void Bytes_that_are_not_a_certificate_are_refused()
    {
        var ex = Assert.Throws<AriException>(() => AriCertId.FromDer(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }));
        Assert.StartsWith("The data is not a DER X.509 certificate", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc", "expected two base64url parts joined by one '.'")]
    [InlineData("a.b.c", "expected two base64url parts joined by one '.'")]
    [InlineData(".AIdlQyE", "expected two base64url parts joined by one '.'")]
    [InlineData("aYhb.", "expected two base64url parts joined by one '.'")]
    [InlineData("aYhb=.AIdlQyE", "keyIdentifier part is not unpadded base64url")]
    [InlineData("aYhb.AI+lQyE", "serial number part is not unpadded base64url")]
    public void Malformed_certid_text_is_refused_naming_the_part(string text, string message)
    {
        var ex = Assert.Throws<AriException>(() => AriCertId.Parse(text));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Contains(text, ex.Message, StringComparison.Ordinal);
    }

    [Property(MaxTest = 300)]
    public Property CertId_text_round_trips(NonEmptyArray<byte> keyId, NonEmptyArray<byte> serial)
    {
        var text = System.Buffers.Text.Base64Url.EncodeToString(keyId.Get) + "." + System.Buffers.Text.Base64Url.EncodeToString(serial.Get);
        var parsed = AriCertId.Parse(text);
        return (parsed.Value == text
            && parsed.KeyIdentifier.Span.SequenceEqual(keyId.Get)
            && parsed.SerialNumber.Span.SequenceEqual(serial.Get)
            && AriCertId.Parse(parsed.ToString()) == parsed).ToProperty();
    }

    [Property(MaxTest = 30)]
    public Property Certificates_give_their_aki_and_der_serial(PositiveInt serialSeed, NonEmptyArray<byte> keyId)
    {
        // A positive serial whose top bit is set must carry a leading 00 octet in DER.
        var serial = BitConverter.GetBytes(serialSeed.Get | 0x40000000);
        Array.Reverse(serial);
        serial[0] |= 0x80;
        var der = new byte[] { 0x00 }.Concat(serial).ToArray();
        using var certificate = TestCertificates.Create(keyId.Get.Take(64).ToArray(), der, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var id = AriCertId.FromCertificate(certificate);
        return (id.KeyIdentifier.Span.SequenceEqual(keyId.Get.Take(64).ToArray()) && id.SerialNumber.Span.SequenceEqual(der)).ToProperty();
    }
}
