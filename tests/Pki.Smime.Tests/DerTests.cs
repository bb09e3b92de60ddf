using Pki.Smime.Internal;

namespace Pki.Smime.Tests;

/// <summary>The small DER reader and writer on the lint and signing paths, cross-checked with BouncyCastle.</summary>
public sealed class DerTests
{
    [Theory]
    [InlineData("2.5.29.17")]
    [InlineData("1.2.840.113549.1.1.1")]
    [InlineData("1.3.6.1.4.1.52266.1")]
    [InlineData("2.999.3")]
    [InlineData("0.9.2342.19200300.100.1.1")]
    public void Object_identifiers_decode_like_bouncycastle(string oid)
    {
        var encoded = new Org.BouncyCastle.Asn1.DerObjectIdentifier(oid).GetEncoded();

        Assert.Equal(oid, DerReader.ObjectIdentifier(encoded.AsSpan(2)));
    }

    [Theory]
    [InlineData(new byte[] { 0x55, 0x80 })]
    [InlineData(new byte[] { 0x80, 0x01 })]
    [InlineData(new byte[0])]
    public void Malformed_object_identifiers_are_refused(byte[] contents)
    {
        Assert.Throws<FormatException>(() => DerReader.ObjectIdentifier(contents));
    }

    [Theory]
    [InlineData(5, "3005")]
    [InlineData(127, "307f")]
    [InlineData(128, "308180")]
    [InlineData(300, "3082012c")]
    [InlineData(70000, "3083011170")]
    public void Lengths_use_the_shortest_form(int length, string header)
    {
        var wrapped = DerWriter.Wrap(DerWriter.Sequence, new byte[length]);

        Assert.Equal(Convert.FromHexString(header), wrapped.AsSpan(0, header.Length / 2).ToArray());
        Assert.Equal(length + (header.Length / 2), wrapped.Length);
        var element = DerReader.Read(wrapped, 0, wrapped.Length);
        Assert.Equal(length, element.ContentLength);
    }

    [Theory]
    [InlineData("3080", "indefinite")]
    [InlineData("30810100", "non-minimal")]
    [InlineData("3005010203", "runs past the end")]
    [InlineData("30", "truncated")]
    public void Non_der_lengths_are_refused(string hex, string problem)
    {
        var bytes = Convert.FromHexString(hex);

        var ex = Assert.Throws<FormatException>(() => DerReader.Read(bytes, 0, bytes.Length));

        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
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
}
