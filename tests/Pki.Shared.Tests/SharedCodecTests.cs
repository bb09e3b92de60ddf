using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Pki.Tests.SharedSource;

public class IdnNameTests
{
    [Theory]
    [InlineData("Bücher.Example", "xn--bcher-kva.example")]
    [InlineData("bücher.example.", "xn--bcher-kva.example")]
    [InlineData("  WWW.Example.COM ", "www.example.com")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("_acme-challenge.Example.com", "_acme-challenge.example.com")] // STD3 off: underscore labels pass
    [InlineData("_kt._tcp.bücher.example", "_kt._tcp.xn--bcher-kva.example")]
    public void Names_become_lower_case_a_labels_the_same_way_everywhere(string input, string expected)
    {
        Assert.Equal(expected, IdnName.ToAscii(input));
        Assert.True(IdnName.TryToAscii(input, out var ascii));
        Assert.Equal(expected, ascii);
    }

    [Fact]
    public void Upper_case_u_labels_map_to_the_same_a_label() =>
        Assert.Equal(IdnName.ToAscii("école.example"), IdnName.ToAscii("ÉCOLE.EXAMPLE"));

    [Fact]
    public void Ascii_lower_casing_ignores_the_current_culture()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("tr-TR");
            Assert.Equal("mail.example.io", IdnName.ToAscii("MAIL.EXAMPLE.IO"));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    [Theory]
    [InlineData("bad\u0378label.example")] // unassigned code point: refused
    [InlineData("a..b.ü")]
    public void Invalid_names_are_refused(string input)
    {
        Assert.ThrowsAny<ArgumentException>(() => IdnName.ToAscii(input));
        Assert.False(IdnName.TryToAscii(input, out _));
    }

    [Fact]
    public void A_labels_decode_to_u_labels()
    {
        Assert.Equal("bücher.example", IdnName.ToUnicode("xn--bcher-kva.example"));
        Assert.False(IdnName.TryToUnicode("xn--zz-.example", out _));
    }
}

public class ReverseDnsNameTests
{
    [Theory]
    [InlineData("192.0.2.1", "1.2.0.192.in-addr.arpa")]
    [InlineData("10.0.0.255", "255.0.0.10.in-addr.arpa")]
    [InlineData("2001:db8::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")] // RFC 3596 section 2.5 layout
    [InlineData("::ffff:192.0.2.1", "1.0.2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa")]
    public void Addresses_map_to_their_reverse_names(string address, string expected) =>
        Assert.Equal(expected, ReverseDnsName.For(IPAddress.Parse(address)));
}

