namespace Pki.Caa.Tests;

/// <summary>
/// The evaluation rules as a table over Zones/example.test.zone: each row is a name, a CA, an optional
/// account and method, and the verdict and reason expected. The same rows run against knotd
/// (<see cref="KnotInteropTests"/>) and the in-memory resolver (<see cref="InMemoryPolicyTableTests"/>).
/// </summary>
public static class PolicyTable
{
    private const string Acct123 = "https://ca.example/acct/123";

    public static TheoryData<string, string, string?, string?, CaaVerdict, CaaReason> Rows => new()
    {
        // Plain permit and deny; "; " alone denies; authorizations are additive; iodef alone restricts nothing.
        { "permit.example.test", "ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "permit.example.test", "other-ca.example", null, null, CaaVerdict.Denied, CaaReason.NotAuthorized },
        { "deny.example.test", "ca.example", null, null, CaaVerdict.Denied, CaaReason.NotAuthorized },
        { "deny.example.test", "other-ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "none.example.test", "ca.example", null, null, CaaVerdict.Denied, CaaReason.NoIssuerAllowed },
        { "additive.example.test", "ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "additive.example.test", "x.example", null, null, CaaVerdict.Denied, CaaReason.NotAuthorized },
        { "iodefonly.example.test", "anyone.example", null, null, CaaVerdict.Permitted, CaaReason.NoRestrictingProperty },

        // Issuer Critical flag: unknown critical tag denies, known critical tag and unknown non-critical tag do not.
        { "crit.example.test", "ca.example", null, null, CaaVerdict.Denied, CaaReason.CriticalUnknownProperty },
        { "critknown.example.test", "ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "noncrit.example.test", "ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "raw.example.test", "ca.example", null, null, CaaVerdict.Denied, CaaReason.CriticalUnknownProperty },

        // Tags are case-insensitive.
        { "upper.example.test", "ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "mixedwild.example.test", "other-ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "*.mixedwild.example.test", "ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "*.mixedwild.example.test", "other-ca.example", null, null, CaaVerdict.Denied, CaaReason.NotAuthorized },

        // Climbing several labels; NXDOMAIN counts as empty and climbs on.
        { "deep.x.y.climb.example.test", "ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "deep.x.y.climb.example.test", "apex-ca.example", null, null, CaaVerdict.Denied, CaaReason.NotAuthorized },
        { "nonexistent.example.test", "apex-ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "a.b.nonexistent.example.test", "ca.example", null, null, CaaVerdict.Denied, CaaReason.NotAuthorized },

        // Aliases: chains in and out of the zone, DNAME, a target without CAA (climb from the alias), loops.
        { "chain1.example.test", "chain.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "chain1.example.test", "apex-ca.example", null, null, CaaVerdict.Denied, CaaReason.NotAuthorized },
        { "alias.example.test", "target.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "alias.example.test", "apex-ca.example", null, null, CaaVerdict.Denied, CaaReason.NotAuthorized },
        { "aliasempty.example.test", "apex-ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "aliasempty2.example.test", "apex-ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "target.sub.example.test", "target.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "loop1.example.test", "ca.example", null, null, CaaVerdict.Indeterminate, CaaReason.LookupFailed },

        // Wildcard names use the parent's RRset; issuewild overrides issue for wildcards only, both ways.
        { "wild.example.test", "ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "wild.example.test", "wild-ca.example", null, null, CaaVerdict.Denied, CaaReason.NotAuthorized },
        { "*.wild.example.test", "wild-ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "*.wild.example.test", "ca.example", null, null, CaaVerdict.Denied, CaaReason.NotAuthorized },
        { "*.nowild.example.test", "ca.example", null, null, CaaVerdict.Denied, CaaReason.NoIssuerAllowed },
        { "nowild.example.test", "ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "*.issueonly.example.test", "ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "wildonly.example.test", "anyone.example", null, null, CaaVerdict.Permitted, CaaReason.NoRestrictingProperty },
        { "*.wildonly.example.test", "wild-ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "*.wildonly.example.test", "ca.example", null, null, CaaVerdict.Denied, CaaReason.NotAuthorized },
        { "foo.dnswild.example.test", "wildrecord.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "*.dnswild.example.test", "apex-ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },

        // RFC 8657 accounturi (exact; several or invalid are unsatisfiable) and validationmethods.
        { "acct.example.test", "ca.example", Acct123, "dns-01", CaaVerdict.Permitted, CaaReason.Authorized },
        { "acct.example.test", "ca.example", Acct123, "http-01", CaaVerdict.Permitted, CaaReason.Authorized },
        { "acct.example.test", "ca.example", Acct123, "tls-alpn-01", CaaVerdict.Denied, CaaReason.ValidationMethodMismatch },
        { "acct.example.test", "ca.example", Acct123, null, CaaVerdict.Denied, CaaReason.ValidationMethodMismatch },
        { "acct.example.test", "ca.example", "https://ca.example/acct/999", "dns-01", CaaVerdict.Denied, CaaReason.AccountUriMismatch },
        { "acct.example.test", "ca.example", "https://CA.example/acct/123", "dns-01", CaaVerdict.Denied, CaaReason.AccountUriMismatch },
        { "acct.example.test", "ca.example", null, "dns-01", CaaVerdict.Denied, CaaReason.AccountUriMismatch },
        { "twoacct.example.test", "ca.example", "https://ca.example/acct/1", null, CaaVerdict.Denied, CaaReason.UnsatisfiableParameters },
        { "badacct.example.test", "ca.example", "https://ca.example/acct/1", null, CaaVerdict.Denied, CaaReason.UnsatisfiableParameters },
        { "eitheracct.example.test", "ca.example", "https://ca.example/acct/2", null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "eitheracct.example.test", "ca.example", "https://ca.example/acct/3", null, CaaVerdict.Denied, CaaReason.AccountUriMismatch },
        { "badmethods.example.test", "ca.example", null, "dns-01", CaaVerdict.Denied, CaaReason.UnsatisfiableParameters },
        { "tabbed.example.test", "ca.example", Acct123, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "tabbed.example.test", "ca.example", "https://ca.example/acct/124", null, CaaVerdict.Denied, CaaReason.AccountUriMismatch },
        { "quoted.example.test", "ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "literal.example.test", "ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },

        // Malformed values name no issuer; a well-formed record beside them still authorizes.
        { "malformed.example.test", "ca.example", null, null, CaaVerdict.Denied, CaaReason.NoIssuerAllowed },
        { "malformed2.example.test", "ca.example", null, null, CaaVerdict.Denied, CaaReason.NoIssuerAllowed },
        { "malformedmix.example.test", "ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },

        // RFC 9495: issuemail for email addresses only; issue never authorizes email.
        { "user@example.test", "mailca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "user@example.test", "apex-ca.example", null, null, CaaVerdict.Denied, CaaReason.NotAuthorized },
        { "example.test", "mailca.example", null, null, CaaVerdict.Denied, CaaReason.NotAuthorized },
        { "user@noemail.example.test", "anyone.example", null, null, CaaVerdict.Permitted, CaaReason.NoRestrictingProperty },
        { "user@mailforbid.example.test", "mailca.example", null, null, CaaVerdict.Denied, CaaReason.NoIssuerAllowed },
        { "user@mailacct.example.test", "mailca.example", "https://mailca.example/acct/7", null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "user@mailacct.example.test", "mailca.example", null, null, CaaVerdict.Denied, CaaReason.AccountUriMismatch },
        { "user@bücher.example.test", "idnmail.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "\"odd@local\"@BÜCHER.example.test", "mailca.example", null, null, CaaVerdict.Denied, CaaReason.NotAuthorized },

        // IP addresses use the reverse-mapping name.
        { "192.0.2.1", "ip-ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
        { "192.0.2.1", "ca.example", null, null, CaaVerdict.Denied, CaaReason.NotAuthorized },

        // Failures are indeterminate, never permitted; a large RRset arrives whole over TCP.
        { "www.servfail.test", "ca.example", null, null, CaaVerdict.Indeterminate, CaaReason.LookupFailed },
        { "big.example.test", "ca.example", null, null, CaaVerdict.Permitted, CaaReason.Authorized },
    };

    public static CaaCheck Check(string name, string ca, string? account, string? method) =>
        new(name, ca, account is null ? null : new Uri(account), method);
}
