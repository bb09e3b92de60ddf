using Pki.Caa;

namespace Pki.Readme.Tests.Snippets.Caa;

/// <summary>Pki.Caa's README, writing the records.</summary>
public static class PolicyBuilder
{
    public static IReadOnlyList<string> Run()
    {
        // README:begin src/Pki.Caa/README.md#2
        var lines = new CaaPolicyBuilder("example.com")
            .AllowIssuer("ca.example", r => r.ForAccount("https://ca.example/acct/123").WithValidationMethods("dns-01"))
            .ForbidWildcards()
            .ForbidEmail()
            .ReportTo("mailto:security@example.com")
            .BuildZoneLines();
        // example.com. 3600 IN CAA 0 issue "ca.example; accounturi=https://ca.example/acct/123; validationmethods=dns-01"
        // example.com. 3600 IN CAA 0 issuewild ";"
        // example.com. 3600 IN CAA 0 issuemail ";"
        // example.com. 3600 IN CAA 0 iodef "mailto:security@example.com"
        // README:end
        return lines;
    }
}
