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

    public static AsymmetricAlgorithm ImportPrivateKey(string pem, string name)
    {
        var blocks = Blocks(pem, "PRIVATE KEY");
        if (blocks.Count != 1)
        {
            throw new CertificateStoreException($"The stored key of certificate '{name}' is not one PKCS#8 PEM block.");
        }

        var der = blocks[0];
        try
        {
            try
            {
                var ec = ECDsa.Create();
                try
                {
                    ec.ImportPkcs8PrivateKey(der, out _);
                    return ec;
                }
                catch (CryptographicException)
                {
                    ec.Dispose();
                }

                var rsa = RSA.Create();
                try
                {
                    rsa.ImportPkcs8PrivateKey(der, out _);
                    return rsa;
                }
                catch
                {
                    rsa.Dispose();
                    throw;
                }
            }
            catch (CryptographicException ex)
            {
                throw new CertificateStoreException($"The stored key of certificate '{name}' is neither an ECDSA nor an RSA PKCS#8 key.", ex);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    public static string ExportPrivateKeyPem(AsymmetricAlgorithm key)
    {
        var der = key.ExportPkcs8PrivateKey();
        try
        {
            return PemCodec.Encode("PRIVATE KEY", der);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

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
