using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pki.Acme.Management;

/// <summary>Reads the PEM the store keeps (certificates and PKCS#8 keys) on every target.</summary>
internal static class PemReader
{
    public static List<X509Certificate2> ReadCertificates(string pem)
    {
        var result = new List<X509Certificate2>();
        foreach (var der in Blocks(pem, "CERTIFICATE"))
        {
#if NET10_0_OR_GREATER
            result.Add(X509CertificateLoader.LoadCertificate(der));
#else
            result.Add(new X509Certificate2(der));
#endif
        }

        return result;
    }

    /// <summary>The one PKCS#8 EC or RSA key in <paramref name="pem"/> (the caller disposes it); errors name the certificate, never the key.</summary>
    /// <exception cref="CertificateStoreException">Broken PEM, not exactly one <c>PRIVATE KEY</c> block, or a key that is not ECDSA or RSA PKCS#8.</exception>
    public static AsymmetricAlgorithm ImportPrivateKey(string pem, string name)
    {
        var blocks = Blocks(pem, PrivateKeyCodec.PemLabel);
        try
        {
            if (blocks.Count != 1)
            {
                throw new CertificateStoreException($"The stored key of certificate '{name}' is not one PKCS#8 PEM block.");
            }

            return PrivateKeyCodec.ImportEcOrRsa(blocks[0]);
        }
        catch (PrivateKeyFormatException ex)
        {
            throw new CertificateStoreException($"The stored key of certificate '{name}' is neither an ECDSA nor an RSA PKCS#8 key.", ex);
        }
        finally
        {
            foreach (var block in blocks)
            {
                CryptographicOperations.ZeroMemory(block);
            }
        }
    }

    /// <summary>The key as one PKCS#8 PEM block (64-column base64, RFC 7468); a secret, stored with <c>isSecret: true</c>.</summary>
    public static string ExportPrivateKeyPem(AsymmetricAlgorithm key) => PrivateKeyCodec.ExportPem(key);

    private static List<byte[]> Blocks(string pem, string label)
    {
        try
        {
            return PemCodec.DecodeAll(pem, label);
        }
        catch (FormatException ex)
        {
            // The message names the label and offset only: the text may hold a key.
            throw new CertificateStoreException($"A stored {ex.Message}", ex);
        }
    }
}
