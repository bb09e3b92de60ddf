namespace Pki.Acme;

/// <summary>The type of certificate key <see cref="AcmeCertificateIssuer"/> generates when the request brings neither a key nor a CSR.</summary>
public enum AcmeCertificateKeyType
{
    /// <summary>ECDSA P-256 (default; small and fast).</summary>
    EcP256,

    /// <summary>ECDSA P-384.</summary>
    EcP384,

    /// <summary>RSA 2048.</summary>
    Rsa2048,

    /// <summary>RSA 3072.</summary>
    Rsa3072,

    /// <summary>RSA 4096.</summary>
    Rsa4096,
}
