using System.Globalization;

namespace Pki.TestSupport;

/// <summary>
/// lego 4.x (Debian package <c>lego</c>) as a real ACME client: every command runs as a child process
/// on this instance's own <c>--path</c>, trusts the server through <c>LEGO_CA_CERTIFICATES</c>, answers
/// http-01 with its own server on 127.0.0.1 and is killed after <see cref="AcmeCliOptions.Timeout"/>.
/// One account per instance. lego 4.9 has no ACME profile or ARI support (<c>renew --days</c> is its
/// only renewal trigger), and it waits a few seconds before polling an order.
/// </summary>
public sealed class LegoClient(AcmeCliOptions options) : AcmeCliClient(options)
{
    private const string PlaceholderEmail = "acme-test@pki.test";

    /// <summary>
    /// Registers an account if needed and obtains a certificate for <paramref name="domains"/> (the first
    /// names the files), answering http-01 on 127.0.0.1:<paramref name="http01Port"/>.
    /// </summary>
    /// <exception cref="AcmeCliException">lego failed or timed out; the message has its output.</exception>
    public async Task<AcmeCliCertificate> ObtainAsync(IReadOnlyList<string> domains, int http01Port, CancellationToken cancellationToken = default)
    {
        RequireDomains(domains);

        await RunAsync(domains, http01Port, ["run"], cancellationToken).ConfigureAwait(false);
        return Read(domains[0]);
    }

    /// <summary>
    /// Renews the certificate for <paramref name="domains"/> now: <c>lego renew --days</c> with a day count
    /// beyond any validity, since lego 4.9 has no force flag.
    /// </summary>
    /// <exception cref="AcmeCliException">lego failed or timed out.</exception>
    public async Task<AcmeCliCertificate> RenewAsync(IReadOnlyList<string> domains, int http01Port, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domains);
        await RunAsync(domains, http01Port, ["renew", "--days", "100000", "--no-random-sleep"], cancellationToken).ConfigureAwait(false);
        return Read(domains[0]);
    }

    /// <summary>Revokes the certificate for <paramref name="domains"/> with the account key, giving an RFC 5280 reason code; the files are kept.</summary>
    /// <exception cref="AcmeCliException">lego failed or timed out.</exception>
    public Task RevokeAsync(IReadOnlyList<string> domains, int reason = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domains);
        return RunAsync(domains, http01Port: null, ["revoke", "--reason", reason.ToString(CultureInfo.InvariantCulture), "--keep"], cancellationToken);
    }

    private AcmeCliCertificate Read(string domain)
    {
        var stem = Path.Combine(Directory, "certificates", domain.Replace('*', '_'));
        return new AcmeCliCertificate(domain, stem + ".crt", stem + ".key");
    }

    private Task RunAsync(IReadOnlyList<string> domains, int? http01Port, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        List<string> arguments =
        [
            "--server", Options.DirectoryUri.AbsoluteUri,
            "--email", Options.Email ?? PlaceholderEmail,
            "--accept-tos",
            "--path", Directory,
            "--http",
            "--http.port", $"127.0.0.1:{(http01Port ?? 0).ToString(CultureInfo.InvariantCulture)}",
        ];
        if (Options.UsesExternalAccountBinding)
        {
            arguments.AddRange(["--eab", "--kid", Options.ExternalAccountKeyId!, "--hmac", Options.ExternalAccountMacKey!]);
        }

        foreach (var domain in domains)
        {
            arguments.Add("--domains");
            arguments.Add(domain);
        }

        arguments.AddRange(command);
        var environment = new Dictionary<string, string?>
        {
            ["LEGO_CA_CERTIFICATES"] = Options.CaBundlePath,
            ["LEGO_PATH"] = null,
            ["HTTPS_PROXY"] = null,
            ["https_proxy"] = null,
            ["HTTP_PROXY"] = null,
            ["http_proxy"] = null,
        };
        return AcmeCli.RunAsync(File.Exists("/usr/bin/lego") ? "/usr/bin/lego" : "lego", command[0], arguments, environment, Options, Directory, logFile: null, cancellationToken);
    }
}
