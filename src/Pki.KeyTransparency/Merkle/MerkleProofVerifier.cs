using System.Globalization;

namespace Pki.KeyTransparency.Merkle;

/// <summary>
/// RFC 9162 proof verification (sections 2.1.3.2 and 2.1.4.2) for any <see cref="MerkleTreeHasher"/>.
/// Computing is split from comparing: <c>Compute...</c> checks the preconditions and the exact proof
/// length and returns the root(s) the proof implies; <c>Verify...</c> then compares them with the
/// trusted roots and returns a typed result. Proofs are the hashes back to back, bottom-up.
/// </summary>
/// <remarks>
/// Sizes are trusted inputs, exactly like roots: take both from the same signed tree head. RFC 9162's
/// hashes do not encode sizes, so a proof checked against a root with the wrong size can still succeed
/// when both sizes give the path the same shape; a wrong size paired with that size's genuine root fails.
/// </remarks>
public static class MerkleProofVerifier
{
    /// <summary>Number of hashes in the inclusion proof of <paramref name="leafIndex"/> in a tree of <paramref name="treeSize"/>.</summary>
    /// <param name="leafIndex">0-based, below <paramref name="treeSize"/>.</param>
    /// <param name="treeSize">At least 1.</param>
    /// <returns>The exact proof length in hashes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The index is not in the tree.</exception>
    public static int InclusionProofLength(long leafIndex, long treeSize)
    {
        if (leafIndex < 0 || leafIndex >= treeSize)
        {
            throw new ArgumentOutOfRangeException(nameof(leafIndex), leafIndex, $"The leaf index must be 0 to tree size - 1 ({treeSize - 1}).");
        }

        // The path splits where the leaf's and the last leaf's indices first differ (inner part);
        // above that, one hash per left sibling on the right border.
        var inner = BitMath.BitLength((ulong)leafIndex ^ (ulong)(treeSize - 1));
        return inner + BitMath.PopCount((ulong)leafIndex >> inner);
    }

    /// <summary>Number of hashes in the consistency proof between sizes <paramref name="firstSize"/> and <paramref name="secondSize"/>.</summary>
    /// <param name="firstSize">1 to <paramref name="secondSize"/>.</param>
    /// <param name="secondSize">The newer tree size, at least <paramref name="firstSize"/>.</param>
    /// <returns>The exact proof length in hashes (0 when the sizes are equal).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The sizes are out of order or the first is below 1.</exception>
    public static int ConsistencyProofLength(long firstSize, long secondSize)
    {
        if (firstSize < 1 || firstSize > secondSize)
        {
            throw new ArgumentOutOfRangeException(nameof(firstSize), firstSize, $"The first size must be 1 to the second size ({secondSize}).");
        }

        if (firstSize == secondSize)
        {
            return 0;
        }

        var inner = BitMath.BitLength((ulong)(firstSize - 1) ^ (ulong)(secondSize - 1));
        var border = BitMath.PopCount((ulong)(firstSize - 1) >> inner);
        var shift = BitMath.TrailingZeroCount((ulong)firstSize);
        var seedIncluded = firstSize == 1L << shift ? 0 : 1;
        return seedIncluded + (inner - shift) + border;
    }

