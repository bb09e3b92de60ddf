namespace Pki.KeyTransparency.Directory;

/// <summary>
/// The implicit binary search tree over log entries (draft-ietf-keytrans-protocol section 4.1 and
/// appendix A): the root of a log of <c>n</c> entries is <c>2^floor(log2(n)) - 1</c>, and the children
/// of an entry follow from its level, as in the draft's Python code.
/// </summary>
internal static class ImplicitSearchTree
{
    /// <summary>The level of an entry: leaves (even indices) are 0, their parents 1, and so on.</summary>
    /// <param name="x">The entry.</param>
    /// <returns>The number of trailing one bits of <paramref name="x"/>.</returns>
    public static int Level(long x)
    {
        var k = 0;
        while (((x >> k) & 1) == 1)
        {
            k++;
        }

        return k;
    }

    /// <summary>The root entry of a log of <paramref name="n"/> entries.</summary>
    /// <param name="n">At least 1.</param>
    /// <returns><c>2^floor(log2(n)) - 1</c>.</returns>
    public static long Root(long n) => (1L << (63 - LeadingZeros(n))) - 1;

    /// <summary>Whether <paramref name="x"/> has a left child.</summary>
    /// <param name="x">The entry.</param>
    /// <returns>True unless it is a leaf.</returns>
    public static bool HasLeft(long x) => Level(x) > 0;

    /// <summary>Whether <paramref name="x"/> has a right child in a log of <paramref name="n"/> entries.</summary>
    /// <param name="x">The entry.</param>
    /// <param name="n">The log size.</param>
    /// <returns>True unless it is a leaf or the rightmost entry.</returns>
    public static bool HasRight(long x, long n) => Level(x) > 0 && x != n - 1;

    /// <summary>The left child of an intermediate entry.</summary>
    /// <param name="x">An entry with <see cref="HasLeft"/>.</param>
    /// <returns>The left child.</returns>
    public static long Left(long x) => x ^ (1L << (Level(x) - 1));

    /// <summary>The right child of an intermediate entry in a log of <paramref name="n"/> entries.</summary>
    /// <param name="x">An entry with <see cref="HasRight"/>.</param>
    /// <param name="n">The log size.</param>
    /// <returns>The right child.</returns>
    public static long Right(long x, long n)
    {
        x ^= 3L << (Level(x) - 1);
        while (x >= n)
        {
            x = Left(x);
        }

        return x;
    }

    /// <summary>The frontier (section 4.1): the root, its right child, that entry's right child, and so on to entry <c>n - 1</c>.</summary>
    /// <param name="n">At least 1.</param>
    /// <returns>The entries, left to right.</returns>
    public static List<long> Frontier(long n) => FrontierFrom(Root(n), n);

    /// <summary>The ancestors of entry <paramref name="x"/> in a log of <paramref name="n"/> entries, root first (the direct path, section 8.2).</summary>
    /// <param name="x">An entry below <paramref name="n"/>.</param>
    /// <param name="n">The log size.</param>
    /// <returns>The entries from the root down to the parent of <paramref name="x"/>; empty for the root.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="x"/> is not an entry of the log.</exception>
    public static List<long> Ancestors(long x, long n)
    {
        if (x < 0 || x >= n)
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, $"A log of {n} entries has entries 0 to {n - 1}.");
        }

        var path = new List<long>();
        for (var y = Root(n); y != x; y = x < y ? Left(y) : Right(y, n))
        {
            path.Add(y);
        }

        return path;
    }

    /// <summary>
    /// The entries whose timestamps update a view from <paramref name="oldSize"/> to <paramref name="n"/>
    /// entries (section 4.2): the ancestors of entry <c>oldSize - 1</c> at or after <paramref name="oldSize"/>,
    /// nearest first, then the remainder of the frontier from the last of them (or from entry
    /// <c>oldSize - 1</c>). The nearest-first order keeps the indices ascending, so the timestamps must
    /// not decrease, and the last ancestor is the one on the frontier, as the section requires.
    /// </summary>
    /// <param name="oldSize">1 to <paramref name="n"/>.</param>
    /// <param name="n">The new size.</param>
    /// <returns>The entries, left to right.</returns>
    public static List<long> UpdatePath(long oldSize, long n)
    {
        var target = oldSize - 1;
        var ancestors = Ancestors(target, n).Where(x => x >= oldSize).Reverse().ToList();

        var start = ancestors.Count > 0 ? ancestors[ancestors.Count - 1] : target;
        var rest = FrontierFrom(start, n);
        ancestors.AddRange(rest.Skip(1));
        return ancestors;
    }

    private static List<long> FrontierFrom(long x, long n)
    {
        var result = new List<long> { x };
        while (HasRight(x, n))
        {
            x = Right(x, n);
            result.Add(x);
        }

        return result;
    }

    private static int LeadingZeros(long n)
    {
        if (n < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "A log in the implicit search tree has at least one entry.");
        }

        var zeros = 0;
        for (var bit = 63; bit >= 0 && ((n >> bit) & 1) == 0; bit--)
        {
            zeros++;
        }

        return zeros;
    }
}
