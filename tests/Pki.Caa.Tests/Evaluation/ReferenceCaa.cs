using System.Text.RegularExpressions;

namespace Pki.Caa.Tests;

/// <summary>
/// A literal, slow rendering of the evaluation rules (RFC 8659 sections 3-4.3, RFC 8657 sections 3-4,
/// RFC 9495 section 3), with the issue-value ABNF as one regular expression. The fast evaluator is
/// cross-checked against it on random RRsets.
/// </summary>
internal static class ReferenceCaa
{
    private const string Label = "[A-Za-z0-9](?:-*[A-Za-z0-9])*";
    private const string Parameter = Label + "[ \\t]*=[ \\t]*[\\x21-\\x3A\\x3C-\\x7E]*";

    // issue-value = *WSP [issuer-domain-name *WSP] [";" *WSP [parameters *WSP]]
    private static readonly Regex IssueValue = new(
        "^[ \\t]*(?<issuer>" + Label + "(?:\\." + Label + ")*)?[ \\t]*(?:;[ \\t]*(?<parameters>" + Parameter + "(?:[ \\t]*;[ \\t]*" + Parameter + ")*)?[ \\t]*)?$",
        RegexOptions.CultureInvariant);

    private static readonly Regex MethodList = new("^(?:[A-Za-z0-9-]+(?:,[A-Za-z0-9-]+)*)?$", RegexOptions.CultureInvariant);

    private static readonly string[] Known = ["issue", "issuewild", "issuemail", "iodef", "contactemail", "contactphone"];

    public static CaaVerdict Evaluate(IReadOnlyList<CaaRecord> records, CaaIdentifierKind kind, IReadOnlyList<string> issuers, string? account, string? method)
    {
        if (records.Count == 0)
        {
            return CaaVerdict.Permitted;
        }

        if (records.Any(r => (r.Flags & 128) != 0 && !Known.Any(k => AsciiIgnoreCase(k, r.Tag))))
        {
            return CaaVerdict.Denied;
        }

        var tag = kind switch
        {
            CaaIdentifierKind.EmailAddress => "issuemail",
            CaaIdentifierKind.WildcardDnsName when records.Any(r => AsciiIgnoreCase("issuewild", r.Tag)) => "issuewild",
            _ => "issue",
        };
        var properties = records.Where(r => AsciiIgnoreCase(tag, r.Tag)).ToList();
        if (properties.Count == 0)
        {
            return CaaVerdict.Permitted;
        }

        foreach (var property in properties)
        {
            var match = IssueValue.Match(property.Value);
            if (!match.Success || !match.Groups["issuer"].Success)
            {
                continue;
            }

            if (!issuers.Any(i => AsciiIgnoreCase(i, match.Groups["issuer"].Value)))
            {
                continue;
            }

            var parameters = match.Groups["parameters"].Success
                ? match.Groups["parameters"].Value.Split(';').Select(p => p.Split(['='], 2)).Select(kv => (Key: kv[0].Trim(' ', '\t'), Value: kv[1].Trim(' ', '\t'))).ToList()
                : [];
            var accounts = parameters.Where(p => AsciiIgnoreCase("accounturi", p.Key)).ToList();
            var methods = parameters.Where(p => AsciiIgnoreCase("validationmethods", p.Key)).ToList();
            if (accounts.Count > 1 || methods.Count > 1)
            {
                continue;
            }

            if (accounts.Count == 1 && (!Uri.TryCreate(accounts[0].Value, UriKind.Absolute, out _) || account != accounts[0].Value))
            {
                continue;
            }

            if (methods.Count == 1 && (!MethodList.IsMatch(methods[0].Value) || method is null || !methods[0].Value.Split(',').Contains(method)))
            {
                continue;
            }

            return CaaVerdict.Permitted;
        }

        return CaaVerdict.Denied;
    }

    private static bool AsciiIgnoreCase(string a, string b) =>
        a.Length == b.Length && a.Zip(b).All(p => char.ToLowerInvariant(p.First) == char.ToLowerInvariant(p.Second) && p.First < 128 && p.Second < 128);
}
