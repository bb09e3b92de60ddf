using System.Globalization;
using System.Text;

namespace Pki.Caa;

/// <summary>
/// Builds the CAA records of a policy and prints them as zone-file lines. Refuses malformed and
/// contradictory input with a <see cref="CaaPolicyException"/> naming the value.
/// </summary>
/// <example>
/// <code>
/// var lines = new CaaPolicyBuilder("example.com")
///     .AllowIssuer("ca.example", r => r.ForAccount("https://ca.example/acct/123").WithValidationMethods("dns-01"))
///     .ForbidWildcards()
///     .ForbidEmail()
///     .ReportTo("mailto:security@example.com")
///     .BuildZoneLines();
/// </code>
/// </example>
public sealed class CaaPolicyBuilder
{
    private readonly List<Entry> _entries = [];
    private readonly string _domain;
    private uint _ttl = 3600;

    /// <summary>Starts a policy for <paramref name="domain"/> (the owner name of the records).</summary>
    /// <exception cref="CaaPolicyException">The domain is not a domain name.</exception>
    public CaaPolicyBuilder(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        try
        {
            _domain = DnsName.Normalize(domain, "policy domain");
        }
        catch (CaaFormatException ex)
        {
            throw new CaaPolicyException(ex.Message, ex);
        }
    }

    /// <summary>The owner name of the records: lower-case A-labels (U-labels converted), without the trailing dot.</summary>
    public string Domain => _domain;

    /// <summary>Sets the TTL of the zone lines (default 3600 seconds).</summary>
    /// <exception cref="CaaPolicyException">The TTL is negative or above 2147483647 seconds (RFC 2181 section 8).</exception>
    public CaaPolicyBuilder WithTtl(TimeSpan ttl)
    {
        if (ttl < TimeSpan.Zero || ttl.TotalSeconds > int.MaxValue)
        {
            throw new CaaPolicyException($"The TTL {ttl} is out of range: use 0 to 2147483647 seconds (RFC 2181 section 8).");
        }

        _ttl = (uint)ttl.TotalSeconds;
        return this;
    }

    /// <summary>Lets <paramref name="issuerDomainName"/> issue for the domain and its subdomains (<c>issue</c>).</summary>
    /// <param name="issuerDomainName">The CA's issuer domain name as it documents it, e.g. <c>letsencrypt.org</c>; trimmed, lower-cased, trailing dot dropped.</param>
    /// <param name="restrict">Restricts the record to one ACME account and/or validation methods (RFC 8657); null for none.</param>
    /// <exception cref="CaaPolicyException">The issuer is not an LDH domain name, the same record is given twice, issuance of this kind is already forbidden, or a restriction is invalid.</exception>
    public CaaPolicyBuilder AllowIssuer(string issuerDomainName, Action<CaaIssuerRestrictions>? restrict = null) =>
        AddIssuer(CaaTags.Issue, issuerDomainName, restrict);

    /// <summary>Lets <paramref name="issuerDomainName"/> issue wildcard certificates (<c>issuewild</c>); once any is given, only these may.</summary>
    /// <param name="issuerDomainName">The CA's issuer domain name, e.g. <c>letsencrypt.org</c>.</param>
    /// <param name="restrict">RFC 8657 account and method restrictions; null for none.</param>
    /// <exception cref="CaaPolicyException">As for <see cref="AllowIssuer"/>, against <see cref="ForbidWildcards"/>.</exception>
    public CaaPolicyBuilder AllowWildcardIssuer(string issuerDomainName, Action<CaaIssuerRestrictions>? restrict = null) =>
        AddIssuer(CaaTags.IssueWild, issuerDomainName, restrict);

    /// <summary>Lets <paramref name="issuerDomainName"/> issue S/MIME certificates for addresses at the domain (<c>issuemail</c>, RFC 9495).</summary>
    /// <param name="issuerDomainName">The CA's issuer domain name, e.g. <c>ca.example</c>.</param>
    /// <param name="restrict">RFC 8657 account and method restrictions; null for none.</param>
    /// <exception cref="CaaPolicyException">As for <see cref="AllowIssuer"/>, against <see cref="ForbidEmail"/>.</exception>
    public CaaPolicyBuilder AllowEmailIssuer(string issuerDomainName, Action<CaaIssuerRestrictions>? restrict = null) =>
        AddIssuer(CaaTags.IssueMail, issuerDomainName, restrict);

    /// <summary>Forbids all issuance for the domain (<c>issue ";"</c>).</summary>
    /// <exception cref="CaaPolicyException">An issuer was allowed with <see cref="AllowIssuer"/>, or issuance is already forbidden.</exception>
    public CaaPolicyBuilder ForbidIssuance() => AddForbid(CaaTags.Issue, "all issuance");

    /// <summary>Forbids wildcard certificates (<c>issuewild ";"</c>); non-wildcard names still follow the <c>issue</c> records.</summary>
    /// <exception cref="CaaPolicyException">A wildcard issuer was allowed, or wildcards are already forbidden.</exception>
    public CaaPolicyBuilder ForbidWildcards() => AddForbid(CaaTags.IssueWild, "wildcard certificates");

