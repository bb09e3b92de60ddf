using Xunit.Abstractions;

namespace Pki.TestSupport;

/// <summary>
/// How a real ACME client (<see cref="CertbotClient"/>, <see cref="LegoClient"/>) reaches its server.
/// Neither certbot 2.1 nor lego 4.9 supports ACME profiles or ARI (<c>renewalInfo</c>): tests of those
/// need a newer client or the library's own client.
/// </summary>
public sealed record AcmeCliOptions
{
    /// <summary>The ACME directory URL, e.g. <see cref="PebbleServer.DirectoryUri"/>.</summary>
    public required Uri DirectoryUri { get; init; }

    /// <summary>A PEM file with the trust anchor(s) of the server's HTTPS certificate (see <see cref="TestCertificateAuthorityFiles"/>).</summary>
    public required string CaBundlePath { get; init; }

    /// <summary>Contact address for the account; none when null (lego gets a placeholder, it insists on one).</summary>
    public string? Email { get; init; }

    /// <summary>External Account Binding key id; EAB is used when this and <see cref="ExternalAccountMacKey"/> are set.</summary>
    public string? ExternalAccountKeyId { get; init; }

    /// <summary>External Account Binding MAC key (base64url). Never appears in logs or exception messages: it is redacted to <c>***</c>.</summary>
    public string? ExternalAccountMacKey { get; init; }

    /// <summary>The most one command (obtain, renew, revoke) may take before it is killed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Where the client's output goes while it runs (the current test's output).</summary>
    public ITestOutputHelper? Output { get; init; }

    internal bool UsesExternalAccountBinding => ExternalAccountKeyId is not null && ExternalAccountMacKey is not null;

    internal IReadOnlyList<string> Secrets => ExternalAccountMacKey is { Length: > 0 } key ? [key] : [];
}
