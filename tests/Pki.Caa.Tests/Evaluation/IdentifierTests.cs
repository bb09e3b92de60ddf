using System.Net;

namespace Pki.Caa.Tests;

public sealed class IdentifierTests
{
    [Theory]
    [InlineData("Example.COM.", CaaIdentifierKind.DnsName, "example.com", "example.com")]
    [InlineData("*.Example.com", CaaIdentifierKind.WildcardDnsName, "*.example.com", "example.com")]
    [InlineData("bücher.example", CaaIdentifierKind.DnsName, "xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("_acme.example.com", CaaIdentifierKind.DnsName, "_acme.example.com", "_acme.example.com")]
    [InlineData("user@Bücher.Example", CaaIdentifierKind.EmailAddress, "user@xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("\"a@b\"@example.com", CaaIdentifierKind.EmailAddress, "\"a@b\"@example.com", "example.com")]
    [InlineData("192.0.2.1", CaaIdentifierKind.IPAddress, "192.0.2.1", "1.2.0.192.in-addr.arpa")]
    [InlineData("2001:db8::1", CaaIdentifierKind.IPAddress, "2001:db8::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")]
    [InlineData("1.2.3", CaaIdentifierKind.DnsName, "1.2.3", "1.2.3")]
    public void Parses_and_normalises_identifiers(string text, CaaIdentifierKind kind, string value, string lookup)
    {
        var identifier = CaaIdentifier.Parse(text);

        Assert.Equal(kind, identifier.Kind);
        Assert.Equal(value, identifier.Value);
        Assert.Equal(lookup, identifier.LookupName);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("exa mple.com", "character ' ' at position 3")]
    [InlineData("a..b", "empty label at position 2")]
    [InlineData("-a.example", "starts or ends with '-'")]
    [InlineData("foo.*.example", "has '*' outside a leading '*.' label")]
    [InlineData("*.*.example", "may have '*' only as its whole leftmost label")]
    [InlineData("@example.com", "is not an email address")]
    [InlineData("user@", "is not an email address")]
    [InlineData("user@exa_mple.com", "character '_' at position 3")]
    public void Refuses_malformed_identifiers_naming_them(string text, string message)
    {
        var ex = Assert.Throws<CaaFormatException>(() => CaaIdentifier.Parse(text));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{text}'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bücher.Example.", "xn--bcher-kva.example")]
    [InlineData(" *.bücher.example ", "xn--bcher-kva.example")]
    [InlineData("user@Bücher.Example.", "xn--bcher-kva.example")]
    public void Converts_U_labels_to_A_labels_without_the_root_dot(string text, string lookup)
    {
        Assert.Equal(lookup, CaaIdentifier.Parse(text).LookupName);
    }

    [Theory]
    [InlineData("a\u0378.example")]
    [InlineData("bücher..example")]
    public void Refuses_invalid_internationalized_names_naming_them(string escaped)
    {
        var text = System.Text.RegularExpressions.Regex.Unescape(escaped);

        var ex = Assert.Throws<CaaFormatException>(() => CaaIdentifier.Dns(text));

        Assert.StartsWith($"The DNS name '{text}' is not a valid internationalized domain name: ", ex.Message, StringComparison.Ordinal);
        Assert.Equal(text, ex.OffendingValue);
        Assert.Equal(0, ex.Offset);
    }

    [Fact]
    public async Task Refuses_null_and_blank_arguments_naming_the_parameter()
    {
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => CaaIdentifier.Dns(null!)).ParamName);
        Assert.Equal("address", Assert.Throws<ArgumentNullException>(() => CaaIdentifier.Ip(null!)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => new CaaCheck(null!, "ca.example")).ParamName);
        Assert.Equal("issuerDomainName", Assert.Throws<ArgumentNullException>(() => new CaaCheck("example.com", (string)null!)).ParamName);
        Assert.Equal("tag", Assert.Throws<ArgumentNullException>(() => new CaaRecord(0, "issue", "ca.example").HasTag(null!)).ParamName);
        Assert.Equal("rdata", Assert.Throws<ArgumentNullException>(() => CaaRecord.ReadRdata((byte[])null!)).ParamName);
        var resolver = new InMemoryCaaResolver(CaaZone.ServerFailure("example.test"));
        Assert.Equal("name", (await Assert.ThrowsAsync<ArgumentException>(() => resolver.QueryCaaAsync(" ", CancellationToken.None))).ParamName);
        Assert.Equal("name", (await Assert.ThrowsAsync<ArgumentNullException>(() => resolver.QueryCaaAsync(null!, CancellationToken.None))).ParamName);
    }

    [Fact]
    public void Refuses_overlong_names_and_labels()
    {
        Assert.Contains("limit is 63", Assert.Throws<CaaFormatException>(() => CaaIdentifier.Dns(new string('a', 64) + ".example")).Message, StringComparison.Ordinal);
        Assert.Contains("limit is 253", Assert.Throws<CaaFormatException>(() => CaaIdentifier.Dns(string.Join(".", Enumerable.Repeat(new string('a', 60), 5)))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Checks_validate_their_inputs()
    {
        var name = CaaIdentifier.Dns("example.com");

        Assert.Contains("'Let's Encrypt'", Assert.Throws<CaaFormatException>(() => new CaaCheck(name, ["Let's Encrypt"])).Message, StringComparison.Ordinal);
        Assert.Contains("at least one issuer", Assert.Throws<ArgumentException>(() => new CaaCheck(name, Array.Empty<string>())).Message, StringComparison.Ordinal);
        Assert.Contains("'dns 01'", Assert.Throws<CaaFormatException>(() => new CaaCheck(name, ["ca.example"], null, "dns 01")).Message, StringComparison.Ordinal);
        Assert.Contains("'/acct/1'", Assert.Throws<CaaFormatException>(() => new CaaCheck(name, ["ca.example"], new Uri("/acct/1", UriKind.Relative))).Message, StringComparison.Ordinal);
        Assert.Equal(["ca.example", "other.example"], new CaaCheck(name, ["CA.example.", "ca.example", "other.example"]).IssuerDomainNames);
        Assert.Equal(CaaIdentifierKind.IPAddress, CaaIdentifier.Ip(IPAddress.IPv6Loopback).Kind);
    }
}
