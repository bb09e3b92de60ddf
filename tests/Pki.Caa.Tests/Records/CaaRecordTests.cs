using DnsClient;
using DnsClient.Protocol;

namespace Pki.Caa.Tests;

public sealed class CaaRecordTests
{
    [Fact]
    public void Reads_and_writes_the_wire_format()
    {
        byte[] rdata = [0x80, 0x05, (byte)'i', (byte)'s', (byte)'s', (byte)'u', (byte)'e', (byte)'c', (byte)'a', (byte)'.', (byte)'x'];

        var record = CaaRecord.ReadRdata(rdata);

        Assert.Equal(new CaaRecord(128, "issue", "ca.x"), record);
        Assert.True(record.IsCritical);
        Assert.Equal(rdata, record.ToRdata());
        Assert.Equal(rdata.Length, record.RdataLength);
    }

    [Fact]
    public void TryWriteRdata_reports_a_short_buffer()
    {
        var record = new CaaRecord(0, "issue", "ca.example");

        Assert.False(record.TryWriteRdata(new byte[record.RdataLength - 1], out var written));
        Assert.Equal(0, written);
        Assert.True(record.TryWriteRdata(new byte[record.RdataLength + 4], out written));
        Assert.Equal(record.RdataLength, written);
    }

    [Theory]
    [InlineData(new byte[] { 0x00 }, "at least 3 are needed", 1)]
    [InlineData(new byte[] { 0x00, 0x00, 0x41 }, "tag length 0 at offset 1", 1)]
    [InlineData(new byte[] { 0x00, 0x09, 0x69, 0x73 }, "says the tag is 9 octets but only 2 follow", 2)]
    public void Broken_RDATA_is_a_CaaFormatException_with_the_offset(byte[] rdata, string message, int offset)
    {
        var ex = Assert.Throws<CaaFormatException>(() => CaaRecord.ReadRdata(rdata));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Equal(offset, ex.Offset);
        Assert.NotNull(ex.OffendingValue);
    }

    [Theory]
    [InlineData("0 issue \"ca.example\"", 0, "issue", "ca.example")]
    [InlineData("128 tbs \"Unknown\"", 128, "tbs", "Unknown")]
    [InlineData("0 issue ca.example", 0, "issue", "ca.example")]
    [InlineData("0 ISSUE \";\"", 0, "ISSUE", ";")]
    [InlineData("0 iodef \"mailto:a@b.example\"", 0, "iodef", "mailto:a@b.example")]
    [InlineData("0 issue \"ca.example;\\009accounturi=x\"", 0, "issue", "ca.example;\taccounturi=x")]
    [InlineData("0 issue \"a\\\"b\\\\c\"", 0, "issue", "a\"b\\c")]
    [InlineData("0 issue \"\"", 0, "issue", "")]
    [InlineData("\\# 6 80 03 66 6f 6f 78", 128, "foo", "x")]
    [InlineData("\\# 6 8003666F6F78", 128, "foo", "x")]
    [InlineData("  0   issue   \"ca.example\"   ; comment", 0, "issue", "ca.example")]
    public void Parses_presentation_text(string text, byte flags, string tag, string value)
    {
        Assert.Equal(new CaaRecord(flags, tag, value), CaaRecord.Parse(text));
    }

    [Theory]
    [InlineData("", "has no CAA RDATA")]
    [InlineData("256 issue \"x\"", "CAA flags '256'")]
    [InlineData("x issue \"x\"", "CAA flags 'x'")]
    [InlineData("0", "ends after the CAA flags")]
    [InlineData("0 issue", "has no CAA value after the tag 'issue'")]
    [InlineData("0 \"issue\" \"x\"", "must be a plain word")]
    [InlineData("0 issue ca example", "Unexpected text 'example' at offset 11")]
    [InlineData("0 issue \"ca.example", "Unterminated quoted string starting at offset 8")]
    [InlineData("0 issue \"\\256\"", "is above 255")]
    [InlineData("0 issue \"\\12\"", "must be \\DDD with three decimal digits")]
    [InlineData("0 issue x\"y\"", "Unexpected '\"' at offset 9")]
    [InlineData("0 issue \"ca\" \\", "ends with a lone '\\'")]
    [InlineData("\\# 5 80 03 66 6f 6f 78", "announces 5 octets but has 6 octets")]
    [InlineData("\\# x", "must be followed by the RDATA length")]
    [InlineData("\\# 1 zz", "'zz' in the generic RDATA")]
    [InlineData("\\# 2 8000", "tag length 0 at offset 1")]
    [InlineData("0 issue \"caf\u00e9\u2603\"", "Character U+2603 at offset 13")]
    public void Malformed_presentation_is_a_CaaFormatException_naming_the_text(string text, string message)
    {
        var ex = Assert.Throws<CaaFormatException>(() => CaaRecord.Parse(text));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.False(CaaRecord.TryParse(text, out var record));
        Assert.Null(record);
    }

