namespace Pki.Caa.Tests;

public sealed class CaaIssuerValueTests
{
    [Theory]
    [InlineData("ca.example", "ca.example", "")]
    [InlineData(";", null, "")]
    [InlineData("", null, "")]
    [InlineData("  ca.example  ", "ca.example", "")]
    [InlineData("ca.example;", "ca.example", "")]
    [InlineData("ca.example ; ", "ca.example", "")]
    [InlineData("ca.example; a=b", "ca.example", "a=b")]
    [InlineData("ca.example;a=b;c=d", "ca.example", "a=b|c=d")]
    [InlineData("ca.example;\ta = b ;\tc=", "ca.example", "a=b|c=")]
    [InlineData("; a=b", null, "a=b")]
    [InlineData("ca.example; accounturi=https://ca.example/acct/1?x=y", "ca.example", "accounturi=https://ca.example/acct/1?x=y")]
    [InlineData("ca-1.ex--ample; v-1=\"q\"", "ca-1.ex--ample", "v-1=\"q\"")]
    [InlineData("CA.Example", "CA.Example", "")]
    public void Parses_well_formed_values(string text, string? issuer, string parameters)
    {
        var value = CaaIssuerValue.Parse(text);

        Assert.False(value.IsMalformed, value.MalformedReason);
        Assert.Equal(issuer, value.IssuerDomainName);
        Assert.Equal(parameters, string.Join("|", value.Parameters.Select(p => p.ToString())));
    }

    [Theory]
    [InlineData("%%%%%", 0)]
    [InlineData("ca.example.", 0)]
    [InlineData("-ca.example", 0)]
    [InlineData("ca-.example", 0)]
    [InlineData("ca..example", 0)]
    [InlineData("ca.example x=y", 11)]
    [InlineData("ca.example; accounturi", 22)]
    [InlineData("ca.example; a=b;", 16)]
    [InlineData("ca.example; a=b c=d", 16)]
    [InlineData("ca.example; -a=b", 12)]
    [InlineData("ca.example; a=\u00e9", 14)]
    [InlineData("ca_x.example", 2)]
    [InlineData("ca.example;;", 11)]
    public void Malformed_values_name_no_issuer_and_say_where(string text, int offset)
    {
        var value = CaaIssuerValue.Parse(text);

        Assert.True(value.IsMalformed);
        Assert.Null(value.IssuerDomainName);
        Assert.Empty(value.Parameters);
        Assert.Contains($"at offset {offset}", value.MalformedReason, StringComparison.Ordinal);
        Assert.Equal(";", value.ToString());
    }

    [Theory]
    [InlineData("ca.example", "ca.example")]
    [InlineData(";", ";")]
    [InlineData("  ca.example ;a=b;  c=d ", "ca.example; a=b; c=d")]
    [InlineData(";a=b", "; a=b")]
    public void Prints_the_canonical_form(string text, string canonical)
    {
        Assert.Equal(canonical, CaaIssuerValue.Parse(text).ToString());
    }

    [Fact]
    public void Constructor_refuses_what_the_grammar_refuses()
    {
        Assert.Contains("'ca example'", Assert.Throws<CaaFormatException>(() => new CaaIssuerValue("ca example")).Message, StringComparison.Ordinal);
        Assert.Contains("'a_b'", Assert.Throws<CaaFormatException>(() => new CaaParameter("a_b", "x")).Message, StringComparison.Ordinal);
        Assert.Contains("';' (U+003B) at position 1", Assert.Throws<CaaFormatException>(() => new CaaParameter("a", "x;y")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new CaaIssuerValue("ca.example", [null!]));
    }

    [Fact]
    public void Values_compare_by_content()
    {
        var a = new CaaIssuerValue("ca.example", [new CaaParameter("a", "b")]);
        var b = CaaIssuerValue.Parse("ca.example; a=b");

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, CaaIssuerValue.Parse("ca.example; a=c"));
        Assert.NotEqual(CaaIssuerValue.Parse(";"), CaaIssuerValue.Parse("%"));
    }

    [Theory]
    [InlineData("mailto:security@example.com")]
    [InlineData("https://report.example.com/caa")]
    [InlineData("http://report.example.com/")]
    public void Reads_iodef_urls(string url)
    {
        Assert.Equal(url, CaaIodef.Parse(url).OriginalString);
    }

    [Theory]
    [InlineData("ftp://example.com/x", "uses the scheme 'ftp'")]
    [InlineData("not a url", "is not an absolute URL")]
    [InlineData("mailto:", "without a mailbox")]
    [InlineData("mailto:security", "without a mailbox")]
    public void Refuses_other_iodef_values(string url, string message)
    {
        var ex = Assert.Throws<CaaFormatException>(() => CaaIodef.Parse(url));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Contains(url, ex.Message, StringComparison.Ordinal);
        Assert.False(CaaIodef.TryParse(url, out _));
    }
}
