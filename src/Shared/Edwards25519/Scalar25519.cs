using System.Runtime.CompilerServices;
using Pki.Shared.Arithmetic;

namespace Pki.Shared.Edwards25519;

/// <summary>
/// An integer modulo L = 2^252 + 27742317777372353535851937790883648493, the order of the
/// edwards25519 base point: the VRF secret scalar x, the nonce k and the response s. Always fully
/// reduced; arithmetic is <see cref="ScalarField"/>'s (constant time, four 64-bit limbs). Encodings
/// are 32-byte little-endian (RFC 8032); the nonce comes from a 64-byte SHA-512 digest, reduced by
/// <see cref="ReduceWide"/>.
/// </summary>
internal readonly struct Scalar25519
{
    /// <summary>Encoded size: 32 bytes.</summary>
    public const int Size = 32;

    /// <summary>Arithmetic modulo L.</summary>
    public static readonly ScalarField Order = new(new U256(0x5812631A5CF5D3ED, 0x14DEF9DEA2F79CD6, 0, 0x1000000000000000));

    private readonly U256 _value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Scalar25519(U256 value) => _value = value;

    /// <summary>The value as a plain 256-bit integer below L.</summary>
    public U256 Value => _value;

    /// <summary>Any 32-byte little-endian integer, reduced mod L.</summary>
    public static Scalar25519 Reduce(ReadOnlySpan<byte> littleEndian) => new(Order.Reduce(U256.FromLittleEndian(littleEndian)));

    /// <summary>A 64-byte little-endian integer (a SHA-512 digest, RFC 8032 and RFC 9381 section 5.4.2.2), reduced mod L.</summary>
    public static Scalar25519 ReduceWide(ReadOnlySpan<byte> littleEndian)
    {
        if (littleEndian.Length < 2 * Size)
        {
            throw new ArgumentException($"A 512-bit integer takes 64 bytes; the span has {littleEndian.Length}.", nameof(littleEndian));
        }

        return new(Order.Reduce(U256.FromLittleEndian(littleEndian), U256.FromLittleEndian(littleEndian.Slice(Size))));
    }

    /// <summary>1 when the 32-byte little-endian integer is below L (a canonical RFC 9381 <c>s</c>), else 0.</summary>
    public static ulong IsCanonical(ReadOnlySpan<byte> littleEndian) => Order.IsBelowModulus(U256.FromLittleEndian(littleEndian));

    /// <summary>a + b mod L.</summary>
    public static Scalar25519 operator +(in Scalar25519 a, in Scalar25519 b) => new(Order.Add(a._value, b._value));

    /// <summary>a b mod L.</summary>
    public static Scalar25519 operator *(in Scalar25519 a, in Scalar25519 b) => new(Order.Multiply(a._value, b._value));

    /// <summary>a b + c mod L: the ECVRF response <c>s = k + c x</c>.</summary>
    public static Scalar25519 MultiplyAdd(in Scalar25519 a, in Scalar25519 b, in Scalar25519 c) => new(Order.MultiplyAdd(a._value, b._value, c._value));

    /// <summary>The 32-byte little-endian encoding (<c>int_to_string(s, qLen)</c> for this suite).</summary>
    public void WriteLittleEndian(Span<byte> destination) => _value.WriteLittleEndian(destination);
}
