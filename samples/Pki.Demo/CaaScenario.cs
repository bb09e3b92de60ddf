using System.CommandLine;
using Pki.Caa;

namespace Pki.Demo;

/// <summary>
/// <c>caa check NAME --ca ISSUER [--account URI] [--method M] [--server IP:PORT]</c>: may this CA issue
/// for NAME? Without --server the embedded example zone answers.
/// </summary>
internal sealed class CaaScenario : IDemoScenario
{
    /// <summary>The zone the demo answers from when no server is given.</summary>
    internal const string ExampleZone = """
        $ORIGIN example.com.
        $TTL 3600
        @        SOA   ns1 hostmaster 1 7200 900 1209600 300
        @        NS    ns1
        ns1      A     192.0.2.53
        @        CAA   0 issue "ca.example; accounturi=https://ca.example/acme/acct/42; validationmethods=dns-01"
        @        CAA   0 issuewild ";"
        @        CAA   0 issuemail "mail.example"
        @        CAA   0 iodef "mailto:security@example.com"
        legacy   CAA   0 issue "other-ca.example"
        strict   CAA   128 future "unknown-to-ca"
        www      CNAME legacy
        """;

    public int Order => 30;

    public Command CreateCommand()
    {
        var name = new Argument<string>("name") { Description = "DNS name, *.wildcard, IP address or email address to check" };
        var ca = new Option<string>("--ca") { Description = "The CA's issuer domain name as CAA records name it (e.g. letsencrypt.org)", Required = true };
        var account = new Option<string?>("--account") { Description = "ACME account URI of the requester (RFC 8657 accounturi)" };
        var method = new Option<string?>("--method") { Description = "Validation method label, e.g. dns-01 (RFC 8657 validationmethods)" };
        var server = new Option<string?>("--server") { Description = "Name server IP:PORT to ask; without it the embedded example zone answers" };
        var check = new Command("check", "Decide whether the CA may issue for NAME, with the Relevant RRset, the deciding record and the reason.");
        check.Arguments.Add(name);
        check.Options.Add(ca);
        check.Options.Add(account);
        check.Options.Add(method);
        check.Options.Add(server);
        check.SetAction(async (ParseResult result, CancellationToken cancellationToken) =>
        {
            try
            {
                var accountText = result.GetValue(account);
                var caaCheck = new CaaCheck(result.GetValue(name)!, result.GetValue(ca)!, accountText is null ? null : new Uri(accountText, UriKind.RelativeOrAbsolute), result.GetValue(method));
                var evaluator = new CaaEvaluator(CreateResolver(result.GetValue(server)));
                var decision = await evaluator.EvaluateAsync(caaCheck, cancellationToken);
                await PrintAsync(Console.Out, decision);
                return decision.Verdict switch
                {
                    CaaVerdict.Permitted => 0,
                    CaaVerdict.Denied => 2,
                    _ => 3,
                };
            }
            catch (Exception ex) when (ex is CaaFormatException or ArgumentException or UriFormatException)
            {
                await Console.Error.WriteLineAsync($"caa check: {ex.Message}");
                return 1;
            }
        });
        var command = new Command("caa", "CAA (RFC 8659, 8657, 9495): may a CA issue for a name? Runs offline against an embedded example zone unless --server is given.");
        command.Subcommands.Add(check);
        command.SetAction(async (ParseResult _, CancellationToken cancellationToken) => await RunOfflineAsync(Console.Out, cancellationToken));
        return command;
    }

    public async Task<int> RunOfflineAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var evaluator = new CaaEvaluator(CreateResolver(null));
        await output.WriteLineAsync("Embedded zone:");
        await output.WriteLineAsync(ExampleZone);
        await output.WriteLineAsync();
        await output.WriteLineAsync("Its apex policy, as CaaPolicyBuilder writes it:");
        await output.WriteLineAsync(new CaaPolicyBuilder("example.com")
            .AllowIssuer("ca.example", r => r.ForAccount("https://ca.example/acme/acct/42").WithValidationMethods("dns-01"))
            .ForbidWildcards()
            .AllowEmailIssuer("mail.example")
            .ReportTo("mailto:security@example.com")
            .BuildZoneText());
        CaaCheck[] checks =
        [
            new("www.example.com", "other-ca.example"),
            new("api.example.com", "ca.example", new Uri("https://ca.example/acme/acct/42"), "dns-01"),
            new("api.example.com", "ca.example", new Uri("https://ca.example/acme/acct/42"), "http-01"),
            new("*.example.com", "ca.example", new Uri("https://ca.example/acme/acct/42"), "dns-01"),
            new("alice@example.com", "mail.example"),
            new("x.strict.example.com", "ca.example"),
        ];
        foreach (var check in checks)
        {
            var decision = await evaluator.EvaluateAsync(check, cancellationToken);
            await output.WriteLineAsync($"$ caa check {check.Identifier.Value} --ca {check.IssuerDomainNames[0]}"
                + (check.AccountUri is null ? string.Empty : $" --account {check.AccountUri}")
                + (check.ValidationMethod is null ? string.Empty : $" --method {check.ValidationMethod}"));
            await PrintAsync(output, decision);
            await output.WriteLineAsync();
        }

        return 0;
    }

    private static ICaaResolver CreateResolver(string? server)
    {
        if (server is null)
        {
            return InMemoryCaaResolver.FromZoneText(ExampleZone);
        }

        var options = new DnsCaaResolverOptions { Timeout = TimeSpan.FromSeconds(3), Retries = 1 };
        options.NameServers.Add(server);
        return new DnsCaaResolver(options);
    }

    private static async Task PrintAsync(TextWriter output, CaaDecision decision)
    {
        await output.WriteLineAsync($"  verdict:  {decision.Verdict} ({decision.Reason})");
        var rrset = decision.RelevantRRset;
        var where = rrset.Status == CaaLookupStatus.Found
            ? $"at {rrset.OwnerName}" + (rrset.AliasChain.Count > 0 ? $" via {string.Join(" -> ", rrset.AliasChain)}" : string.Empty)
            : rrset.Status.ToString().ToLowerInvariant();
        await output.WriteLineAsync($"  RRset:    {where}");
        foreach (var record in rrset.Records)
        {
            await output.WriteLineAsync($"            CAA {record}");
        }

        await output.WriteLineAsync($"  deciding: {(decision.DecidingRecords.Count == 0 ? "(none)" : string.Join("; ", decision.DecidingRecords))}");
        await output.WriteLineAsync($"  reason:   {decision.Explanation}");
    }
}
