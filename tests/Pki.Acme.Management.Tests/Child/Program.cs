// Runs one issuance against a Pebble and stops dead at a chosen point, so the test can kill it there:
//   presented: after the http-01 response is presented (the order exists, the store has the key and the order URL)
//   saving:    when the finished certificate is about to be written (the CA has issued it)
// Arguments: storePath directoryUri listenerCertPemPath httpPort certificateName identifier killPoint
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Pki.Acme;
using Pki.Acme.Management;

var (storePath, directory, listenerPem, httpPort, name, identifier, killPoint) = (args[0], new Uri(args[1]), args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture), args[4], args[5], args[6]);
var pinned = X509Certificate2.CreateFromPem(File.ReadAllText(listenerPem)).RawData;
using var http = new HttpClient(new SocketsHttpHandler
{
    SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(pinned) },
});
var issuerOptions = new AcmeIssuerOptions { Name = "pebble", DirectoryUri = directory, TermsOfServiceAgreed = true };
var issuer = new AcmeIssuer(issuerOptions, new AcmeClient(http, new AcmeClientOptions { DirectoryUri = directory }));
var store = new StoppingStore(new FileSystemCertificateStore(storePath), killPoint);
var pool = new AcmeIssuerPool([issuer], store);
var tokens = new InMemoryHttp01TokenStore();
await using var responder = Http01Responder.Start(tokens, httpPort, prefixes: null);
var options = new CertificateManagerOptions { LeaseDuration = TimeSpan.FromSeconds(3), LeasePollInterval = TimeSpan.FromMilliseconds(250) };
options.Certificates.Add(new ManagedCertificateOptions { Name = name, Identifiers = { identifier } });
var manager = new CertificateManager(pool, store, [new StoppingSolver(new Http01ChallengeSolver(tokens), killPoint)], options);
await manager.GetCertificateAsync(name);
Console.WriteLine("DONE");

internal sealed class StoppingSolver(IChallengeSolver inner, string killPoint) : IChallengeSolver
{
    public string ChallengeType => inner.ChallengeType;

    public async Task PresentAsync(AcmeChallengeContext context, CancellationToken cancellationToken)
    {
        await inner.PresentAsync(context, cancellationToken);
        if (killPoint == "presented")
        {
            Console.WriteLine("PRESENTED");
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    public Task CleanupAsync(AcmeChallengeContext context, CancellationToken cancellationToken) => inner.CleanupAsync(context, cancellationToken);
}

internal sealed class StoppingStore(ICertificateStore inner, string killPoint) : ICertificateStore
{
    public Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken) => inner.ReadAsync(key, cancellationToken);

    public Task WriteAsync(string key, ReadOnlyMemory<byte> value, bool isSecret, CancellationToken cancellationToken) => inner.WriteAsync(key, value, isSecret, cancellationToken);

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    public async Task<ICertificateStoreLease?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken) =>
        await inner.TryAcquireLeaseAsync(name, owner, duration, cancellationToken) is { } lease ? new StoppingLease(lease, killPoint) : null;
}

// The current certificate is written under the lease (a fenced write): that is where "saving" stops.
internal sealed class StoppingLease(ICertificateStoreLease inner, string killPoint) : ICertificateStoreLease
{
    public string Name => inner.Name;

    public string Owner => inner.Owner;

    public long Token => inner.Token;

    public Task<bool> RenewAsync(TimeSpan duration, CancellationToken cancellationToken) => inner.RenewAsync(duration, cancellationToken);

    public Task ReleaseAsync(CancellationToken cancellationToken) => inner.ReleaseAsync(cancellationToken);

    public async Task<bool> TryWriteAsync(string key, ReadOnlyMemory<byte> value, bool isSecret, CancellationToken cancellationToken)
    {
        if (killPoint == "saving" && key.EndsWith("/current.json", StringComparison.Ordinal))
        {
            Console.WriteLine("SAVING");
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return await inner.TryWriteAsync(key, value, isSecret, cancellationToken);
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
