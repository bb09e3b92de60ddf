namespace Pki.KeyTransparency.Directory;

/// <summary>What a search binary ladder says about the greatest version in one log entry (section 6.2).</summary>
internal enum LadderOutcome
{
    /// <summary>A non-inclusion proof for a version at or below the target: the greatest version is smaller.</summary>
    Less,

    /// <summary>Inclusion for every version at or below the target, non-inclusion for every one above.</summary>
    Equal,

    /// <summary>An inclusion proof for a version above the target: the greatest version is larger.</summary>
    Greater,
}

/// <summary>
/// Binary ladders (draft-ietf-keytrans-protocol section 5 and appendix B), run step by step: each lookup's
/// outcome decides the next version, so the prover (who knows the outcomes) and the verifier (who reads
/// them from a proof) walk the same sequence.
/// </summary>
internal static class BinaryLadder
{
    private const long VersionLimit = 1L << 32;

    /// <summary>
    /// <c>base_binary_ladder(n)</c> of appendix B for the target version itself: the versions of
    /// <c>SearchResponse.binary_ladder</c> (section 13.1), which every search ladder for the target is a prefix of.
    /// </summary>
    /// <param name="target">The target version.</param>
    /// <returns>The versions, in lookup order.</returns>
    public static List<uint> Versions(uint target)
    {
        var versions = new List<uint>();
        Search(target, v =>
        {
            versions.Add(v);
            return v <= target;
        });
        return versions;
    }

    /// <summary><c>monitoring_binary_ladder(t)</c> of appendix B: the versions of <see cref="Versions"/> at or below the target (section 8.1).</summary>
    /// <param name="target">The monitored version.</param>
    /// <returns>The versions, in lookup order.</returns>
    public static List<uint> MonitoringVersions(uint target) => Versions(target).Where(v => v <= target).ToList();

    /// <summary>
    /// Runs a search binary ladder for <paramref name="target"/> (section 6.2): powers of two minus one
    /// until the first non-inclusion, then a binary search, ending early after an inclusion above the
    /// target or a non-inclusion at or below it. Versions above <c>2^32 - 1</c> are skipped as if absent.
    /// </summary>
    /// <param name="target">The target version.</param>
    /// <param name="lookup">Looks a version up; true for inclusion.</param>
    /// <returns>What the ladder established.</returns>
    public static LadderOutcome Search(uint target, Func<uint, bool> lookup)
    {
        long lower = -1, upper = VersionLimit;
        for (var k = 0; k <= 32; k++)
        {
            var v = (1L << k) - 1;
            if (v >= VersionLimit)
            {
                break;
            }

            var included = lookup((uint)v);
            if (Ends(v, included, target))
            {
                return included ? LadderOutcome.Greater : LadderOutcome.Less;
            }

            if (!included)
            {
                upper = v;
                break;
            }

            lower = v;
        }

        while (lower + 1 < upper)
        {
            var v = (lower + upper) / 2;
            var included = v < VersionLimit && lookup((uint)v);
            if (v < VersionLimit && Ends(v, included, target))
            {
                return included ? LadderOutcome.Greater : LadderOutcome.Less;
            }

            if (included)
            {
                lower = v;
            }
            else
            {
                upper = v;
            }
        }

        return LadderOutcome.Equal;
    }

    // Appendix B would_end: inclusion above the target, or non-inclusion at or below it.
    private static bool Ends(long v, bool included, uint target) => included ? v > target : v <= target;
}
