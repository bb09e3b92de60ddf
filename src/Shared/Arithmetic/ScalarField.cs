using System.Runtime.CompilerServices;
using static Pki.Shared.Arithmetic.Limbs;

namespace Pki.Shared.Arithmetic;

/// <summary>
/// Constant-time arithmetic modulo an odd m below 2^256 (a group order q), on <see cref="U256"/>
/// values in four 64-bit limbs. Multiplication is Montgomery's with R = 2^256: four rounds that each
/// add one word's partial product and clear one word, then one subtraction of m chosen by a mask. Nothing
/// branches on or indexes by a value; only the modulus (public) shapes the work.
/// </summary>
/// <remarks>
/// Values passed in and returned are plain (not Montgomery form) and fully reduced below m unless a
/// method says otherwise. The Montgomery factor is removed with R^2 mod m, so
/// <c>Multiply</c> costs two Montgomery multiplications.
/// </remarks>
internal sealed class ScalarField
{
    private readonly ulong _m0;
    private readonly ulong _m1;
    private readonly ulong _m2;
    private readonly ulong _m3;

    /// <summary>-1/m mod 2^64: the factor that clears one word per reduction step.</summary>
    private readonly ulong _negInverse;

    /// <summary>R mod m: Montgomery multiplication by it reduces any 256-bit value.</summary>
    private readonly U256 _r;

    /// <summary>R^2 mod m: Montgomery multiplication by it multiplies by R (mod m).</summary>
    private readonly U256 _r2;

    /// <summary>Sets up arithmetic modulo <paramref name="modulus"/>, which must be odd and above 1.</summary>
    /// <exception cref="ArgumentException">The modulus is even or 1 (Montgomery needs m odd).</exception>
    public ScalarField(U256 modulus)
    {
        if ((modulus.L0 & 1) == 0 || (modulus.L0 == 1 && (modulus.L1 | modulus.L2 | modulus.L3) == 0))
        {
            throw new ArgumentException("A Montgomery modulus must be odd and above 1.", nameof(modulus));
        }

        Modulus = modulus;
        (_m0, _m1, _m2, _m3) = (modulus.L0, modulus.L1, modulus.L2, modulus.L3);

        // Newton's iteration for 1/m0 mod 2^64: m0 is its own inverse mod 8, and each step doubles the
        // correct low bits (3, 6, 12, 24, 48, 96).
        var inverse = _m0;
        for (var i = 0; i < 5; i++)
        {
            inverse *= 2 - (_m0 * inverse);
        }

        _negInverse = 0 - inverse;

        // R mod m and R^2 mod m by doubling 1 (public constants, computed once).
        var power = new U256(1, 0, 0, 0);
        for (var i = 0; i < 256; i++)
        {
            power = Add(power, power);
        }

        _r = power;
        for (var i = 0; i < 256; i++)
        {
            power = Add(power, power);
        }

        _r2 = power;
    }

    /// <summary>The modulus m.</summary>
    public U256 Modulus { get; }

    /// <summary>1 when <paramref name="a"/> is below m (a canonical residue), else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong IsBelowModulus(in U256 a)
    {
        SubBorrow(a.L0, _m0, 0, out var borrow);
        SubBorrow(a.L1, _m1, borrow, out borrow);
        SubBorrow(a.L2, _m2, borrow, out borrow);
        SubBorrow(a.L3, _m3, borrow, out borrow);
        return borrow;
    }

    /// <summary>1 when <paramref name="a"/> is in [1, m-1] (RFC 6979 section 3.2 step h.3's test on k), else 0.</summary>
    public ulong IsInRange(in U256 a) => IsBelowModulus(a) & (a.IsZero() ^ 1);

    /// <summary>Any 256-bit value mod m.</summary>
    public U256 Reduce(in U256 a) => MontgomeryMultiply(a, _r); // a R / R

    /// <summary>The 512-bit value <paramref name="high"/> 2^256 + <paramref name="low"/> mod m.</summary>
    public U256 Reduce(in U256 low, in U256 high) => Add(Reduce(low), MontgomeryMultiply(high, _r2)); // high R^2 / R = high R