    /// <summary>
    /// Computes the root that an inclusion proof implies for <paramref name="leafHash"/>
    /// (RFC 9162 section 2.1.3.2, steps 1 to 4). Compare it with a trusted root yourself, or call
    /// <see cref="VerifyInclusion"/>.
    /// </summary>
    /// <param name="hasher">The strategy the log hashed with (e.g. <see cref="Rfc9162TreeHasher.Sha256"/>); it fixes the hash size.</param>
    /// <param name="leafIndex">0-based leaf index, below <paramref name="treeSize"/>.</param>
    /// <param name="treeSize">Number of leaves in the tree, at least 1; trusted, from the same signed tree head as the root.</param>
    /// <param name="leafHash">The leaf's hash (<see cref="MerkleTreeHasher.HashLeaf(ReadOnlySpan{byte})"/>), <see cref="MerkleTreeHasher.HashSize"/> bytes.</param>
    /// <param name="proof">The proof hashes, bottom-up, back to back.</param>
    /// <param name="computedRoot">Receives the root; at least <see cref="MerkleTreeHasher.HashSize"/> bytes.</param>
    /// <returns>Valid when a root was computed; otherwise the failed precondition.</returns>
    public static MerkleVerificationResult ComputeRootFromInclusionProof(
        MerkleTreeHasher hasher, long leafIndex, long treeSize, ReadOnlySpan<byte> leafHash, ReadOnlySpan<byte> proof, Span<byte> computedRoot)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        var size = hasher.HashSize;
        CheckDestination(computedRoot, size, nameof(computedRoot));
        if (treeSize < 0)
        {
            return Fail(MerkleProofFailure.TreeSizeInvalid, $"The tree size {treeSize} is negative.");
        }

        if (leafIndex < 0 || leafIndex >= treeSize)
        {
            return Fail(MerkleProofFailure.LeafIndexOutOfRange, $"The leaf index {leafIndex} is not below the tree size {treeSize}.");
        }

        if (leafHash.Length != size)
        {
            return Fail(MerkleProofFailure.HashSizeMismatch, $"The leaf hash is {leafHash.Length} bytes; the hasher's hashes are {size}.");
        }

        var shape = CheckProofShape(proof, size, InclusionProofLength(leafIndex, treeSize), $"leaf {leafIndex} in a tree of {treeSize}");
        if (!shape.IsValid)
        {
            return shape;
        }

        Span<byte> r = stackalloc byte[size];
        Span<byte> scratch = stackalloc byte[size];
        leafHash.CopyTo(r);
        var rIsLeaf = true;

        // 2. Set fn to leaf_index and sn to tree_size - 1.
        var fn = (ulong)leafIndex;
        var sn = (ulong)(treeSize - 1);
        var level = 0;

        // 4. For each value p in the inclusion_path array:
        for (var offset = 0; offset < proof.Length; offset += size)
        {
            var p = proof.Slice(offset, size);

            // a. If sn is 0, then stop the iteration and fail the proof verification.
            if (sn == 0)
            {
                return Fail(MerkleProofFailure.ProofLengthMismatch, "The inclusion proof has hashes beyond the root.");
            }

            // b. If LSB(fn) is set, or if fn is equal to sn, then: set r to HASH(0x01 || p || r), and if
            //    LSB(fn) is not set, right-shift both fn and sn equally until either LSB(fn) is set or fn is 0.
            if ((fn & 1) == 1 || fn == sn)
            {
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                    level++;
                }

                // p is the complete left sibling of 2^level leaves.
                hasher.HashChildren(p, level == 0, r, rIsLeaf, scratch);
            }
            else
            {
                // Otherwise set r to HASH(0x01 || r || p); p covers the leaves right of r, up to the tree size.
                hasher.HashChildren(r, rIsLeaf, p, RightSiblingIsLeaf(fn, level, (ulong)treeSize), scratch);
            }

            scratch.CopyTo(r);
            rIsLeaf = false;

