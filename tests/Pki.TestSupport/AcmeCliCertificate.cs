using System.Security.Cryptography.X509Certificates;

namespace Pki.TestSupport;

/// <summary>A certificate a real ACME client obtained, read back from the files it wrote.</summary>
public sealed class AcmeCliCertificate : IDisposable
{
    internal AcmeCliCertificate(string name, string fullChainPath, string privateKeyPath)
    {
        Name = name;
        FullChainPath = fullChainPath;
        PrivateKeyPath = privateKeyPath;
        Chain = [];
        Chain.ImportFromPemFile(fullChainPath);
        if (Chain.Count == 0)
        {
            throw new AcmeCliException($"{fullChainPath} holds no certificate.");
        }

        Certificate = X509Certificate2.CreateFromPemFile(fullChainPath, privateKeyPath);
    }

    /// <summary>The client's name for it (certbot's <c>--cert-name</c>, lego's main domain).</summary>
    public string Name { get; }

    /// <summary>The end-entity certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The chain as served: the end-entity certificate first, then its issuers.</summary>
    public X509Certificate2Collection Chain { get; }

    /// <summary>
    /// The PEM file with the end-entity certificate and its issuers (certbot: this certificate's own file in
    /// <c>archive/</c>; lego: <c>certificates/NAME.crt</c>, which lego overwrites on renewal).
    /// </summary>
    public string FullChainPath { get; }

    /// <summary>The PEM file with the private key.</summary>
    public string PrivateKeyPath { get; }

    /// <summary>The serial number as lower-case hex without leading zeros (Pebble's cert-status-by-serial form).</summary>
    public string SerialHex => Certificate.SerialNumber.TrimStart('0').ToLowerInvariant();

    /// <inheritdoc />
    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var certificate in Chain)
        {
            certificate.Dispose();
        }
    }
}
