namespace Pki.Shared.Arithmetic;

/// <summary>The field operations <see cref="BatchInversion"/> needs, implemented by both curves' field elements.</summary>
internal interface IInvertibleFieldElement<T>
    where T : struct, IInvertibleFieldElement<T>
{
    /// <summary>this * <paramref name="other"/>.</summary>
    T Multiply(in T other);

    /// <summary>1 / this (constant time; the inverse of zero is zero).</summary>
    T Inverse();
}

/// <summary>
/// Montgomery's trick: the inverses of n field elements for one inversion and 3(n-1) multiplications.
/// Generic over the field (the JIT specializes it per struct, so it costs what hand-written code does);
/// every point encoding and affine table of the VRF suites goes through it.
/// </summary>
internal static class BatchInversion
{
    /// <summary>Replaces each element of <paramref name="values"/> (none zero) by its inverse; <paramref name="scratch"/> is at least as long.</summary>
    public static void InvertInPlace<T>(Span<T> values, Span<T> scratch, in T one)
        where T : struct, IInvertibleFieldElement<T>
    {
        var accumulator = one;
        for (var i = 0; i < values.Length; i++)
        {
            scratch[i] = accumulator;
            accumulator = accumulator.Multiply(values[i]);
        }

        var inverse = accumulator.Inverse();
        for (var i = values.Length - 1; i >= 0; i--)
        {
            var value = values[i];
            values[i] = inverse.Multiply(scratch[i]);
            inverse = inverse.Multiply(value);
        }
    }
}
