using System.Runtime.CompilerServices;
using Pki.Shared.Arithmetic;

namespace Pki.KeyTransparency.Vrf.P256;

/// <summary>
/// An integer modulo n = FFFFFFFF 00000000 FFFFFFFF FFFFFFFF BCE6FAAD A7179E84 F3B9CAC2 FC632551, the
/// order of the P-256 base point: the VRF secret key x, the nonce k and the response s. Always fully
/// reduced; arithmetic is <see cref="ScalarField"/>'s (constant time, four 64-bit limbs). Encodings
/// are 32-byte big-endian (SEC1 and RFC 9381 <c>int_to_string</c> for this suite).
/// </summary>
internal readonly struct P256Scalar
{
    /// <summary>Encoded size: 32 bytes.</summary>
    public const int Size = 32;

    /// <summary>Arithmetic modulo n.</summary>
    public static readonly ScalarField Order = new(new U256(0xF3B9CAC2FC632551, 0xBCE6FAADA7179E84, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFF00000000));

    private readonly U256 _value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private P256Scalar(U256 value) => _value = value;

    /// <summary>The value as a plain 256-bit integer below n.</summary>
    public U256 Value => _value;

    /// <summary>Any 32-byte big-endian integer, reduced mod n.</summary>
    public static P256Scalar Reduce(ReadOnlySpan<byte> bigEndian) => new(Order.Reduce(U256.FromBigEndian(bigEndian)));

    /// <summary>A 64-byte big-endian integer, reduced mod n.</summary>
    public static P256Scalar ReduceWide(ReadOnlySpan<byte> bigEndian)
    {
        if (bigEndian.Length < 2 * Size)
        {
            throw new ArgumentException($"A 512-bit integer takes 64 bytes; the span has {bigEndian.Length}.", nameof(bigEndian));
        }

        return new(Order.Reduce(U256.FromBigEndian(bigEndian.Slice(Size)), U256.FromBigEndian(bigEndian)));
    }

    /// <summary>1 when the 32-byte big-endian integer is below n (a canonical RFC 9381 <c>s</c>), else 0.</summary>
    public static ulong IsCanonical(ReadOnlySpan<byte> bigEndian) => Order.IsBelowModulus(U256.FromBigEndian(bigEndian));

    /// <summary>1 when the 32-byte big-endian integer is in [1, n-1] (a private key, an RFC 6979 nonce), else 0.</summary>
    public static ulong IsInRange(ReadOnlySpan<byte> bigEndian) => Order.IsInRange(U256.FromBigEndian(bigEndian));

    /// <summary>a + b mod n.</summary>
    public static P256Scalar operator +(in P256Scalar a, in P256Scalar b) => new(Order.Add(a._value, b._value));

    /// <summary>a b mod n.</summary>
    public static P256Scalar operator *(in P256Scalar a, in P256Scalar b) => new(Order.Multiply(a._value, b._value));

    /// <summary>a b + c mod n: the ECVRF response <c>s = k + c x</c>.</summary>
    public static P256Scalar MultiplyAdd(in P256Scalar a, in P256Scalar b, in P256Scalar c) => new(Order.MultiplyAdd(a._value, b._value, c._value));

    /// <summary>The 32-byte big-endian encoding (<c>int_to_string(s, qLen)</c>).</summary>
    public void WriteBigEndian(Span<byte> destination) => _value.WriteBigEndian(destination);
}
