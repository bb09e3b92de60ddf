namespace Pki.Acme;

/// <summary>The type of certificate key <see cref="AcmeCertificateIssuer"/> generates when the request brings neither a key nor a CSR.</summary>
public enum AcmeCertificateKeyType
{
    /// <summary>ECDSA P-256 (default; small and fast).</summary>
    EcP256,

    /// <summary>ECDSA P-384 (for policies that require 192-bit security).</summary>
    EcP384,

    /// <summary>RSA 2048 bits: the widest compatibility with old clients.</summary>
    Rsa2048,

    /// <summary>RSA 3072 bits: about 128-bit security, slower handshakes than P-256.</summary>
    Rsa3072,

    /// <summary>RSA 4096 bits: the largest size Web PKI CAs accept; the slowest to generate and use.</summary>
    Rsa4096,
}
