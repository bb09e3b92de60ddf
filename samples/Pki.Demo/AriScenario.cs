using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pki.Acme;
using Pki.Ari;

namespace Pki.Demo;

/// <summary>
/// <c>ari --cert FILE --directory URL</c>: the certificate's RFC 9773 CertID, the CA's suggested
/// renewal window, the chosen renewal time and why. With no arguments: the RFC's example CertID
/// and the fallback decision for a certificate whose CA has no ARI.
/// </summary>
internal sealed class AriScenario : IDemoScenario
{
    public int Order => 20;

    public Command CreateCommand()
    {
        var cert = new Option<FileInfo>("--cert") { Description = "Certificate file (PEM or DER; the first certificate of a chain is used)", Required = true };
        var directory = new Option<string>("--directory") { Description = "The issuing CA's ACME directory URL", Required = true };
        var command = new Command("ari", "Show a certificate's CertID, the CA's renewal window and when to renew (RFC 9773).") { cert, directory };
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                using var certificate = Load(result.GetValue(cert)!);
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                var acme = new AcmeClient(http, new AcmeClientOptions { DirectoryUri = new Uri(result.GetValue(directory)!) });
                var renewalInfo = (await acme.GetDirectoryAsync(cancellationToken)).RenewalInfo;
                var plan = await new RenewalPlanner(new RenewalInfoClient(http)).PlanAsync(new TrackedCertificate(certificate, renewalInfo), cancellationToken);
                await PrintAsync(Console.Out, certificate, plan);
                return 0;
            }
            catch (Exception ex) when (ex is AriException or AcmeException or CryptographicException or IOException or UriFormatException)
            {
                await Console.Error.WriteLineAsync($"{ex.GetType().Name}: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    public async Task<int> RunOfflineAsync(TextWriter output, CancellationToken cancellationToken)
    {
        // The RFC 9773 section 4.1 example: AKI 69:88:5B:..., serial 00:87:65:43:21.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ari.example.test", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(Convert.FromHexString("69885B6B87464041E1B37B847BA0AE2CDE01C8D4")));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(new X500DistinguishedName("CN=Example CA"), X509SignatureGenerator.CreateForECDsa(key), now.AddDays(-30), now.AddDays(60), Convert.FromHexString("0087654321"));
        using var http = new HttpClient();
        var plan = await new RenewalPlanner(new RenewalInfoClient(http)).PlanAsync(new TrackedCertificate(certificate, RenewalInfoUrl: null), cancellationToken);
        await PrintAsync(output, certificate, plan);
        var window = new RenewalWindow(now.AddDays(20), now.AddDays(22));
        await output.WriteLineAsync($"With a window {window.Start:u} - {window.End:u} the time would be uniformly random inside it, e.g. {RenewalPlanner.ChooseTime(window, Random.Shared.NextDouble(), now):u}.");
        return 0;
    }

    private static async Task PrintAsync(TextWriter output, X509Certificate2 certificate, RenewalPlan plan)
    {
        await output.WriteLineAsync($"Certificate: {certificate.Subject}, valid {certificate.NotBefore.ToUniversalTime():u} - {certificate.NotAfter.ToUniversalTime():u}");
        await output.WriteLineAsync($"CertID:      {plan.CertId?.Value ?? "(none: no Authority Key Identifier)"}");
        await output.WriteLineAsync($"Window:      {(plan.Window is { } w ? $"{w.Start:u} - {w.End:u}" : "(none)")}");
        await output.WriteLineAsync($"Renew at:    {(plan.RenewAt is { } at ? at.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "never (replaced)")}");
        await output.WriteLineAsync($"Reason:      {plan.Reason}: {plan.Explanation}");
        if (plan.NextPollAt is { } next)
        {
            await output.WriteLineAsync($"Ask again:   {next:u}");
        }
    }

    private static X509Certificate2 Load(FileInfo file)
    {
        var bytes = File.ReadAllBytes(file.FullName);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
            ? X509Certificate2.CreateFromPem(text)
            : X509CertificateLoader.LoadCertificate(bytes);
    }
}