public class PrivateKeyCodecTests
{
    [Fact]
    public void Ec_and_rsa_keys_round_trip_through_pem()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = PrivateKeyCodec.ExportPem(ec);
        Assert.All(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)), line => Assert.True(line.Length <= 64));
        using var ecBack = Assert.IsAssignableFrom<ECDsa>(PrivateKeyCodec.ImportPem(pem));
        Assert.Equal(ec.ExportParameters(false).Q.X, ecBack.ExportParameters(false).Q.X);

        using var rsa = RSA.Create(2048);
        using var rsaBack = Assert.IsAssignableFrom<RSA>(PrivateKeyCodec.ImportPem(PrivateKeyCodec.ExportPem(rsa)));
        Assert.Equal(rsa.ExportParameters(false).Modulus, rsaBack.ExportParameters(false).Modulus);
        Assert.Equal(PrivateKeyCodec.RsaEncryptionOid, PrivateKeyCodec.ReadAlgorithm(rsa.ExportPkcs8PrivateKey()));
    }

    [Fact]
    public void Ed25519_is_named_not_misread()
    {
        // RFC 8410 section 10.3 example private key.
        var der = Convert.FromBase64String("MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC");
        Assert.Equal(PrivateKeyCodec.Ed25519Oid, PrivateKeyCodec.ReadAlgorithm(der));
        var ex = Assert.Throws<PrivateKeyFormatException>(() => PrivateKeyCodec.ImportEcOrRsa(der));
        Assert.Contains("Ed25519", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_trailing_data_and_wrong_block_counts_are_typed_errors_without_key_material()
    {
        Assert.Throws<PrivateKeyFormatException>(() => PrivateKeyCodec.ReadAlgorithm([0x30, 0x03, 0x02, 0x01]));
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var der = ec.ExportPkcs8PrivateKey();
        var trailing = der.Concat(new byte[] { 0x00 }).ToArray();
        Assert.Throws<PrivateKeyFormatException>(() => PrivateKeyCodec.ReadAlgorithm(trailing));

        var pem = PrivateKeyCodec.ExportPem(ec);
        var two = Assert.Throws<PrivateKeyFormatException>(() => PrivateKeyCodec.ImportPem(pem + pem));
        Assert.Contains("found 2", two.Message, StringComparison.Ordinal);
        Assert.Throws<PrivateKeyFormatException>(() => PrivateKeyCodec.ImportPem("no key here"));

        var truncated = pem.Substring(0, pem.IndexOf("-----END", StringComparison.Ordinal));
        var missingEnd = Assert.Throws<PrivateKeyFormatException>(() => PrivateKeyCodec.ImportPem(truncated));
        var body = pem.Split('\n')[1];
        Assert.DoesNotContain(body, missingEnd.Message, StringComparison.Ordinal);

        // A PKCS#8 envelope around a broken EC key: the platform refuses it, the message stays clean.
        var broken = (byte[])der.Clone();
        broken[^5] ^= 0xFF;
        broken[^40] ^= 0xFF;
        var refused = Record.Exception(() => PrivateKeyCodec.ImportEcOrRsa(broken)?.Dispose());
        if (refused is not null)
        {
            Assert.IsType<PrivateKeyFormatException>(refused);
            Assert.DoesNotContain(Convert.ToBase64String(der), refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Unsupported_algorithms_are_named()
    {
        // PrivateKeyInfo { 0, { 1.2.3.4 }, OCTET STRING {} }
        byte[] der = [0x30, 0x0B, 0x02, 0x01, 0x00, 0x30, 0x04, 0x06, 0x02, 0x2A, 0x03, 0x04, 0x00];
        var ex = Assert.Throws<PrivateKeyFormatException>(() => PrivateKeyCodec.ImportEcOrRsa(der));
        Assert.Contains("1.2.3", ex.Message, StringComparison.Ordinal);
    }
}

public class PemCodecTests
{
    [Fact]
    public void Output_uses_64_column_lines_and_parsing_is_strict()
    {
        var data = Enumerable.Range(0, 200).Select(i => (byte)i).ToArray();
        var pem = PemCodec.Encode("CERTIFICATE", data);
        var lines = pem.TrimEnd('\n').Split('\n');
        Assert.Equal("-----BEGIN CERTIFICATE-----", lines[0]);
        Assert.All(lines[1..^2], line => Assert.Equal(64, line.Length));
        Assert.Equal(data, Assert.Single(PemCodec.DecodeAll(pem, "CERTIFICATE")));

        var noEnd = Assert.Throws<PemFormatException>(() => PemCodec.DecodeAll(pem.Replace("-----END CERTIFICATE-----", string.Empty, StringComparison.Ordinal), "CERTIFICATE"));
        Assert.True(noEnd.MissingEnd);
        var badBase64 = Assert.Throws<PemFormatException>(() => PemCodec.DecodeAll("-----BEGIN X-----\n!!!!\n-----END X-----\n", "X"));
        Assert.False(badBase64.MissingEnd);
        Assert.True(PemCodec.LooksLikePem(Encoding.ASCII.GetBytes("\n" + pem)));
    }
}

public class BoundedHttpBodyTests
{
    [Fact]
    public async Task A_body_within_the_limit_is_read_whole()
    {
        using var content = new ByteArrayContent(new byte[5000]);
        Assert.Equal(5000, (await BoundedHttpBody.ReadAsync(content, 5000, default)).Length);
    }

    [Fact]
    public async Task A_declared_length_over_the_limit_is_refused_before_reading()
    {
        using var content = new ByteArrayContent(new byte[5001]);
        var ex = await Assert.ThrowsAsync<ResponseTooLargeException>(() => BoundedHttpBody.ReadAsync(content, 5000, default));
        Assert.Equal("declares 5001 bytes; the limit is 5000", ex.Message);
    }

    [Fact]
    public async Task An_undeclared_body_over_the_limit_is_refused_while_reading()
    {
        using var content = new StreamContent(new MemoryStream(new byte[40_000]));
        content.Headers.ContentLength = null;
        var ex = await Assert.ThrowsAsync<ResponseTooLargeException>(() => BoundedHttpBody.ReadAsync(content, 20_000, default));
        Assert.Equal("is larger than the limit of 20000 bytes", ex.Message);
    }
}
