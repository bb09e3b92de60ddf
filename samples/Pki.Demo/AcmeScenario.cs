using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using Pki.Acme;
using Pki.TestSupport;

namespace Pki.Demo;

/// <summary>
/// <c>acme --directory URL --domain NAME [--http-port N] [--out DIR]</c>: issues a certificate over
/// http-01 from any ACME directory and writes <c>privkey.pem</c> and <c>fullchain.pem</c> (leaf first).
/// The directory's TLS certificate is validated by the system trust store (on Linux, OpenSSL's:
/// <c>SSL_CERT_FILE</c> / <c>SSL_CERT_DIR</c> add a local test CA's listener certificate).
/// With no arguments it starts a local Pebble (when installed) and issues from it.
/// </summary>
internal sealed class AcmeScenario : IDemoScenario
{
    public int Order => 10;

    public Command CreateCommand()
    {
        var directory = new Option<string>("--directory") { Description = "ACME directory URL (https)", Required = true };
        directory.Validators.Add(r =>
        {
            if (!Uri.TryCreate(r.GetValueOrDefault<string>(), UriKind.Absolute, out _))
            {
                r.AddError($"--directory must be an absolute URL, not '{r.GetValueOrDefault<string>()}'.");
            }
        });
        var domain = new Option<string[]>("--domain") { Description = "DNS name(s) or IP address(es) to certify", Required = true, AllowMultipleArgumentsPerToken = true };
        var httpPort = new Option<int>("--http-port") { Description = "Port of the built-in http-01 responder (the CA connects to port 80 in production)", DefaultValueFactory = _ => 80 };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for privkey.pem and fullchain.pem", DefaultValueFactory = _ => new DirectoryInfo(".") };
        var email = new Option<string?>("--email") { Description = "Account contact address (optional)" };
        var eabKid = new Option<string?>("--eab-kid") { Description = "External Account Binding key id, if the CA requires one" };
        var eabKey = new Option<string?>("--eab-hmac-key") { Description = "External Account Binding MAC key (base64url)" };
        var command = new Command("acme", "Issue a certificate over http-01 from an ACME directory and write the key and chain as files.")
        {
            directory, domain, httpPort, output, email, eabKid, eabKey,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            try
            {
                var binding = result.GetValue(eabKid) is { } kid ? new AcmeExternalAccountBinding(kid, result.GetValue(eabKey) ?? string.Empty) : null;
                return await IssueAsync(
                Console.Out,
                http,
                new Uri(result.GetValue(directory)!),
                result.GetValue(domain)!,
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

    public async Task<int> RunOfflineAsync(TextWriter output, CancellationToken cancellationToken)
    {
        if (!File.Exists("/usr/bin/pebble"))
        {
            await output.WriteLineAsync("Pebble is not installed (apt-get install pebble): skipping the local ACME issuance.");
            await output.WriteLineAsync("Against any CA: dotnet run --project samples/Pki.Demo -- acme --directory URL --domain NAME --out DIR");
            return 0;
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
        await output.WriteLineAsync($"Issued in {started.ElapsedMilliseconds} ms: {leaf.Subject}, serial {leaf.SerialNumber}, valid until {leaf.NotAfter:u}, issued by '{issued.Chain.TopIssuerName}'");
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
