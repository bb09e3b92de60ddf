namespace Pki.Caa.Tests;

public sealed class ZoneTests
{
    [Fact]
    public async Task Reads_master_file_syntax()
    {
        var zone = CaaZone.Parse("""
            ; comment line
            $TTL 1h
            @   IN  SOA ns1 hostmaster (
                        1      ; serial
                        3600 600 86400
                        45 )
            @          CAA 0 issue "ca.example" ; trailing comment
                       CAA 0 iodef "mailto:x@example.test"
            www   2m IN CAA 0 issue "www.example"
            *.w        CAA 0 issue "wild.example"
            """, "Example.TEST.");

        var resolver = new InMemoryCaaResolver(zone);
        var apex = await resolver.QueryCaaAsync("example.test", default);
        var www = await resolver.QueryCaaAsync("WWW.example.test.", default);
        var wild = await resolver.QueryCaaAsync("any.w.example.test", default);
        var missing = await resolver.QueryCaaAsync("missing.example.test", default);

        Assert.Equal("example.test", zone.Origin);
        Assert.Equal(45u, zone.NegativeTtl);
        Assert.Equal(2, apex.Records.Count);
        Assert.Equal(TimeSpan.FromHours(1), apex.TimeToLive);
        Assert.Equal(TimeSpan.FromMinutes(2), www.TimeToLive);
        Assert.Equal("wild.example", Assert.Single(wild.Records).Value);
        Assert.Equal(CaaQueryStatus.NameError, missing.Status);
        Assert.Equal(TimeSpan.FromSeconds(45), missing.TimeToLive);
        Assert.Contains("www.example.test", zone.CaaOwners);
    }

    [Fact]
    public async Task A_zone_of_absolute_names_needs_no_origin()
    {
        // RFC 1035 section 5.1: $ORIGIN only matters for relative names.
        var withSoa = CaaZone.Parse("""
            www.example.test.  300 IN CAA 0 issue "www.example"
            example.test.      IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 45
            example.test.      IN CAA 0 issue "ca.example"
            *.w.example.test.  IN CAA 0 issue "wild.example"
            """);
        var withoutSoa = CaaZone.Parse("""
            a.example.test. CAA 0 issue "a.example"
            *.b.example.test. CAA 0 issue "b.example"
            """);

        var resolver = new InMemoryCaaResolver(withSoa);
        var www = await resolver.QueryCaaAsync("www.example.test", default);
        var wild = await resolver.QueryCaaAsync("x.w.example.test", default);
        var missing = await resolver.QueryCaaAsync("missing.example.test", default);

        Assert.Equal("example.test", withSoa.Origin);
        Assert.Equal(45u, withSoa.NegativeTtl);
        Assert.Equal("www.example", Assert.Single(www.Records).Value);
        Assert.Equal("wild.example", Assert.Single(wild.Records).Value);
        Assert.Equal(CaaQueryStatus.NameError, missing.Status);
        Assert.Equal("example.test", withoutSoa.Origin);
        Assert.Equal("b.example", Assert.Single((await new InMemoryCaaResolver(withoutSoa).QueryCaaAsync("y.b.example.test", default)).Records).Value);
        var single = await InMemoryCaaResolver.FromZoneText("example.test. CAA 0 issue \"x\"").QueryCaaAsync("example.test", default);
        Assert.Equal("x", Assert.Single(single.Records).Value);
    }

