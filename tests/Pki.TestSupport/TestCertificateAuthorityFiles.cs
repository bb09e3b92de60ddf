using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Pki.TestSupport;

/// <summary>
/// CA bundle files for real clients that read trust anchors from a PEM file
/// (<c>REQUESTS_CA_BUNDLE</c> for certbot, <c>LEGO_CA_CERTIFICATES</c> for lego, <c>curl --cacert</c>).
/// </summary>
public static class TestCertificateAuthorityFiles
{
    /// <summary>
    /// Writes <paramref name="certificates"/> (public parts only) as one PEM bundle to
    /// <paramref name="path"/> atomically (temp file, flush, rename) and returns the path.
    /// </summary>
    /// <exception cref="ArgumentException">No certificate was given.</exception>
    public static async Task<string> WritePemBundleAsync(string path, IEnumerable<X509Certificate2> certificates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(certificates);
        var pem = new StringBuilder();
        foreach (var certificate in certificates)
        {
            pem.Append(certificate.ExportCertificatePem()).Append('\n');
        }

        if (pem.Length == 0)
        {
            throw new ArgumentException("A CA bundle needs at least one certificate.", nameof(certificates));
        }

        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(pem.ToString()), cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, full, overwrite: true);
        return full;
    }

    /// <summary>Writes one root (e.g. <see cref="PebbleServer.ListenerCertificate"/> or a test CA's root) as a PEM bundle.</summary>
    public static Task<string> WritePemBundleAsync(string path, X509Certificate2 root, CancellationToken cancellationToken = default) =>
        WritePemBundleAsync(path, [root], cancellationToken);
}
