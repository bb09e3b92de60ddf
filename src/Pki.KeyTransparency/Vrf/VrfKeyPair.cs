using System.Security.Cryptography;

namespace Pki.KeyTransparency.Vrf;

/// <summary>
/// A VRF private key with its public key. The private key is kept in one array that
/// <see cref="Dispose"/> zeroes; it never appears in <see cref="ToString"/> or exception messages.
/// </summary>
public sealed class VrfKeyPair : IDisposable
{
    private readonly byte[] _privateKey;
    private readonly byte[] _publicKey;
    private bool _disposed;

    internal VrfKeyPair(string suiteName, byte[] privateKey, byte[] publicKey)
    {
        SuiteName = suiteName;
        _privateKey = privateKey;
        _publicKey = publicKey;
    }

    /// <summary>The RFC 9381 name of the suite that created this key pair (<see cref="IVrf.SuiteName"/>); only that suite accepts it.</summary>
    public string SuiteName { get; }

    /// <summary>The encoded public key (<see cref="IVrf.PublicKeySize"/> bytes) to publish for verifiers; readable after disposal.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>The encoded private key, for storage in a secret store. Zero the copy after use.</summary>
    /// <returns>A new array with the <see cref="IVrf.PrivateKeySize"/>-byte private key, owned by the caller.</returns>
    /// <exception cref="ObjectDisposedException">The key pair was disposed.</exception>
    public byte[] ExportPrivateKey() => PrivateKey.ToArray();

    internal ReadOnlySpan<byte> PrivateKey
    {
        get
        {
#if NET8_0_OR_GREATER
            ObjectDisposedException.ThrowIf(_disposed, this);
#else
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(VrfKeyPair));
            }
#endif

            return _privateKey;
        }
    }

    /// <summary>Zeroes the private key; afterwards proving and exporting throw <see cref="ObjectDisposedException"/>. Safe to call twice.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_privateKey);
        _disposed = true;
    }

    /// <inheritdoc />
    public override string ToString() => $"{SuiteName} key pair (public key {Convert.ToBase64String(_publicKey)})";
}
