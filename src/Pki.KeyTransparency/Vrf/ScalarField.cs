using System.Runtime.CompilerServices;
using static Pki.KeyTransparency.Vrf.Limbs;

namespace Pki.KeyTransparency.Vrf;

/// <summary>
/// Constant-time arithmetic modulo an odd m below 2^256 (a group order q), on <see cref="U256"/>
/// values in four 64-bit limbs. Multiplication is Montgomery's with R = 2^256: the 512-bit product,
/// then four word-by-word reduction steps, then one subtraction of m chosen by a mask. Nothing
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
    /// a b / R mod m, fully reduced, for a below 2^256 and b below m: then a b &lt; m R, so the
    /// reduced value is below 2m and one masked subtraction finishes it.
    /// </summary>
    private U256 MontgomeryMultiply(in U256 a, in U256 b)
    {
        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3;

        var bi = b.L0;
        var c = MulAdd(a0, bi, 0, 0, out var r0);
        c = MulAdd(a1, bi, 0, c, out var r1);
        c = MulAdd(a2, bi, 0, c, out var r2);
        var r4 = MulAdd(a3, bi, 0, c, out var r3);

        bi = b.L1;
        c = MulAdd(a0, bi, r1, 0, out r1);
        c = MulAdd(a1, bi, r2, c, out r2);
        c = MulAdd(a2, bi, r3, c, out r3);
        var r5 = MulAdd(a3, bi, r4, c, out r4);

        bi = b.L2;
        c = MulAdd(a0, bi, r2, 0, out r2);
        c = MulAdd(a1, bi, r3, c, out r3);
        c = MulAdd(a2, bi, r4, c, out r4);
        var r6 = MulAdd(a3, bi, r5, c, out r5);

        bi = b.L3;
        c = MulAdd(a0, bi, r3, 0, out r3);
        c = MulAdd(a1, bi, r4, c, out r4);
        c = MulAdd(a2, bi, r5, c, out r5);
        var r7 = MulAdd(a3, bi, r6, c, out r6);

        // Four steps, each adding a multiple of m that clears the lowest word; the carries out of the
        // top word add up to at most 1 because every partial sum stays below 2 m R < 2^513.
        ReduceStep(r0 * _negInverse, r0, ref r1, ref r2, ref r3, ref r4, out var carry);
        r5 = AddCarry(r5, 0, carry, out carry);
        r6 = AddCarry(r6, 0, carry, out carry);
        r7 = AddCarry(r7, 0, carry, out carry);
        var top = carry;
        ReduceStep(r1 * _negInverse, r1, ref r2, ref r3, ref r4, ref r5, out carry);
        r6 = AddCarry(r6, 0, carry, out carry);
        r7 = AddCarry(r7, 0, carry, out carry);
        top += carry;
        ReduceStep(r2 * _negInverse, r2, ref r3, ref r4, ref r5, ref r6, out carry);
        r7 = AddCarry(r7, 0, carry, out carry);
        top += carry;
        ReduceStep(r3 * _negInverse, r3, ref r4, ref r5, ref r6, ref r7, out carry);
        return SubtractModulusIfAtLeast(r4, r5, r6, r7, top + carry);
    }

    /// <summary>
    /// Adds q m to the five words w0..w4 (w0 the lowest), where q = w0 (-1/m) mod 2^64 makes the
    /// lowest word zero; the carry out of w4 goes to <paramref name="carry"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ReduceStep(ulong q, ulong w0, ref ulong w1, ref ulong w2, ref ulong w3, ref ulong w4, out ulong carry)
    {
        var c = MulAdd(q, _m0, w0, 0, out _);
        c = MulAdd(q, _m1, w1, c, out w1);
        c = MulAdd(q, _m2, w2, c, out w2);
        c = MulAdd(q, _m3, w3, c, out w3);
        w4 = AddCarry(w4, c, 0, out carry);
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
