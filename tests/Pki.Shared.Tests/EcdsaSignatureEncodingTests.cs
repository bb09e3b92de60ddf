using System.Security.Cryptography;

namespace Pki.Tests.SharedSource;

/// <summary>The netstandard2.1 ECDSA signature conversions Pki.Acme (verify) and Pki.Smime (sign) share.</summary>
public sealed class EcdsaSignatureEncodingTests
{
    [Theory]
    [InlineData(256)]
    [InlineData(384)]
    [InlineData(521)]
    public void Both_directions_agree_with_dotnet_and_round_trip(int bits)
    {
        using var key = ECDsa.Create(bits switch { 256 => ECCurve.NamedCurves.nistP256, 384 => ECCurve.NamedCurves.nistP384, _ => ECCurve.NamedCurves.nistP521 });
        var fieldSize = (bits + 7) / 8;
        byte[] data = [1, 2, 3];
        for (var i = 0; i < 32; i++)
        {
            var p1363 = key.SignData(data, HashAlgorithmName.SHA256);
            var der = EcdsaSignatureEncoding.ToDer(p1363);
            Assert.True(key.VerifyData(data, der, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
            Assert.Equal(p1363, EcdsaSignatureEncoding.ToP1363(der, fieldSize));

            var fromDotnet = key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            Assert.True(key.VerifyData(data, EcdsaSignatureEncoding.ToP1363(fromDotnet, fieldSize)!, HashAlgorithmName.SHA256));
        }
    }

    [Fact]
    public void Small_integers_are_minimal_in_der_and_padded_in_p1363()
    {
        var p1363 = new byte[64];
        p1363[31] = 0x05;
        p1363[32] = 0x80; // s needs a leading zero octet in DER
        var der = EcdsaSignatureEncoding.ToDer(p1363);
        Assert.Equal(new byte[] { 0x30, 0x26, 0x02, 0x01, 0x05, 0x02, 0x21, 0x00, 0x80 }, der[..9]);
        Assert.Equal(p1363, EcdsaSignatureEncoding.ToP1363(der, 32));
    }

    [Fact]
    public void Negative_or_oversized_integers_give_null_and_non_der_throws()
    {
        Assert.Null(EcdsaSignatureEncoding.ToP1363(new byte[] { 0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x01 }, 32));
        var tooLong = EcdsaSignatureEncoding.ToDer(Enumerable.Repeat((byte)0x7F, 66).ToArray());
        Assert.Null(EcdsaSignatureEncoding.ToP1363(tooLong, 32));
        Assert.Throws<System.Formats.Asn1.AsnContentException>(() => EcdsaSignatureEncoding.ToP1363(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01, 0x00 }, 32));
    }
}
