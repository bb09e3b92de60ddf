// README:begin src/Pki.Caa/README.md#3
using Pki.Caa;
// README:end

namespace Pki.Readme.Tests.Snippets.Caa;

/// <summary>Pki.Caa's README, "Offline: a zone in memory".</summary>
public static class OfflineZone
{
    public static async Task<(string ZoneText, CaaDecision Www, CaaDecision Shop, CaaDecision Mail)> RunAsync()
    {
        // README:begin src/Pki.Caa/README.md#3
        var zoneText = """
            example.com.      3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300
            example.com.      3600 IN CAA 0 issue "ca.example"
            example.com.      3600 IN CAA 0 issuemail "mail-ca.example"
            shop.example.com. 3600 IN CAA 0 issue ";"
            """;

        var evaluator = new CaaEvaluator(InMemoryCaaResolver.FromZoneText(zoneText));

        var www = await evaluator.EvaluateAsync(new CaaCheck("www.example.com", "ca.example"));
        var shop = await evaluator.EvaluateAsync(new CaaCheck("shop.example.com", "ca.example"));
        var mail = await evaluator.EvaluateAsync(new CaaCheck("alice@example.com", "mail-ca.example"));

        Console.WriteLine(www.Verdict);   // Permitted: www.example.com has no CAA, example.com's issue names ca.example
        Console.WriteLine(shop.Verdict);  // Denied: shop.example.com's issue ";" forbids every CA
        Console.WriteLine(mail.Verdict);  // Permitted: issuemail names mail-ca.example (RFC 9495)
        // README:end
        return (zoneText, www, shop, mail);
    }
}
