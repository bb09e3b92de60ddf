using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pki.Acme.Internal;

namespace Pki.Acme;

/// <summary>A certificate chain as the CA sent it (<c>application/pem-certificate-chain</c>, leaf first).</summary>
public sealed class AcmeCertificateChain
{
    private AcmeCertificateChain(string pem, IReadOnlyList<byte[]> certificates, Uri source)
    {
        Pem = pem;
        Certificates = certificates;
        Source = source;
    }

    /// <summary>The PEM text, leaf first.</summary>
    public string Pem { get; }

    /// <summary>The certificates in DER, leaf first.</summary>
    public IReadOnlyList<byte[]> Certificates { get; }

    /// <summary>Where the chain came from: its download URL, or the URI given to <c>FromPem</c>; named in verification errors.</summary>
    public Uri Source { get; }

    /// <summary>The issuer name of the topmost certificate (what <c>PreferredChain</c> matches).</summary>
    public string TopIssuerName
    {
        get
        {
            using var top = Load(Certificates[^1]);
            return top.GetNameInfo(X509NameType.SimpleName, forIssuer: true);
        }
    }

    /// <summary>A new <see cref="X509Certificate2"/> of the leaf (without private key); the caller disposes it.</summary>
    public X509Certificate2 LoadLeaf() => Load(Certificates[0]);

    /// <summary>New <see cref="X509Certificate2"/> objects for all certificates, leaf first; the caller disposes them.</summary>
    public X509Certificate2Collection LoadAll()
    {
        var collection = new X509Certificate2Collection();
        foreach (var der in Certificates)
        {
            collection.Add(Load(der));
        }

        return collection;
    }

    /// <summary>True when the topmost certificate's issuer (or subject) common name is <paramref name="name"/>.</summary>
    public bool IsIssuedBy(string name)
    {
        using var top = Load(Certificates[^1]);
        return string.Equals(top.GetNameInfo(X509NameType.SimpleName, forIssuer: true), name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(top.GetNameInfo(X509NameType.SimpleName, forIssuer: false), name, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// A chain from PEM text (<c>application/pem-certificate-chain</c>, leaf first), e.g. one read back
    /// from storage to check it with <see cref="AcmeCertificateVerifier"/>.
    /// </summary>
    /// <param name="pem">The CERTIFICATE blocks, leaf first.</param>
    /// <param name="source">Where it came from (used in error messages); <c>about:blank</c> when null.</param>
    /// <exception cref="AcmeProtocolException">With <see cref="AcmeProtocolError.MalformedCertificate"/>: not PEM, no certificate, or a certificate that does not parse.</exception>
    public static AcmeCertificateChain FromPem(string pem, Uri? source = null)
    {
        ArgumentNullException.ThrowIfNull(pem);
        return Parse(pem, source ?? new Uri("about:blank"));
    }

    internal static AcmeCertificateChain Parse(string pem, Uri source)
    {
        List<byte[]> certificates;
        try
        {
            certificates = PemCodec.DecodeAll(pem, "CERTIFICATE");
        }
        catch (FormatException ex)
        {
            throw new AcmeProtocolException(AcmeProtocolError.MalformedCertificate, source, "The certificate chain is not valid PEM: " + ex.Message, ex);
        }

        if (certificates.Count == 0)
        {
            throw new AcmeProtocolException(AcmeProtocolError.MalformedCertificate, source, "The certificate chain holds no CERTIFICATE block: " + AcmeTransport.Snippet(System.Text.Encoding.UTF8.GetBytes(pem)));
        }

        for (var i = 0; i < certificates.Count; i++)
        {
            try
            {
                using var certificate = Load(certificates[i]);
            }
            catch (CryptographicException ex)
            {
                throw new AcmeProtocolException(AcmeProtocolError.MalformedCertificate, source, $"Certificate {i} of the chain is not a valid X.509 certificate: {ex.Message}", ex);
            }
        }

        return new AcmeCertificateChain(pem, certificates, source);
    }

    internal static X509Certificate2 Load(byte[] der) =>
#if NET9_0_OR_GREATER
        X509CertificateLoader.LoadCertificate(der);
#else
        new(der);
#endif
}
