using System.Globalization;

namespace Pki.TestSupport;

/// <summary>
/// certbot 2.x (Debian package <c>certbot</c>) as a real ACME client: every command runs as a child
/// process in this instance's own temporary config/work/logs directories, trusts the server through
/// <c>REQUESTS_CA_BUNDLE</c>, answers http-01 with its standalone server on 127.0.0.1 and is killed
/// after <see cref="AcmeCliOptions.Timeout"/>. One account per instance (registered on first use).
/// certbot 2.1 has no ACME profile or ARI support.
/// </summary>
public sealed class CertbotClient(AcmeCliOptions options) : AcmeCliClient(options)
{

    private string ConfigDirectory => Path.Combine(Directory, "config");

    private string LogFile => Path.Combine(Directory, "logs", "letsencrypt.log");

    /// <summary>
    /// Registers an account if needed and obtains a certificate for <paramref name="domains"/> (the first
    /// is its name), answering http-01 on 127.0.0.1:<paramref name="http01Port"/>.
    /// </summary>
    /// <exception cref="AcmeCliException">certbot failed or timed out; the message has its output and log tail.</exception>
    public async Task<AcmeCliCertificate> ObtainAsync(IReadOnlyList<string> domains, int http01Port, CancellationToken cancellationToken = default)
    {
        RequireDomains(domains);

        List<string> arguments = ["certonly", "--standalone", "--preferred-challenges", "http", "--cert-name", domains[0], .. Http01(http01Port), .. Account()];
        foreach (var domain in domains)
        {
            arguments.Add("-d");
            arguments.Add(domain);
        }

        await RunAsync(arguments, cancellationToken).ConfigureAwait(false);
        return Read(domains[0]);
    }

    /// <summary>Renews the certificate named <paramref name="name"/> now (<c>certbot renew --force-renewal</c>).</summary>
    /// <exception cref="AcmeCliException">certbot failed or timed out.</exception>
    public async Task<AcmeCliCertificate> RenewAsync(string name, int http01Port, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        await RunAsync(["renew", "--cert-name", name, "--force-renewal", "--no-random-sleep-on-renew", .. Http01(http01Port)], cancellationToken).ConfigureAwait(false);
        return Read(name);
    }

    /// <summary>
    /// Revokes <paramref name="certificate"/>, giving an RFC 5280 reason (0, 1, 3, 4 or 5: those certbot knows).
    /// The request is signed with the account key, or with the certificate's own key when
    /// <paramref name="signWithCertificateKey"/> is set (RFC 8555 section 7.6, <c>--key-path</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">certbot cannot send that reason.</exception>
    /// <exception cref="AcmeCliException">certbot failed or timed out.</exception>
    public Task RevokeAsync(AcmeCliCertificate certificate, int reason = 0, bool signWithCertificateKey = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var name = reason switch
        {
            0 => "unspecified",
            1 => "keycompromise",
            3 => "affiliationchanged",
            4 => "superseded",
            5 => "cessationofoperation",
            _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "certbot revoke accepts the reasons 0, 1, 3, 4 and 5 only."),
        };
        List<string> arguments = ["revoke", "--cert-path", certificate.FullChainPath, "--reason", name, "--no-delete-after-revoke"];
        if (signWithCertificateKey)
        {
            arguments.AddRange(["--key-path", certificate.PrivateKeyPath]);
        }

        return RunAsync(arguments, cancellationToken);
    }

    private static string[] Http01(int port) => ["--http-01-port", port.ToString(CultureInfo.InvariantCulture), "--http-01-address", "127.0.0.1"];

    private List<string> Account()
    {
        List<string> arguments = ["--agree-tos"];
        arguments.AddRange(Options.Email is { } email ? ["-m", email] : ["--register-unsafely-without-email"]);
        if (Options.UsesExternalAccountBinding)
        {
            arguments.AddRange(["--eab-kid", Options.ExternalAccountKeyId!, "--eab-hmac-key", Options.ExternalAccountMacKey!]);
        }

        return arguments;
    }

    private AcmeCliCertificate Read(string name)
    {
        // live/ holds symlinks to the newest files in archive/: keep the real paths, so this object
        // still names this certificate after a renewal (e.g. to revoke the replaced one).
        var live = Path.Combine(ConfigDirectory, "live", name);
        return new AcmeCliCertificate(name, Resolve(Path.Combine(live, "fullchain.pem")), Resolve(Path.Combine(live, "privkey.pem")));

        static string Resolve(string path) => new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
    }

    private Task RunAsync(IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        List<string> arguments =
        [
            .. command,
            "--server", Options.DirectoryUri.AbsoluteUri,
            "--non-interactive",
            "--config-dir", ConfigDirectory,
            "--work-dir", Path.Combine(Directory, "work"),
            "--logs-dir", Path.Combine(Directory, "logs"),
            "--max-log-backups", "0",
        ];
        var environment = new Dictionary<string, string?>
        {
            ["REQUESTS_CA_BUNDLE"] = Options.CaBundlePath,
            ["CURL_CA_BUNDLE"] = null,
            ["HTTPS_PROXY"] = null,
            ["https_proxy"] = null,
            ["HTTP_PROXY"] = null,
            ["http_proxy"] = null,
        };
        return AcmeCli.RunAsync(File.Exists("/usr/bin/certbot") ? "/usr/bin/certbot" : "certbot", command[0], arguments, environment, Options, Directory, LogFile, cancellationToken);
    }
}