            // c. Finally, right-shift both fn and sn one time.
            fn >>= 1;
            sn >>= 1;
            level++;
        }

        // 5. Compare sn to 0.
        if (sn != 0)
        {
            return Fail(MerkleProofFailure.ProofLengthMismatch, "The inclusion proof ends below the root.");
        }

        r.CopyTo(computedRoot);
        return MerkleVerificationResult.Valid;
    }

    /// <summary>
    /// Verifies that <paramref name="leafHash"/> is leaf <paramref name="leafIndex"/> of the tree of
    /// <paramref name="treeSize"/> leaves whose root is <paramref name="expectedRoot"/> (RFC 9162 section 2.1.3.2).
    /// </summary>
    /// <param name="hasher">The strategy the log hashed with (e.g. <see cref="Rfc9162TreeHasher.Sha256"/>); it fixes the hash size.</param>
    /// <param name="leafIndex">0-based leaf index, below <paramref name="treeSize"/>.</param>
    /// <param name="treeSize">Number of leaves in the tree, at least 1; trusted, from the same signed tree head as the root.</param>
    /// <param name="leafHash">The leaf's hash (<see cref="MerkleTreeHasher.HashLeaf(ReadOnlySpan{byte})"/>), <see cref="MerkleTreeHasher.HashSize"/> bytes.</param>
    /// <param name="proof">The proof hashes, bottom-up, back to back.</param>
    /// <param name="expectedRoot">The root of that tree size from a verified signed tree head, <see cref="MerkleTreeHasher.HashSize"/> bytes.</param>
    /// <returns>Valid, or the typed reason it is not.</returns>
    public static MerkleVerificationResult VerifyInclusion(
        MerkleTreeHasher hasher, long leafIndex, long treeSize, ReadOnlySpan<byte> leafHash, ReadOnlySpan<byte> proof, ReadOnlySpan<byte> expectedRoot)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        if (expectedRoot.Length != hasher.HashSize)
        {
            return Fail(MerkleProofFailure.HashSizeMismatch, $"The expected root is {expectedRoot.Length} bytes; the hasher's hashes are {hasher.HashSize}.");
        }

        Span<byte> computed = stackalloc byte[hasher.HashSize];
        var result = ComputeRootFromInclusionProof(hasher, leafIndex, treeSize, leafHash, proof, computed);
        if (!result.IsValid)
        {
            return result;
        }

        return computed.SequenceEqual(expectedRoot)
            ? MerkleVerificationResult.Valid
            : Fail(MerkleProofFailure.RootMismatch, $"The proof for leaf {leafIndex} in a tree of {treeSize} leads to root {Hex(computed)}, not the expected {Hex(expectedRoot)}.");
    }

    /// <summary>
    /// Computes the two roots a consistency proof implies (RFC 9162 section 2.1.4.2, steps 1 to 6),
    /// starting from the first tree's root. Compare them yourself or call <see cref="VerifyConsistency"/>.
    /// For equal sizes the proof must be empty and both computed roots are <paramref name="firstRoot"/>.
    /// </summary>
    /// <param name="hasher">The strategy the log hashed with (e.g. <see cref="Rfc9162TreeHasher.Sha256"/>); it fixes the hash size.</param>
    /// <param name="firstSize">The older tree size, at least 1.</param>
    /// <param name="secondSize">The newer tree size, at least <paramref name="firstSize"/>.</param>
    /// <param name="firstRoot">The older tree's root (trusted).</param>
    /// <param name="proof">The proof hashes, back to back.</param>
    /// <param name="computedFirstRoot">Receives the older root the proof implies.</param>
    /// <param name="computedSecondRoot">Receives the newer root the proof implies.</param>
    /// <returns>Valid when roots were computed; otherwise the failed precondition.</returns>
    public static MerkleVerificationResult ComputeRootsFromConsistencyProof(
        MerkleTreeHasher hasher, long firstSize, long secondSize, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> proof,
        Span<byte> computedFirstRoot, Span<byte> computedSecondRoot)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        var size = hasher.HashSize;
        CheckDestination(computedFirstRoot, size, nameof(computedFirstRoot));
        CheckDestination(computedSecondRoot, size, nameof(computedSecondRoot));
        if (firstSize < 0 || secondSize < 0 || firstSize > secondSize)
        {
            return Fail(MerkleProofFailure.TreeSizeInvalid, $"The sizes {firstSize} and {secondSize} are not 0 <= first <= second.");
        }

        if (firstSize == 0)
        {
            return Fail(MerkleProofFailure.ConsistencyFromEmptyTree, "RFC 9162 defines no consistency proof from the empty tree (first size 0).");
        }

        if (firstRoot.Length != size)
        {
            return Fail(MerkleProofFailure.HashSizeMismatch, $"The first root is {firstRoot.Length} bytes; the hasher's hashes are {size}.");
        }

        var shape = CheckProofShape(proof, size, ConsistencyProofLength(firstSize, secondSize), $"sizes {firstSize} to {secondSize}");
        if (!shape.IsValid)
        {
            return shape;
        }

        if (firstSize == secondSize)
        {
            firstRoot.CopyTo(computedFirstRoot);
            firstRoot.CopyTo(computedSecondRoot);
            return MerkleVerificationResult.Valid;
        }

        // 2. If first is an exact power of 2, then prepend first_hash to the consistency_path array.
        var seedFromRoot = (firstSize & (firstSize - 1)) == 0;

        // 3. Set fn to first - 1 and sn to second - 1.
        var fn = (ulong)(firstSize - 1);
        var sn = (ulong)(secondSize - 1);
        var level = 0;

        // 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set.
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
            level++;
        }

        // 5. Set both fr and sr to the first value in the consistency_path array.
        Span<byte> fr = stackalloc byte[size];
        Span<byte> sr = stackalloc byte[size];
        Span<byte> scratch = stackalloc byte[size];
        var seed = seedFromRoot ? firstRoot : proof.Slice(0, size);
        seed.CopyTo(fr);
        seed.CopyTo(sr);
        var frIsLeaf = level == 0;
        var srIsLeaf = frIsLeaf;

        // 6. For each subsequent value c in the consistency_path array:
        for (var offset = seedFromRoot ? 0 : size; offset < proof.Length; offset += size)
        {
            var c = proof.Slice(offset, size);

            // a. If sn is 0, then stop the iteration and fail the proof verification.
            if (sn == 0)
            {
                return Fail(MerkleProofFailure.ProofLengthMismatch, "The consistency proof has hashes beyond the root.");
            }

            // b. If LSB(fn) is set, or if fn is equal to sn, then: set fr to HASH(0x01 || c || fr), set sr to
            //    HASH(0x01 || c || sr), and if LSB(fn) is not set, right-shift both fn and sn equally until
            //    either LSB(fn) is set or fn is 0.
            if ((fn & 1) == 1 || fn == sn)
            {
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                    level++;
                }

                var cIsLeaf = level == 0;
                hasher.HashChildren(c, cIsLeaf, fr, frIsLeaf, scratch);
                scratch.CopyTo(fr);
                hasher.HashChildren(c, cIsLeaf, sr, srIsLeaf, scratch);
                scratch.CopyTo(sr);
                frIsLeaf = false;
            }
            else
            {
                // Otherwise set sr to HASH(0x01 || sr || c).
                hasher.HashChildren(sr, srIsLeaf, c, RightSiblingIsLeaf(fn, level, (ulong)secondSize), scratch);
                scratch.CopyTo(sr);
            }

            srIsLeaf = false;

            // c. Finally, right-shift both fn and sn one time.
            fn >>= 1;
            sn >>= 1;
            level++;
        }

        // 7. ... and that sn is 0.
        if (sn != 0)
        {
            return Fail(MerkleProofFailure.ProofLengthMismatch, "The consistency proof ends below the root.");
        }

        fr.CopyTo(computedFirstRoot);
        sr.CopyTo(computedSecondRoot);
        return MerkleVerificationResult.Valid;
    }

    /// <summary>
    /// Verifies that the tree of <paramref name="secondSize"/> leaves with root <paramref name="secondRoot"/>
    /// extends the tree of <paramref name="firstSize"/> leaves with root <paramref name="firstRoot"/>
    /// (RFC 9162 section 2.1.4.2).
    /// </summary>
    /// <param name="hasher">The strategy the log hashed with (e.g. <see cref="Rfc9162TreeHasher.Sha256"/>); it fixes the hash size.</param>
    /// <param name="firstSize">The older tree size, at least 1 (RFC 9162 defines no proof from the empty tree).</param>
    /// <param name="secondSize">The newer tree size, at least <paramref name="firstSize"/>.</param>
    /// <param name="firstRoot">The older tree's trusted root, <see cref="MerkleTreeHasher.HashSize"/> bytes.</param>
    /// <param name="secondRoot">The newer tree's trusted root, <see cref="MerkleTreeHasher.HashSize"/> bytes.</param>
    /// <param name="proof">The proof hashes, back to back.</param>
    /// <returns>Valid, or the typed reason it is not.</returns>
    public static MerkleVerificationResult VerifyConsistency(
        MerkleTreeHasher hasher, long firstSize, long secondSize, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot, ReadOnlySpan<byte> proof)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        if (secondRoot.Length != hasher.HashSize)
        {
            return Fail(MerkleProofFailure.HashSizeMismatch, $"The second root is {secondRoot.Length} bytes; the hasher's hashes are {hasher.HashSize}.");
        }

        Span<byte> first = stackalloc byte[hasher.HashSize];
        Span<byte> second = stackalloc byte[hasher.HashSize];
        var result = ComputeRootsFromConsistencyProof(hasher, firstSize, secondSize, firstRoot, proof, first, second);
        if (!result.IsValid)
        {
            return result;
        }

        // 7. Verify that the fr calculated is equal to the first_hash supplied, that the sr calculated is
        //    equal to the second_hash supplied.
        if (!first.SequenceEqual(firstRoot))
        {
            return Fail(MerkleProofFailure.FirstRootMismatch, $"The proof from {firstSize} to {secondSize} implies first root {Hex(first)}, not the given {Hex(firstRoot)}.");
        }

        return second.SequenceEqual(secondRoot)
            ? MerkleVerificationResult.Valid
            : Fail(MerkleProofFailure.SecondRootMismatch, $"The proof from {firstSize} to {secondSize} implies second root {Hex(second)}, not the given {Hex(secondRoot)}.");
    }

    /// <summary>
    /// The right sibling at <paramref name="level"/> of the node numbered <paramref name="fn"/> covers the
    /// leaves from (fn + 1) x 2^level up to the tree size; it is a single leaf when that range has one leaf.
    /// </summary>
    private static bool RightSiblingIsLeaf(ulong fn, int level, ulong treeSize)
    {
        if (level == 0)
        {
            return true;
        }

        if (level >= 63)
        {
            return false;
        }

        var first = (fn + 1) << level;
        return treeSize - first == 1;
    }

    private static MerkleVerificationResult CheckProofShape(ReadOnlySpan<byte> proof, int hashSize, int expectedHashes, string what)
    {
        if (proof.Length % hashSize != 0)
        {
            return Fail(MerkleProofFailure.MalformedProof, $"The proof is {proof.Length} bytes, not a whole number of {hashSize}-byte hashes.");
        }

        var hashes = proof.Length / hashSize;
        return hashes == expectedHashes
            ? MerkleVerificationResult.Valid
            : Fail(MerkleProofFailure.ProofLengthMismatch, $"The proof for {what} must have {expectedHashes} hashes; it has {hashes}.");
    }

    private static void CheckDestination(Span<byte> destination, int size, string name)
    {
        if (destination.Length < size)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; a root needs {size}.", name);
        }
    }

    private static MerkleVerificationResult Fail(MerkleProofFailure failure, string message) => MerkleVerificationResult.Fail(failure, message);

    internal static string Hex(ReadOnlySpan<byte> bytes)
    {
#if NET9_0_OR_GREATER
        return Convert.ToHexStringLower(bytes);
#else
        var builder = new System.Text.StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            builder.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
#endif
    }
}