    [Theory]
    [InlineData("www CAA 0 issue \"x\"", null, "Zone line 1 ('www CAA 0 issue \"x\"'): the name 'www' is relative but no origin is known: pass one to Parse, start the text with $ORIGIN, or write it absolute ('www.')")]
    [InlineData("example.test. SOA ns1 h 1 2 3 4 5\nwww CAA 0 issue \"x\"", null, "Zone line 2 ('www CAA 0 issue \"x\"'): the name 'www' is relative but no origin is known")]
    [InlineData("example.test. A 1.2.3.4\n@ CAA 0 issue \"x\"", null, "Zone line 2 ('@ CAA 0 issue \"x\"'): '@' used before any origin is known")]
    [InlineData("example.test. A 1.2.3.4\nwww.example.test. CNAME target", null, "Zone line 2 ('www.example.test. CNAME target'): the name 'target' is relative")]
    [InlineData("sub.example.test. SOA ns1.example.test. h.example.test. 1 2 3 4 5\nexample.test. CAA 0 issue \"x\"", null, "Zone line 2 ('example.test. CAA 0 issue \"x\"'): the owner 'example.test' is outside the zone 'sub.example.test'")]
    [InlineData("example.test. CAA 0 issue \"x\"\nexample.other. CAA 0 issue \"x\"", null, "owner names share no parent domain")]
    [InlineData("$ORIGIN example.test.\nwww CAA 0 issue", null, "Zone line 2 ('www CAA 0 issue'):")]
    [InlineData("$ORIGIN example.test.\nwww CAA 0 issue \"x", null, "Zone line 2 ('www CAA 0 issue \"x'): Unterminated quoted string")]
    [InlineData("$ORIGIN example.test.\nwww CAA 0 issue \"x\nwww A 1.2.3.4", null, "a quoted string runs past the end of the line")]
    [InlineData("$ORIGIN example.test.\nwww CAA 300 issue \"x\"", null, "Zone line 2")]
    [InlineData("$ORIGIN example.test.\nwww.other. CAA 0 issue \"x\"", null, "the owner 'www.other' is outside the zone 'example.test'")]
    [InlineData("$ORIGIN example.test.\nwww 1x CAA 0 issue \"x\"", null, "the TTL '1x' has the unknown unit 'x'")]
    [InlineData("$ORIGIN example.test.\nwww CH CAA 0 issue \"x\"", null, "class CH is not supported")]
    [InlineData("$ORIGIN example.test.\nwww 300", null, "no record type")]
    [InlineData("$ORIGIN example.test.\n CAA 0 issue \"x\"", null, "no owner name came before it")]
    [InlineData("$INCLUDE other.zone", "example.test", "the directive '$INCLUDE' is not supported")]
    [InlineData("$ORIGIN example.test\n", null, "must be absolute")]
    [InlineData("$ORIGIN example.test.\nwww CNAME a\nwww CNAME b", null, "has a second CNAME")]
    [InlineData("$ORIGIN example.test.\nwww CNAME a\nwww CAA 0 issue \"x\"", null, "has a CNAME and other data")]
    [InlineData("$ORIGIN example.test.\nwww CNAME a b", null, "expected exactly one target name")]
    [InlineData("$ORIGIN example.test.\n@ SOA a b 1 2 3", null, "an SOA record needs 7 fields")]
    [InlineData("$ORIGIN example.test.\n@ SOA ( a b 1 2 3 4 5", null, "'(' is never closed")]
    [InlineData("$ORIGIN example.test.\n@ A 1.2.3.4 )", null, "')' without '('")]
    [InlineData("$ORIGIN example.test.\nex ample CAA 0 issue \"x\"", null, "unknown record type 'ample'")]
    [InlineData("$ORIGIN example.test.\nx TYPE257 \\# 2 8000", null, "Zone line 2 ('x TYPE257 \\# 2 8000'): CAA RDATA has tag length 0")]
    [InlineData("$ORIGIN example.test.\nb_d! A 1.2.3.4", null, "character '!' at position 3")]
    [InlineData("", null, "sets no origin")]
    public void Refuses_broken_zone_text_naming_the_line(string text, string? origin, string message)
    {
        var ex = Assert.Throws<CaaFormatException>(() => CaaZone.Parse(text, origin));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_failure_zone_and_names_outside_all_zones_fail()
    {
        var resolver = new InMemoryCaaResolver(CaaZone.Parse("$ORIGIN a.test.\n@ CAA 0 issue \"x\""), CaaZone.ServerFailure("b.test"));

        Assert.Equal(CaaQueryStatus.ServerFailure, (await resolver.QueryCaaAsync("www.b.test", default)).Status);
        Assert.Equal(CaaQueryStatus.Refused, (await resolver.QueryCaaAsync("c.test", default)).Status);
        Assert.Throws<ArgumentException>(() => new InMemoryCaaResolver(CaaZone.ServerFailure("b.test"), CaaZone.ServerFailure("B.test.")));
    }
}
