using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Pki.Acme.Management;

/// <summary>
/// The crash-safe record of one issuance in the <see cref="ICertificateStore"/>: the certificate key is
/// saved before any CA sees an order, the order URL as soon as it exists, and the finished certificate
/// replaces the current one in one atomic write before the record is removed. A process that crashed
/// midway resumes from the record: a valid order is downloaded (and checked against the saved key and
/// names), anything else is ordered again with the same key. Every write is fenced by the lease token.
/// </summary>
internal sealed class IssuanceJournal(ICertificateStore store, AcmeIssuerPool pool, TimeProvider time, ILogger logger)
{
    /// <summary>
    /// The unfinished issuance of <paramref name="entry"/> left by a crashed process, or a new one whose
    /// freshly created key is saved (fenced) before this returns.
    /// </summary>
    public async Task<PendingIssuance> BeginAsync(CertificateEntry entry, LeaseKeeper keeper, StoredCertificate? stored, CancellationToken cancellationToken)
    {
        var name = entry.Name;
        var identifiers = entry.Options.Identifiers.ToList();
        var pendingKey = StoreKeys.Pending(name);
        var pendingBytes = await store.ReadAsync(pendingKey, cancellationToken).ConfigureAwait(false);
        if (pendingBytes is not null)
        {
            var pending = StoreJson.Deserialize(pendingBytes, StoreJsonContext.Default.PendingIssuance, pendingKey);
            if (stored is not null && stored.KeyPem == pending.KeyPem)
            {
                // A crash after saving the certificate, before removing the record: already done.
                await store.DeleteAsync(pendingKey, cancellationToken).ConfigureAwait(false);
            }
            else if (!pending.Identifiers.SequenceEqual(identifiers, StringComparer.OrdinalIgnoreCase))
            {
                Log.CertificateAction(logger, name, "discarding an unfinished issuance for other identifiers");
            }
            else
            {
                Log.CertificateAction(logger, name, "continuing an unfinished issuance with its saved key");
                return pending;
            }
        }

        // The key is saved before any CA sees an order: a crash from here on orphans nothing.
        using var fresh = AcmeCertificateIssuer.CreateCertificateKey(entry.Options.KeyType);
        var started = new PendingIssuance { Identifiers = identifiers, KeyPem = PemReader.ExportPrivateKeyPem(fresh), StartedAt = time.GetUtcNow() };
        await WriteFencedAsync(keeper, pendingKey, JsonSerializer.SerializeToUtf8Bytes(started, StoreJsonContext.Default.PendingIssuance), cancellationToken).ConfigureAwait(false);
        return started;
    }

    /// <summary>Records the order URL of <paramref name="pending"/> (fenced) the moment the CA created the order.</summary>
    public static Task RecordOrderAsync(LeaseKeeper keeper, string name, PendingIssuance pending, AcmeIssuer issuer, Uri order, CancellationToken cancellationToken) =>
        WriteFencedAsync(keeper, StoreKeys.Pending(name), JsonSerializer.SerializeToUtf8Bytes(pending with { Issuer = issuer.Name, OrderUri = order.AbsoluteUri }, StoreJsonContext.Default.PendingIssuance), cancellationToken);

    /// <summary>Stores <paramref name="record"/> as the current certificate (fenced) and removes the issuance record.</summary>
    public async Task CompleteAsync(LeaseKeeper keeper, string name, StoredCertificate record, CancellationToken cancellationToken)
    {
        await WriteFencedAsync(keeper, StoreKeys.Current(name), JsonSerializer.SerializeToUtf8Bytes(record, StoreJsonContext.Default.StoredCertificate), cancellationToken).ConfigureAwait(false);
        await store.DeleteAsync(StoreKeys.Pending(name), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes an order a crashed process left: when it is valid, downloads its chain and checks that it is for the saved key.</summary>
    public async Task<StoredCertificate?> TryResumeAsync(string name, PendingIssuance pending, AsymmetricAlgorithm key, CancellationToken cancellationToken)
    {
        if (pending.OrderUri is null || pool.FindIssuer(pending.Issuer) is not { } issuer)
        {
            return null;
        }

        var orderUri = new Uri(pending.OrderUri);
        try
        {
            var account = await pool.GetAccountAsync(issuer, cancellationToken).ConfigureAwait(false);
            var order = await issuer.Client.GetOrderAsync(account, orderUri, cancellationToken).ConfigureAwait(false);
            if (order.Resource.Status != AcmeStatus.Valid || order.Resource.Certificate is null)
            {
                Log.CertificateAction(logger, name, $"the unfinished order {orderUri} is '{order.Resource.Status}': ordering again with the saved key");
                return null;
            }

            var chains = await issuer.Client.DownloadCertificateAsync(account, order.Resource.Certificate, includeAlternates: true, cancellationToken).ConfigureAwait(false);
            var chain = AcmeCertificateIssuer.ChooseChain(chains, issuer.Options.PreferredChain);

            // What the CA sends is checked before it is stored: the saved key, the ordered names, the chain, the dates.
            var identifiers = pending.Identifiers.Select(ManagedCertificateOptions.ParseIdentifier).ToList();
            if (!AcmeCertificateVerifier.TryVerify(chain, SubjectPublicKeyInfo(key), identifiers, time.GetUtcNow(), AcmeCertificateVerifier.DefaultClockSkew, out var mismatch))
            {
                Log.CertificateAction(logger, name, $"the certificate of order {orderUri} does not match what was ordered ({mismatch!.Message}): ordering again");
                return null;
            }

            return new StoredCertificate
            {
                Issuer = issuer.Name,
                Directory = issuer.Options.DirectoryUri!.AbsoluteUri,
                OrderUri = orderUri.AbsoluteUri,
                Identifiers = pending.Identifiers,
                KeyPem = pending.KeyPem,
                ChainPem = chain.Pem,
                StoredAt = time.GetUtcNow(),
            };
        }
        catch (Exception ex) when (ex is AcmeException or HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.ResumeFailed(logger, ex, name, orderUri);
            return null;
        }
    }

    /// <summary>A write under the lease: refused (and the issuance cancelled) once another instance holds it.</summary>
    private static async Task WriteFencedAsync(LeaseKeeper keeper, string key, byte[] value, CancellationToken cancellationToken)
    {
        if (!await keeper.Lease.TryWriteAsync(key, value, isSecret: true, cancellationToken).ConfigureAwait(false))
        {
            keeper.MarkLost($"the store refused the fenced write of '{key}'");
            throw new CertificateLeaseLostException(keeper.Lease.Name.Replace("certificate-", string.Empty, StringComparison.Ordinal), keeper.Lease.Token);
        }
    }

    private static byte[] SubjectPublicKeyInfo(AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => ec.ExportSubjectPublicKeyInfo(),
        RSA rsa => rsa.ExportSubjectPublicKeyInfo(),
        _ => [],
    };
}
