namespace Pki.Caa;

/// <summary>
/// The question "may this CA issue for this name, for this account, validated this way?": one
/// identifier of a certificate request, the CA's issuer domain names, and the optional RFC 8657
/// account URI and validation method.
/// </summary>
public sealed record CaaCheck
{
    private readonly string[] _issuerDomainNames;

    /// <summary>Creates a check; throws <see cref="CaaFormatException"/> for an issuer that is not an LDH domain name.</summary>
    /// <param name="identifier">The name the certificate would contain.</param>
    /// <param name="issuerDomainNames">The CA's identities as they appear in CAA records (e.g. <c>letsencrypt.org</c>); at least one.</param>
    /// <param name="accountUri">The ACME account URI of the requester (RFC 8657 section 3), or null.</param>
    /// <param name="validationMethod">The validation method label used, e.g. <c>dns-01</c> (RFC 8657 section 4), or null.</param>
    public CaaCheck(CaaIdentifier identifier, IEnumerable<string> issuerDomainNames, Uri? accountUri = null, string? validationMethod = null)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        ArgumentNullException.ThrowIfNull(issuerDomainNames);
        Identifier = identifier;
        var names = new List<string>();
        foreach (var name in issuerDomainNames)
        {
            var normalized = NormalizeIssuer(name);
            if (!names.Contains(normalized))
            {
                names.Add(normalized);
            }
        }

        if (names.Count == 0)
        {
            throw new ArgumentException("Give at least one issuer domain name, e.g. 'letsencrypt.org'.", nameof(issuerDomainNames));
        }

        if (accountUri is not null && !accountUri.IsAbsoluteUri)
        {
            throw new CaaFormatException($"The account URI '{accountUri.OriginalString}' is not absolute; RFC 8657 account URIs look like https://ca.example/acme/acct/123.", accountUri.OriginalString, 0);
        }

        if (validationMethod is not null && !IsMethodLabel(validationMethod))
        {
            throw new CaaFormatException($"The validation method '{validationMethod}' is not a method label (letters, digits and '-', e.g. dns-01) as RFC 8657 section 4 defines.", validationMethod, 0);
        }

        _issuerDomainNames = [.. names];
        AccountUri = accountUri;
        ValidationMethod = validationMethod;
    }

    /// <summary>Convenience: parses <paramref name="name"/> with <see cref="CaaIdentifier.Parse(string)"/> and takes one issuer.</summary>
    /// <param name="name">A DNS name, <c>*.</c>wildcard, IP address literal or <c>local@domain</c> email address.</param>
    /// <param name="issuerDomainName">The CA's identity as it appears in CAA records, e.g. <c>letsencrypt.org</c>.</param>
    /// <param name="accountUri">The ACME account URI of the requester (RFC 8657 section 3), or null.</param>
    /// <param name="validationMethod">The validation method label used, e.g. <c>dns-01</c>, or null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="issuerDomainName"/> is null.</exception>
    /// <exception cref="CaaFormatException">The name, issuer, account URI or method is malformed; the message names it.</exception>
    public CaaCheck(string name, string issuerDomainName, Uri? accountUri = null, string? validationMethod = null)
        : this(CaaIdentifier.Parse(name ?? throw new ArgumentNullException(nameof(name))), [issuerDomainName ?? throw new ArgumentNullException(nameof(issuerDomainName))], accountUri, validationMethod)
    {
    }

    /// <summary>The name the certificate would contain, normalised; the Relevant RRset search starts at its <see cref="CaaIdentifier.LookupName"/>.</summary>
    public CaaIdentifier Identifier { get; }

    /// <summary>The CA's issuer domain names, lower case, without a trailing dot, duplicates removed; a property naming any of them (ASCII case-insensitive) is this CA's.</summary>
    public IReadOnlyList<string> IssuerDomainNames => _issuerDomainNames;

    /// <summary>
    /// The requester's ACME account URI, compared to <c>accounturi</c> parameters exactly as written
    /// (<see cref="Uri.OriginalString"/>, no normalisation, RFC 8657 section 3); null when the request
    /// names no account, which fails every property restricted to an account.
    /// </summary>
    public Uri? AccountUri { get; }

    /// <summary>The validation method label (e.g. <c>http-01</c>), matched exactly against <c>validationmethods</c> lists; null fails every property restricted to methods.</summary>
    public string? ValidationMethod { get; }

    internal bool IsOwnIssuer(string issuerDomainName)
    {
        foreach (var own in _issuerDomainNames)
        {
            if (DnsName.EqualsIgnoreCase(own, issuerDomainName))
            {
                return true;
            }
        }

        return false;
    }

    internal static bool IsMethodLabel(string s) => AcmeParameters.IsMethodLabel(s, 0, s.Length);

    private static string NormalizeIssuer(string? name)
    {
        if (name is null)
        {
            throw new ArgumentException("An issuer domain name is null.", nameof(name));
        }

        return CaaIssuerValue.NormalizeIssuer(name)
            ?? throw new CaaFormatException($"The issuer domain name '{name}' is not an LDH domain name such as 'ca.example' (RFC 8659 section 4.2).", name, 0);
    }
}
