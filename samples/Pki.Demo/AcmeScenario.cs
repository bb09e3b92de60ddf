using System.CommandLine;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Pki.Acme;
using Pki.Acme.Server;
using Pki.TestSupport;

namespace Pki.Demo;

/// <summary>
/// <c>acme --directory URL --domain NAME [--http-port N] [--out DIR]</c>: issues a certificate over
/// http-01 from any ACME directory and writes <c>privkey.pem</c> and <c>fullchain.pem</c> (leaf first).
/// The directory's TLS certificate is validated by the system trust store (on Linux, OpenSSL's:
/// <c>SSL_CERT_FILE</c> / <c>SSL_CERT_DIR</c> add a local test CA's listener certificate).
/// With no arguments it starts the embedded ACME server (Pki.Acme.Server) in this process on loopback and issues from it;
/// <c>acme serve</c> runs that server for other clients, <c>acme pebble</c> issues from a local Pebble instead.
/// </summary>
internal sealed class AcmeScenario : IDemoScenario
{
    public int Order => 10;

    public Command CreateCommand()
    {
        var directory = new Option<string?>("--directory") { Description = "ACME directory URL (https); without it, an ACME server is started in-process and issues" };
        directory.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } value && !Uri.TryCreate(value, UriKind.Absolute, out _))
            {
                r.AddError($"--directory must be an absolute URL, not '{value}'.");
            }
        });
        var domain = new Option<string[]>("--domain") { Description = "DNS name(s) or IP address(es) to certify (required with --directory)", AllowMultipleArgumentsPerToken = true };
        var httpPort = new Option<int>("--http-port") { Description = "Port of the built-in http-01 responder (the CA connects to port 80 in production)", DefaultValueFactory = _ => 80 };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for privkey.pem and fullchain.pem", DefaultValueFactory = _ => new DirectoryInfo(".") };
        var email = new Option<string?>("--email") { Description = "Account contact address (optional)" };
        var eabKid = new Option<string?>("--eab-kid") { Description = "External Account Binding key id, if the CA requires one" };
        var eabKey = new Option<string?>("--eab-hmac-key") { Description = "External Account Binding MAC key (base64url)" };
        var command = new Command("acme", "Issue a certificate over http-01 from an ACME directory and write the key and chain as files (no --directory: from an in-process ACME server).")
        {
            directory, domain, httpPort, output, email, eabKid, eabKey,
        };
        command.Subcommands.Add(CreateServeCommand());
        command.Subcommands.Add(CreatePebbleCommand());
        command.SetAction(async (result, cancellationToken) =>
        {
            if (result.GetValue(directory) is not { } directoryUrl)
            {
                return await RunEmbeddedAsync(Console.Out, cancellationToken);
            }

            if (result.GetValue(domain) is not { Length: > 0 } names)
            {
                await Console.Error.WriteLineAsync("--domain is required with --directory: name the DNS names or IP addresses to certify.");
                return 2;
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            try
            {
                var binding = result.GetValue(eabKid) is { } kid ? new AcmeExternalAccountBinding(kid, result.GetValue(eabKey) ?? string.Empty) : null;
                return await IssueAsync(
                Console.Out,
                http,
                new Uri(directoryUrl),
                names,
                result.GetValue(httpPort),
                result.GetValue(output)!,
                result.GetValue(email),
                binding,
                cancellationToken);
            }
            catch (AcmeException ex)
            {
                await Console.Error.WriteLineAsync($"{ex.GetType().Name}: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    public Task<int> RunOfflineAsync(TextWriter output, CancellationToken cancellationToken) => RunEmbeddedAsync(output, cancellationToken);

    /// <summary>
    /// The self-contained path: an ACME server (Pki.Acme.Server, embedded CA, SQLite) starts in this process on
    /// loopback, and Pki.Acme issues from it for a name and 127.0.0.1 over http-01.
    /// </summary>
    private static async Task<int> RunEmbeddedAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var state = Path.Combine(Path.GetTempPath(), "pki-demo-acme-server-" + Environment.ProcessId);
        var http01Port = LocalAcmeServer.FreeLoopbackPort();
        try
        {
            await using var server = await LocalAcmeServer.StartAsync(
                port: 0,
                state,
                http01Port,
                new Dictionary<string, string> { ["*.example.test"] = "127.0.0.1" },
                cancellationToken: cancellationToken);
            await output.WriteLineAsync($"Started an ACME server in this process at {server.DirectoryUri} (state in {state})");
            await output.WriteLineAsync($"  its HTTPS listener certificate (pinned by this client): {server.ListenerCertificatePemPath}");
            await output.WriteLineAsync($"  its CA root: {server.RootPemPath}");
            using var http = server.CreatePinnedHttpClient();
            var directory = new DirectoryInfo(Path.Combine(Path.GetTempPath(), "pki-demo-acme"));
            var code = await IssueAsync(output, http, server.DirectoryUri, ["demo.example.test", "127.0.0.1"], http01Port, directory, "mailto:demo@example.test", null, cancellationToken);
            if (code == 0)
            {
                using var root = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(server.RootPemPath, cancellationToken));
                var chain = new X509Certificate2Collection();
                chain.ImportFromPemFile(Path.Combine(directory.FullName, "fullchain.pem"));
                using var verifier = new X509Chain();
                verifier.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                verifier.ChainPolicy.CustomTrustStore.Add(root);
                verifier.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                verifier.ChainPolicy.ExtraStore.AddRange(chain);
                var valid = verifier.Build(chain[0]);
                await output.WriteLineAsync($"Chain to the server's root '{root.Subject}': {(valid ? "valid" : "INVALID " + string.Join("; ", verifier.ChainStatus.Select(s => s.StatusInformation)))}");
                code = valid ? 0 : 1;
            }

            return code;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(state, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean with the temp directory.
            }
        }
    }

    /// <summary><c>acme serve</c>: runs the ACME server for other clients until Ctrl+C.</summary>
    private static Command CreateServeCommand()
    {
        var port = new Option<int>("--port") { Description = "HTTPS port on 127.0.0.1", DefaultValueFactory = _ => 14000 };
        var state = new Option<DirectoryInfo>("--state") { Description = "Directory for the database, the CA and the listener certificate (kept across runs)", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(Path.GetTempPath(), "pki-demo-acme-server")) };
        var http01Port = new Option<int>("--http01-port") { Description = "Port the http-01 validator connects to", DefaultValueFactory = _ => 5002 };
        var resolve = new Option<string[]>("--resolve") { Description = "NAME=ADDRESS (NAME exact or *.suffix) checked before DNS", DefaultValueFactory = _ => ["*.test=127.0.0.1", "localhost=127.0.0.1"], AllowMultipleArgumentsPerToken = true };
        var caFilesPort = new Option<int>("--ca-files-port") { Description = "Plain-http port on 127.0.0.1 for the CA's files only (/acme/ca/...; the AIA and CRL URLs in certificates); 0 picks a free one", DefaultValueFactory = _ => 0 };
        var country = new Option<string?>("--country") { Description = "countryName (two upper-case letters) of a newly generated root and intermediate; publicly-trusted CA certificates need it (TLS BR 7.1.2.10.2)" };
        var publicationUrl = new Option<string?>("--publication-url") { Description = "http:// URL certificates name for the CA's files ({URL}/ca/intermediate.cer, .crl) when a proxy publishes them elsewhere; default: the --ca-files-port listener" };
        var caKey = new Option<AcmeServerCaKeyAlgorithm>("--ca-key") { Description = "Key of a newly generated root and intermediate", DefaultValueFactory = _ => AcmeServerCaKeyAlgorithm.EcdsaP256 };
        var verbose = new Option<bool>("--verbose") { Description = "Log every request" };
        var command = new Command("serve", "Run the embedded ACME server (Pki.Acme.Server) on loopback for other ACME clients until Ctrl+C.")
        {
            port, state, http01Port, resolve, caFilesPort, country, publicationUrl, caKey, verbose,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var hosts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in result.GetValue(resolve) ?? [])
            {
                var parts = pair.Split('=', 2);
                if (parts.Length != 2 || !IPAddress.TryParse(parts[1], out _))
                {
                    await Console.Error.WriteLineAsync($"--resolve '{pair}' must be NAME=ADDRESS, for example *.test=127.0.0.1.");
                    return 2;
                }

                hosts[parts[0]] = parts[1];
            }

            Uri? published = null;
            if (result.GetValue(publicationUrl) is { } text &&
                (!Uri.TryCreate(text, UriKind.Absolute, out published) || published.Scheme != Uri.UriSchemeHttp))
            {
                await Console.Error.WriteLineAsync($"--publication-url '{text}' must be an absolute http:// URL (the TLS BR allow only http for AIA and CRL URLs), for example http://pki.example.com/acme.");
                return 2;
            }

            await using var server = await LocalAcmeServer.StartAsync(
                result.GetValue(port),
                result.GetValue(state)!.FullName,
                result.GetValue(http01Port),
                hosts,
                result.GetValue(verbose) ? LogLevel.Information : LogLevel.Warning,
                configure: o =>
                {
                    o.Ca.Country = result.GetValue(country);
                    o.Ca.KeyAlgorithm = result.GetValue(caKey);
                    if (published is not null)
                    {
                        o.Ca.PublicationBaseUrl = published;
                    }
                },
                caFilesPort: result.GetValue(caFilesPort),
                cancellationToken: cancellationToken);
            await Console.Out.WriteLineAsync($"ACME directory: {server.DirectoryUri}");
            await Console.Out.WriteLineAsync($"CA files over plain http: {server.PublicationBaseUrl}/ca/");
            if (published is not null)
            {
                await Console.Out.WriteLineAsync($"Certificates name {published.AbsoluteUri.TrimEnd('/')}/ca/ for them (AIA and CRL URLs): publish the files above there.");
            }
            await Console.Out.WriteLineAsync($"CA root (trust it to verify issued certificates): {server.RootPemPath}");
            await Console.Out.WriteLineAsync($"HTTPS listener certificate (ACME clients must trust it): {server.ListenerCertificatePemPath}");
            await Console.Out.WriteLineAsync($"http-01 is checked on port {result.GetValue(http01Port)}; names resolved locally: {string.Join(", ", hosts.Select(h => h.Key + "=" + h.Value))}");
            await Console.Out.WriteLineAsync($"  e.g. LEGO_CA_CERTIFICATES={server.ListenerCertificatePemPath} lego --server {server.DirectoryUri} --http --http.port :{result.GetValue(http01Port)} -d demo.example.test --email a@example.test run");
            await Console.Out.WriteLineAsync("Press Ctrl+C to stop.");
            await server.WaitForShutdownAsync(cancellationToken);
            await Console.Out.WriteLineAsync("Stopping.");
            return 0;
        });
        return command;
    }

    /// <summary><c>acme pebble</c>: the same issuance against a local Pebble (when installed).</summary>
    private static Command CreatePebbleCommand()
    {
        var command = new Command("pebble", "Issue from a local Pebble (Let's Encrypt's test CA, apt-get install pebble) instead of the in-process server.");
        command.SetAction((_, cancellationToken) => RunPebbleAsync(Console.Out, cancellationToken));
        return command;
    }

    private static async Task<int> RunPebbleAsync(TextWriter output, CancellationToken cancellationToken)
    {
        if (!File.Exists("/usr/bin/pebble"))
        {
            await output.WriteLineAsync("Pebble is not installed (apt-get install pebble): run `acme` without arguments for the in-process server.");
            return 1;
        }

        // A throwaway local CA on loopback. Its listener certificate is made per run, so this
        // client pins it (validation on, trust limited to that certificate); Pebble's validator
        // resolves every name to 127.0.0.1 through pebble-challtestsrv.
        await using var pebble = await PebbleServer.StartAsync(cancellationToken: cancellationToken);
        using var http = pebble.CreateHttpClient();
        await output.WriteLineAsync($"Started Pebble at {pebble.DirectoryUri}");
        var directory = new DirectoryInfo(Path.Combine(Path.GetTempPath(), "pki-demo-acme"));
        return await IssueAsync(output, http, pebble.DirectoryUri, ["demo.example.test", "127.0.0.1"], pebble.HttpPort, directory, "mailto:demo@example.test", null, cancellationToken);
    }

    /// <summary>The names a leaf is for: its subjectAltName (the subject may be empty, as the TLS BR recommend), else its subject.</summary>
    private static string Names(X509Certificate2 leaf) =>
        leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault() is { } san
            ? string.Join(", ", san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(a => a.ToString())))
            : leaf.Subject;

    private static async Task<int> IssueAsync(TextWriter output, HttpClient http, Uri directoryUri, IReadOnlyList<string> names, int httpPort, DirectoryInfo outDirectory, string? email, AcmeExternalAccountBinding? binding, CancellationToken cancellationToken)
    {
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        var client = new AcmeClient(http, new AcmeClientOptions { DirectoryUri = directoryUri }, loggerFactory.CreateLogger<AcmeClient>());
        var meta = (await client.GetDirectoryAsync(cancellationToken)).Meta;
        if (meta?.TermsOfService is { } tos)
        {
            await output.WriteLineAsync($"By continuing you agree to the CA's terms of service: {tos}");
        }

        using var accountKey = AcmeKey.Create(AcmeKeyAlgorithm.ES256);
        var contacts = email is null ? [] : new[] { email.StartsWith("mailto:", StringComparison.Ordinal) ? email : "mailto:" + email };
        var account = await client.CreateAccountAsync(accountKey, new AcmeNewAccountRequest { TermsOfServiceAgreed = true, Contacts = contacts, ExternalAccountBinding = binding }, cancellationToken);
        await output.WriteLineAsync($"Account: {account.Location}");

        var store = new InMemoryHttp01TokenStore();
        await using var responder = Http01Responder.Start(store, httpPort);
        var issuer = new AcmeCertificateIssuer(client, loggerFactory.CreateLogger<AcmeCertificateIssuer>());
        var started = System.Diagnostics.Stopwatch.StartNew();
        var issued = await issuer.IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = names.Select(AcmeIdentifier.Parse).ToList() },
            [new Http01ChallengeSolver(store)],
            cancellationToken);
        started.Stop();

        outDirectory.Create();
        var keyPath = Path.Combine(outDirectory.FullName, "privkey.pem");
        var chainPath = Path.Combine(outDirectory.FullName, "fullchain.pem");
        await WriteAtomicallyAsync(keyPath, issued.PrivateKeyPem!, ownerOnly: true, cancellationToken);
        await WriteAtomicallyAsync(chainPath, issued.ChainPem, ownerOnly: false, cancellationToken);

        using var leaf = issued.Chain.LoadLeaf();
        await output.WriteLineAsync($"Issued in {started.ElapsedMilliseconds} ms: {Names(leaf)}, serial {leaf.SerialNumber}, valid until {leaf.NotAfter:u}, issued by '{issued.Chain.TopIssuerName}'");
        await output.WriteLineAsync($"Wrote {keyPath} and {chainPath} ({issued.Chain.Certificates.Count} certificates, leaf first)");
        return 0;
    }

    private static async Task WriteAtomicallyAsync(string path, string content, bool ownerOnly, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, content, cancellationToken);
        if (ownerOnly && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