    /// <summary>Forbids S/MIME certificates for addresses at the domain (<c>issuemail ";"</c>).</summary>
    /// <exception cref="CaaPolicyException">An email issuer was allowed, or email issuance is already forbidden.</exception>
    public CaaPolicyBuilder ForbidEmail() => AddForbid(CaaTags.IssueMail, "S/MIME certificates");

    /// <summary>Asks CAs to report violating requests to <paramref name="url"/> (<c>iodef</c>: mailto, http or https).</summary>
    /// <exception cref="CaaPolicyException">The URL is not mailto/http/https, or was given already.</exception>
    public CaaPolicyBuilder ReportTo(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!CaaIodef.TryParse(url, out _, out var error))
        {
            throw new CaaPolicyException(error!);
        }

        if (_entries.Any(e => e.Tag == CaaTags.Iodef && e.Value == url))
        {
            throw new CaaPolicyException($"The iodef URL '{url}' is given twice.");
        }

        _entries.Add(new Entry(CaaTags.Iodef, url, null));
        return this;
    }

    /// <summary>The records of the policy, in the order given.</summary>
    /// <exception cref="CaaPolicyException">The policy is empty or only reports (iodef restricts nothing).</exception>
    public IReadOnlyList<CaaRecord> Build()
    {
        if (_entries.Count == 0)
        {
            throw new CaaPolicyException($"The CAA policy for {_domain} is empty; allow an issuer or forbid issuance.");
        }

        if (_entries.All(e => e.Tag == CaaTags.Iodef))
        {
            throw new CaaPolicyException($"The CAA policy for {_domain} only has iodef records, which restrict nothing (RFC 8659 section 3); allow an issuer or forbid issuance.");
        }

        return _entries.Select(e => new CaaRecord(0, e.Tag, e.Value)).ToArray();
    }

    /// <summary>
    /// The policy as zone-file lines, one a record in the order given, with the absolute owner name and
    /// the TTL of <see cref="WithTtl"/>: <c>example.com. 3600 IN CAA 0 issue "ca.example"</c>.
    /// </summary>
    /// <exception cref="CaaPolicyException">As for <see cref="Build"/>.</exception>
    public IReadOnlyList<string> BuildZoneLines()
    {
        var prefix = _domain + ". " + _ttl.ToString(CultureInfo.InvariantCulture) + " IN CAA ";
        return Build().Select(r => prefix + r.ToPresentation()).ToArray();
    }

    /// <summary>The lines of <see cref="BuildZoneLines"/>, each ended by <c>\n</c> (the last too), ready to append to a zone file.</summary>
    /// <exception cref="CaaPolicyException">As for <see cref="Build"/>.</exception>
    public string BuildZoneText()
    {
        var sb = new StringBuilder();
        foreach (var line in BuildZoneLines())
        {
            sb.Append(line).Append('\n');
        }

        return sb.ToString();
    }

    private CaaPolicyBuilder AddIssuer(string tag, string issuerDomainName, Action<CaaIssuerRestrictions>? restrict)
    {
        ArgumentNullException.ThrowIfNull(issuerDomainName);
        var issuer = CaaIssuerValue.NormalizeIssuer(issuerDomainName)
            ?? throw new CaaPolicyException($"'{issuerDomainName}' is not an issuer domain name such as 'letsencrypt.org' (RFC 8659 section 4.2: labels of letters, digits and inner hyphens).");

        if (_entries.Any(e => e.Tag == tag && e.Issuer is null))
        {
            throw new CaaPolicyException($"Allowing {issuer} ({tag}) contradicts the earlier {Describe(tag)} for {_domain}.");
        }

        var restrictions = new CaaIssuerRestrictions();
        restrict?.Invoke(restrictions);
        var parameters = new List<CaaParameter>();
        if (restrictions.AccountUri is not null)
        {
            parameters.Add(new CaaParameter(CaaParameter.AccountUri, restrictions.AccountUri));
        }

        if (restrictions.ValidationMethods is not null)
        {
            parameters.Add(new CaaParameter(CaaParameter.ValidationMethods, string.Join(",", restrictions.ValidationMethods)));
        }

        var value = new CaaIssuerValue(issuer, parameters).ToString();
        if (_entries.Any(e => e.Tag == tag && e.Value == value))
        {
            throw new CaaPolicyException($"'{tag} {value}' is given twice for {_domain}.");
        }

        _entries.Add(new Entry(tag, value, issuer));
        return this;
    }

    private CaaPolicyBuilder AddForbid(string tag, string what)
    {
        var allowed = _entries.Where(e => e.Tag == tag && e.Issuer is not null).Select(e => e.Issuer).ToList();
        if (allowed.Count > 0)
        {
            throw new CaaPolicyException($"Forbidding {what} ({tag} \";\") contradicts allowing {string.Join(", ", allowed)} for {_domain}; remove one of them.");
        }

        if (_entries.Any(e => e.Tag == tag && e.Issuer is null))
        {
            throw new CaaPolicyException($"{what} is already forbidden for {_domain}.");
        }

        _entries.Add(new Entry(tag, ";", null));
        return this;
    }

    private static string Describe(string tag) => tag switch
    {
        CaaTags.IssueWild => "ForbidWildcards()",
        CaaTags.IssueMail => "ForbidEmail()",
        _ => "ForbidIssuance()",
    };

    private sealed record Entry(string Tag, string Value, string? Issuer);
}