    [Theory]
    [InlineData(0, "issue", "ca.example", "0 issue \"ca.example\"")]
    [InlineData(128, "tbs", "a\"b\\c\u0001\u00ff", "128 tbs \"a\\\"b\\\\c\\001\\255\"")]
    [InlineData(0, "a-b", "x", "0 a-b \"x\"")]
    [InlineData(0, "a b", "x", "\\# 6 000361206278")]
    public void Prints_presentation_text(byte flags, string tag, string value, string expected)
    {
        Assert.Equal(expected, new CaaRecord(flags, tag, value).ToPresentation());
    }

    [Fact]
    public void Invalid_records_cannot_be_constructed()
    {
        Assert.Contains("1 to 255 octets", Assert.Throws<CaaFormatException>(() => new CaaRecord(0, "", "x")).Message, StringComparison.Ordinal);
        Assert.Contains("1 to 255 octets", Assert.Throws<CaaFormatException>(() => new CaaRecord(0, new string('a', 256), "x")).Message, StringComparison.Ordinal);
        Assert.Contains("U+2603 at position 1", Assert.Throws<CaaFormatException>(() => new CaaRecord(0, "issue", "a\u2603")).Message, StringComparison.Ordinal);
        Assert.Contains("too long", Assert.Throws<CaaFormatException>(() => new CaaRecord(0, "issue", new string('a', 65530))).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new CaaRecord(0, null!, "x"));
    }

    [Theory]
    [InlineData("issue", true)]
    [InlineData("Issue9", true)]
    [InlineData("a-b", false)]
    [InlineData("is_sue", false)]
    public void Knows_well_formed_tags(string tag, bool wellFormed)
    {
        Assert.Equal(wellFormed, new CaaRecord(0, tag, string.Empty).HasWellFormedTag);
    }

    [Fact]
    public void Tag_matching_ignores_ASCII_case_only()
    {
        Assert.True(new CaaRecord(0, "IsSuEwIlD", "x").HasTag(CaaTags.IssueWild));
        Assert.False(CaaTags.IsKnown("\u0131ssue"));
        Assert.False(new CaaRecord(0, "issu\u00e9", "x").HasTag("issu\u00c9"));
        Assert.True(CaaTags.IsKnown("IODEF"));
        Assert.False(CaaTags.IsKnown("tbs"));
    }

    [Theory]
    [InlineData("ca.example; note=\\\"x\\\"", 27, "ca.example; note=\"x\"")]
    [InlineData("ca.example;\\009a=b", 22, "ca.example;\ta=b")]
    [InlineData("x=\\065", 13, "x=\\065")]
    [InlineData("\\001\\255", 9, "\u0001\u00ff")]
    [InlineData("\\001\\255", 15, "\\001\\255")]
    [InlineData("", 7, "")]
    public void Undoes_DnsClient_escaping_using_the_RDATA_length(string escaped, int rdataLength, string expected)
    {
        var record = CaaRecord.FromDnsClient(DnsClientCaa(0, "issue", escaped, rdataLength));

        Assert.Equal(expected, record.Value);
        Assert.Equal(rdataLength, record.RdataLength);
    }

    [Fact]
    public void DnsClient_values_that_do_not_fit_their_RDATA_length_are_refused()
    {
        var wrong = Assert.Throws<CaaFormatException>(() => CaaRecord.FromDnsClient(DnsClientCaa(0, "issue", "ca.example", 30)));
        var ambiguous = Assert.Throws<CaaFormatException>(() => CaaRecord.FromDnsClient(DnsClientCaa(0, "issue", "\\001\\002", 12)));
        var noTag = Assert.Throws<CaaFormatException>(() => CaaRecord.FromDnsClient(DnsClientCaa(0, "", "x", 3)));

        Assert.Contains("'ca.example'", wrong.Message, StringComparison.Ordinal);
        Assert.Contains("ambiguous", ambiguous.Message, StringComparison.Ordinal);
        Assert.Contains("empty tag", noTag.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Issuer_values_are_parsed_from_the_record()
    {
        var value = new CaaRecord(0, "issue", "ca.example; accounturi=https://ca.example/a/1").ParseIssuerValue();

        Assert.Equal("ca.example", value.IssuerDomainName);
        Assert.Equal("https://ca.example/a/1", Assert.Single(value.GetParameters("ACCOUNTURI")).Value);
        Assert.Equal([(byte)'x'], new CaaRecord(0, "issue", "x").GetValueBytes());
    }

    internal static DnsClient.Protocol.CaaRecord DnsClientCaa(byte flags, string tag, string value, int rdataLength) =>
        new(new ResourceRecordInfo("x.example.", ResourceRecordType.CAA, QueryClass.IN, 60, rdataLength), flags, tag, value);
}