    /// <summary>a + b mod m, for a and b below m.</summary>
    public U256 Add(in U256 a, in U256 b)
    {
        var t0 = AddCarry(a.L0, b.L0, 0, out var carry);
        var t1 = AddCarry(a.L1, b.L1, carry, out carry);
        var t2 = AddCarry(a.L2, b.L2, carry, out carry);
        var t3 = AddCarry(a.L3, b.L3, carry, out carry);
        return SubtractModulusIfAtLeast(t0, t1, t2, t3, carry);
    }

    /// <summary>a b mod m, for any 256-bit a and b below m.</summary>
    public U256 Multiply(in U256 a, in U256 b) => MontgomeryMultiply(MontgomeryMultiply(a, b), _r2); // (a b / R) R^2 / R

    /// <summary>a b + c mod m (an ECVRF response s = k + c x), for any 256-bit a and b, c below m.</summary>
    public U256 MultiplyAdd(in U256 a, in U256 b, in U256 c) => Add(Multiply(a, b), c);

    /// <summary>
    /// a b / R mod m, fully reduced, for a below 2^256 and b below m (then a b &lt; m R, so the result
    /// before the last masked subtraction is below 2m). Coarsely integrated operand scanning: each of
    /// the four rounds adds a b_i, then the multiple of m that clears the lowest word, and drops that word.
    /// </summary>
    private U256 MontgomeryMultiply(in U256 a, in U256 b)
    {
        ulong t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
        MultiplyReduceRound(a, b.L0, ref t0, ref t1, ref t2, ref t3, ref t4);
        MultiplyReduceRound(a, b.L1, ref t0, ref t1, ref t2, ref t3, ref t4);
        MultiplyReduceRound(a, b.L2, ref t0, ref t1, ref t2, ref t3, ref t4);
        MultiplyReduceRound(a, b.L3, ref t0, ref t1, ref t2, ref t3, ref t4);
        return SubtractModulusIfAtLeast(t0, t1, t2, t3, t4);
    }

    /// <summary>
    /// t = (t + a w + q m) / 2^64 with q = (t + a w) (-1/m) mod 2^64, which makes the dropped word zero.
    /// t stays below 2^256 + m before and after, so five words (t4 at most 1) hold it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MultiplyReduceRound(in U256 a, ulong w, ref ulong t0, ref ulong t1, ref ulong t2, ref ulong t3, ref ulong t4)
    {
        // t += a w
        var c = MulAdd(a.L0, w, t0, 0, out var s0);
        c = MulAdd(a.L1, w, t1, c, out var s1);
        c = MulAdd(a.L2, w, t2, c, out var s2);
        c = MulAdd(a.L3, w, t3, c, out var s3);
        var s4 = AddCarry(t4, c, 0, out var s5);

        // t += q m, then drop the (now zero) lowest word.
        var q = s0 * _negInverse;
        c = MulAdd(q, _m0, s0, 0, out _);
        c = MulAdd(q, _m1, s1, c, out t0);
        c = MulAdd(q, _m2, s2, c, out t1);
        c = MulAdd(q, _m3, s3, c, out t2);
        t3 = AddCarry(s4, c, 0, out var carry);
        t4 = s5 + carry;
    }

    /// <summary>t - m when the 257-bit t (t4 the top bit) is at least m, else t; for t below 2m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private U256 SubtractModulusIfAtLeast(ulong t0, ulong t1, ulong t2, ulong t3, ulong t4)
    {
        var r0 = SubBorrow(t0, _m0, 0, out var borrow);
        var r1 = SubBorrow(t1, _m1, borrow, out borrow);
        var r2 = SubBorrow(t2, _m2, borrow, out borrow);
        var r3 = SubBorrow(t3, _m3, borrow, out borrow);
        SubBorrow(t4, 0, borrow, out borrow);

        // borrow = 1: t was below m, keep it.
        var keep = 0 - borrow;
        return new U256(
            r0 ^ (keep & (r0 ^ t0)),
            r1 ^ (keep & (r1 ^ t1)),
            r2 ^ (keep & (r2 ^ t2)),
            r3 ^ (keep & (r3 ^ t3)));
    }
}
