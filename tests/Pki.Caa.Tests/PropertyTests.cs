using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Pki.Caa.Tests;

/// <summary>Round trips of every representation, and the evaluator against the reference on random RRsets.</summary>
public sealed class PropertyTests
{
    private static readonly Gen<char> Octet = Gen.Choose(0, 255).Select(i => (char)i);

    private static readonly Gen<char> Alnum = Gen.Elements("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".ToCharArray());

    private static readonly Gen<string> Tag = Gen.Choose(1, 16).SelectMany(n => Gen.ArrayOf(Alnum, n)).Select(a => new string(a));

    private static readonly Gen<string> AnyValue = Gen.Frequency(
        (3, Gen.ArrayOf(Octet).Select(a => new string(a))),
        (3, Gen.ArrayOf(Gen.Elements("\\\"; 0123x\t\u0001\u00ff".ToCharArray())).Select(a => new string(a))));

    private static readonly Gen<CaaRecord> Record =
        from flags in Gen.Choose(0, 255)
        from tag in Tag
        from value in AnyValue
        select new CaaRecord((byte)flags, tag, value);

    private static readonly Gen<string> LdhLabel =
        from first in Alnum
        from middle in Gen.ArrayOf(Gen.Elements("abc-1".ToCharArray()), 3)
        from last in Alnum
        select first + new string(middle) + last;

    private static readonly Gen<CaaParameter> Parameter =
        from tag in LdhLabel
        from value in Gen.ArrayOf(Gen.Choose(0x21, 0x7E).Where(c => c != ';').Select(c => (char)c))
        select new CaaParameter(tag, new string(value));

    private static readonly Gen<CaaIssuerValue> IssuerValue =
        from hasIssuer in Gen.Elements(true, false)
        from labels in Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(LdhLabel, n))
        from parameters in Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(Parameter, n))
        select new CaaIssuerValue(hasIssuer ? string.Join(".", labels) : null, parameters);

    [Property(MaxTest = 500)]
    public Property Presentation_text_round_trips() =>
        Prop.ForAll(Arb.From(Record), r => CaaRecord.Parse(r.ToPresentation()) == r);

    [Property(MaxTest = 500)]
    public Property Wire_RDATA_round_trips() =>
        Prop.ForAll(Arb.From(Record), r => CaaRecord.ReadRdata(r.ToRdata()) == r);

    [Property(MaxTest = 500)]
    public Property Issuer_values_round_trip_through_their_text() =>
        Prop.ForAll(Arb.From(IssuerValue), v => CaaIssuerValue.Parse(v.ToString()).Equals(v));

    [Property(MaxTest = 500)]
    public Property Issuer_values_survive_a_zone_file_round_trip() =>
        Prop.ForAll(Arb.From(IssuerValue), v =>
            CaaRecord.Parse(new CaaRecord(0, "issue", v.ToString()).ToPresentation()).ParseIssuerValue().Equals(v));

    [Property(MaxTest = 1000)]
    public Property DnsClient_unescaping_is_never_silently_wrong() =>
        Prop.ForAll(Arb.From(Record), r =>
        {
            var escaped = EscapeLikeDnsClient(r.Value);
            try
            {
                return CaaRecord.FromDnsClient(CaaRecordTests.DnsClientCaa(r.Flags, r.Tag, escaped, r.RdataLength)) == r;
            }
            catch (CaaFormatException)
            {
                // Only a value with a literal backslash-digit sequence can be ambiguous.
                return r.Value.Contains('\\');
            }
        });

    [Property(MaxTest = 2000)]
    public Property Evaluation_agrees_with_the_reference_implementation()
    {
        var values = Gen.Elements(
            "ca.example", "other.example", ";", "", "CA.EXAMPLE", " ca.example ; x=y ", "ca.example.", "%%%",
            "ca.example; accounturi=https://a/1", "ca.example; accounturi=https://a/1; accounturi=https://a/2",
            "ca.example; accounturi=%%", "ca.example; validationmethods=dns-01", "ca.example;validationmethods=dns-01,http-01",
            "ca.example; validationmethods=", "ca.example; validationmethods=dns-01,,x", "ca.example; AccountUri=https://a/2",
            "ca.example; accounturi=https://a/1; validationmethods=http-01", "ca.example; a=b;", "ca.example;\tvalidationmethods = dns-01");
        var records = Gen.ArrayOf(
            from flags in Gen.Elements<byte>(0, 128, 1)
            from tag in Gen.Elements("issue", "ISSUE", "issuewild", "IssueWild", "issuemail", "iodef", "tbs", "contactemail")
            from value in values
            select new CaaRecord(flags, tag, value));
        var checks =
            from kind in Gen.Elements(CaaIdentifierKind.DnsName, CaaIdentifierKind.WildcardDnsName, CaaIdentifierKind.EmailAddress, CaaIdentifierKind.IPAddress)
            from issuer in Gen.Elements("ca.example", "other.example")
            from account in Gen.Elements<string?>(null, "https://a/1", "https://a/2")
            from method in Gen.Elements<string?>(null, "dns-01", "http-01")
            select (kind, issuer, account, method);
        return Prop.ForAll(Arb.From(records), Arb.From(checks), (rrset, c) =>
        {
            var name = c.kind switch
            {
                CaaIdentifierKind.WildcardDnsName => "*.x.example",
                CaaIdentifierKind.EmailAddress => "u@x.example",
                CaaIdentifierKind.IPAddress => "192.0.2.7",
                _ => "x.example",
            };
            var check = new CaaCheck(name, c.issuer, c.account is null ? null : new Uri(c.account), c.method);
            var set = rrset.Length == 0 ? CaaRelevantRRset.Empty("x.example") : CaaRelevantRRset.Create("x.example", "x.example", rrset);
            var expected = ReferenceCaa.Evaluate(rrset, c.kind, [c.issuer], c.account, c.method);
            return CaaEvaluator.Evaluate(set, check).Verdict == expected;
        });
    }

    internal static string EscapeLikeDnsClient(string octets)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var c in octets)
        {
            if (c == '"')
            {
                sb.Append("\\\"");
            }
            else if (c < 0x20 || c > 0x7E)
            {
                sb.Append('\\').Append(((int)c).ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
