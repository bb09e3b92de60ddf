// README:begin src/Pki.Caa/README.md#1
using Pki.Caa;
// README:end

namespace Pki.Readme.Tests.Snippets.Caa;

/// <summary>Pki.Caa's README, the opening example (real DNS).</summary>
public static class DnsEvaluation
{
    public static async Task<CaaDecision> RunAsync(string nameServer)
    {
        // README:begin src/Pki.Caa/README.md#1
        // nameServer: the resolver to ask, e.g. "127.0.0.1:5353" (without NameServers, the system's resolvers answer).
        var evaluator = new CaaEvaluator(new DnsCaaResolver(new DnsCaaResolverOptions { NameServers = { nameServer } }));

        var decision = await evaluator.EvaluateAsync(new CaaCheck(
            "www.example.com",                                 // DNS name, *.wildcard, IP address or user@domain
            "letsencrypt.org",                                 // the CA's issuer domain name
            new Uri("https://acme-v02.api.letsencrypt.org/acme/acct/123"), // RFC 8657 account (optional)
            "dns-01"));                                        // RFC 8657 validation method (optional)

        Console.WriteLine(decision.Verdict);          // Permitted, Denied or Indeterminate
        Console.WriteLine(decision.Reason);           // e.g. Authorized, AccountUriMismatch, LookupFailed
        Console.WriteLine(decision.Explanation);      // a sentence naming the records and values
        Console.WriteLine(decision.RelevantRRset);    // the records, in zone-file form
        // README:end
        return decision;
    }
}
