using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pki.KeyTransparency.Merkle;

namespace Pki.KeyTransparency.Tests;

/// <summary>
/// Every tampered proof fails, with the failure it should have. Named cases are derived from the
/// happy-path vectors (names follow transparency-dev/merkle testdata: modified-proof[i]-bit-b,
/// truncated, extra-appended...); a property then tampers random proofs of random trees.
/// </summary>
public sealed class MerkleTamperingTests
{
    private static readonly MerkleTreeHasher Hasher = Rfc9162TreeHasher.Sha256;

    public sealed record Tamper(string Name, long Index, long Size, byte[] Proof, byte[] LeafHash, byte[] Root, MerkleProofFailure[] Expected)
    {
        public override string ToString() => Name;
    }

    public sealed record ConsistencyTamper(string Name, long First, long Second, byte[] Proof, byte[] Root1, byte[] Root2, MerkleProofFailure[] Expected)
    {
        public override string ToString() => Name;
    }

    // Sizes are authenticated with their roots (a signed tree head carries both), and RFC 9162's hashes
    // do not encode sizes: a proof for one size can verify for another size with the same path shape if
    // the root were left unchanged. So a wrong size is presented with the genuine root of that size.
    private static readonly Lazy<MerkleLog> ExtendedLog = new(() =>
    {
        var log = new MerkleLog();
        log.AppendRange(MerkleVectors.Get().LeafInputs);
        log.AppendRange(Enumerable.Range(8, 12).Select(i => new[] { (byte)i, (byte)(i * 3) }));
        return log;
    });

    private static byte[] RootOf(long size) => size is >= 0 and <= 20 ? ExtendedLog.Value.GetRoot(size) : new byte[32];

    public static TheoryData<Tamper> InclusionTampering()
    {
        var v = MerkleVectors.Get();
        var data = new TheoryData<Tamper>();
        foreach (var (index, size, path) in v.Inclusion.Where(c => c.Size >= 5))
        {
            var proof = Vectors.Concat(path);
            var leaf = v.LeafHashes[(int)index];
            var root = v.Roots[size];
            var prefix = $"inclusion {index}/{size} ";
            MerkleProofFailure[] mismatch = [MerkleProofFailure.RootMismatch];
            MerkleProofFailure[] lengthOrMismatch = [MerkleProofFailure.ProofLengthMismatch, MerkleProofFailure.RootMismatch];
            for (var i = 0; i < path.Length; i++)
            {
                foreach (var bit in new[] { 0, 3, 255 })
                {
                    var tampered = (byte[])proof.Clone();
                    tampered[(i * 32) + (bit / 8)] ^= (byte)(1 << (bit % 8));
                    data.Add(new Tamper(prefix + $"modified-proof[{i}]-bit-{bit}", index, size, tampered, leaf, root, mismatch));
                }
            }

            if (proof.Length > 0)
            {
                data.Add(new Tamper(prefix + "truncated", index, size, proof[..^32], leaf, root, [MerkleProofFailure.ProofLengthMismatch]));
                data.Add(new Tamper(prefix + "empty-proof", index, size, [], leaf, root, [MerkleProofFailure.ProofLengthMismatch]));
                data.Add(new Tamper(prefix + "trailing-garbage-byte", index, size, [.. proof, 0], leaf, root, [MerkleProofFailure.MalformedProof]));
                data.Add(new Tamper(prefix + "hash-of-wrong-length", index, size, proof[..^1], leaf, root, [MerkleProofFailure.MalformedProof]));
            }

            data.Add(new Tamper(prefix + "extra-appended", index, size, [.. proof, .. v.LeafHashes[0]], leaf, root, [MerkleProofFailure.ProofLengthMismatch]));
            data.Add(new Tamper(prefix + "extra-prepended", index, size, [.. v.LeafHashes[0], .. proof], leaf, root, [MerkleProofFailure.ProofLengthMismatch]));
            data.Add(new Tamper(prefix + "wrong-root", index, size, proof, leaf, v.Roots[size - 1], mismatch));
            data.Add(new Tamper(prefix + "wrong-leaf", index, size, proof, v.LeafHashes[(int)((index + 1) % size)], root, mismatch));
            data.Add(new Tamper(prefix + "leaf-input-not-hashed", index, size, proof, Vectors.Hex(Vectors.ToHex(v.LeafInputs[(int)index]).PadRight(64, '0')), root, mismatch));
            data.Add(new Tamper(prefix + "index-equals-size", size, size, proof, leaf, root, [MerkleProofFailure.LeafIndexOutOfRange]));
            data.Add(new Tamper(prefix + "negative-index", -1, size, proof, leaf, root, [MerkleProofFailure.LeafIndexOutOfRange]));
            data.Add(new Tamper(prefix + "negative-size", index, -size, proof, leaf, root, [MerkleProofFailure.TreeSizeInvalid]));
            data.Add(new Tamper(prefix + "size-minus-one", index, size - 1, proof, leaf, RootOf(size - 1), index >= size - 1 ? [MerkleProofFailure.LeafIndexOutOfRange] : lengthOrMismatch));
            data.Add(new Tamper(prefix + "size-plus-one", index, size + 1, proof, leaf, RootOf(size + 1), lengthOrMismatch));
            data.Add(new Tamper(prefix + "size-times-two", index, size * 2, proof, leaf, RootOf(size * 2), lengthOrMismatch));
            data.Add(new Tamper(prefix + "size-halved", index, size / 2, proof, leaf, RootOf(size / 2), index >= size / 2 ? [MerkleProofFailure.LeafIndexOutOfRange] : lengthOrMismatch));
            if (index + 1 < size)
            {
                data.Add(new Tamper(prefix + "index-plus-one", index + 1, size, proof, leaf, root, lengthOrMismatch));
            }

            if (index > 0)
            {
                data.Add(new Tamper(prefix + "index-minus-one", index - 1, size, proof, leaf, root, lengthOrMismatch));
                data.Add(new Tamper(prefix + "index-halved", index / 2, size, proof, leaf, root, lengthOrMismatch));
            }

            if ((index ^ 1) < size)
            {
                data.Add(new Tamper(prefix + "index-xor-one", index ^ 1, size, proof, leaf, root, lengthOrMismatch));
            }
        }

        return data;
    }

    public static TheoryData<ConsistencyTamper> ConsistencyTampering()
    {
        var v = MerkleVectors.Get();
        var data = new TheoryData<ConsistencyTamper>();
        foreach (var (first, second, path) in v.Consistency.Where(c => c.Second >= 6))
        {
            var proof = Vectors.Concat(path);
            var r1 = v.Roots[first];
            var r2 = v.Roots[second];
            var prefix = $"consistency {first}->{second} ";
            MerkleProofFailure[] mismatch = [MerkleProofFailure.FirstRootMismatch, MerkleProofFailure.SecondRootMismatch];
            MerkleProofFailure[] lengthOrMismatch = [MerkleProofFailure.ProofLengthMismatch, .. mismatch];
            for (var i = 0; i < path.Length; i++)
            {
                var tampered = (byte[])proof.Clone();
                tampered[(i * 32) + 7] ^= 0x10;
                data.Add(new ConsistencyTamper(prefix + $"modified-proof[{i}]-bit-60", first, second, tampered, r1, r2, mismatch));
            }

            if (proof.Length > 0)
            {
                data.Add(new ConsistencyTamper(prefix + "truncated", first, second, proof[..^32], r1, r2, [MerkleProofFailure.ProofLengthMismatch]));
                data.Add(new ConsistencyTamper(prefix + "empty-proof-sizes-differ", first, second, [], r1, r2, [MerkleProofFailure.ProofLengthMismatch]));
                data.Add(new ConsistencyTamper(prefix + "hash-of-wrong-length", first, second, proof[..^1], r1, r2, [MerkleProofFailure.MalformedProof]));
                data.Add(new ConsistencyTamper(prefix + "swapped-roots", first, second, proof, r2, r1, mismatch));
                data.Add(new ConsistencyTamper(prefix + "sizes-swapped", second, first, proof, r2, r1, [MerkleProofFailure.TreeSizeInvalid]));
            }

            data.Add(new ConsistencyTamper(prefix + "extra-appended", first, second, [.. proof, .. v.LeafHashes[1]], r1, r2, [MerkleProofFailure.ProofLengthMismatch]));
            data.Add(new ConsistencyTamper(prefix + "extra-prepended", first, second, [.. v.LeafHashes[1], .. proof], r1, r2, [MerkleProofFailure.ProofLengthMismatch]));
            data.Add(new ConsistencyTamper(prefix + "wrong-first-root", first, second, proof, v.Roots[first == 1 ? 2 : first - 1], r2, mismatch));
            data.Add(new ConsistencyTamper(prefix + "wrong-second-root", first, second, proof, r1, v.Roots[second - 1], mismatch));
            data.Add(new ConsistencyTamper(prefix + "first-size-zero", 0, second, proof, r1, r2, [MerkleProofFailure.ConsistencyFromEmptyTree]));
            data.Add(new ConsistencyTamper(prefix + "first-plus-one", first + 1, second, proof, RootOf(first + 1), r2, lengthOrMismatch));
            data.Add(new ConsistencyTamper(prefix + "second-plus-one", first, second + 1, proof, r1, RootOf(second + 1), lengthOrMismatch));
            data.Add(new ConsistencyTamper(prefix + "second-minus-one", first, second - 1, proof, r1, RootOf(second - 1), first > second - 1 ? [MerkleProofFailure.TreeSizeInvalid] : lengthOrMismatch));
            data.Add(new ConsistencyTamper(prefix + "second-times-two", first, second * 2, proof, r1, RootOf(second * 2), lengthOrMismatch));
        }

        data.Add(new ConsistencyTamper("consistency 4->4 non-empty-proof-equal-sizes", 4, 4, v.LeafHashes[0], v.Roots[4], v.Roots[4], [MerkleProofFailure.ProofLengthMismatch]));
        data.Add(new ConsistencyTamper("consistency 4->4 different-roots-equal-sizes", 4, 4, [], v.Roots[4], v.Roots[5], [MerkleProofFailure.SecondRootMismatch]));
        data.Add(new ConsistencyTamper("consistency 0->0 empty-trees", 0, 0, [], v.Roots[0], v.Roots[0], [MerkleProofFailure.ConsistencyFromEmptyTree]));
        data.Add(new ConsistencyTamper("consistency 2->4 short-first-root", 2, 4, v.Consistency.Single(c => c.First == 2 && c.Second == 4).Proof[0], v.Roots[2][..31], v.Roots[4], [MerkleProofFailure.HashSizeMismatch]));
        data.Add(new ConsistencyTamper("consistency 2->4 long-second-root", 2, 4, v.Consistency.Single(c => c.First == 2 && c.Second == 4).Proof[0], v.Roots[2], [.. v.Roots[4], 0], [MerkleProofFailure.HashSizeMismatch]));
        return data;
    }

    [Theory]
    [MemberData(nameof(InclusionTampering))]
    public void Tampered_inclusion_proof_fails_with_its_reason(Tamper tamper)
    {
        var result = MerkleProofVerifier.VerifyInclusion(Hasher, tamper.Index, tamper.Size, tamper.LeafHash, tamper.Proof, tamper.Root);
        Assert.False(result.IsValid, tamper.Name);
        Assert.Contains(result.Failure, tamper.Expected);
        var exception = Assert.Throws<MerkleProofException>(result.ThrowIfInvalid);
        Assert.Equal(result.Failure, exception.Failure);
        Assert.Equal(result.Message, exception.Message);
    }

    [Theory]
    [MemberData(nameof(ConsistencyTampering))]
    public void Tampered_consistency_proof_fails_with_its_reason(ConsistencyTamper tamper)
    {
        var result = MerkleProofVerifier.VerifyConsistency(Hasher, tamper.First, tamper.Second, tamper.Root1, tamper.Root2, tamper.Proof);
        Assert.False(result.IsValid, tamper.Name);
        Assert.Contains(result.Failure, tamper.Expected);
    }

    [Fact]
    public void Messages_name_the_offending_values()
    {
        var v = MerkleVectors.Get();
        var proof = Vectors.Concat(v.Inclusion.Single(c => c.Index == 2 && c.Size == 5).Proof);

        var outOfRange = MerkleProofVerifier.VerifyInclusion(Hasher, 5, 5, v.LeafHashes[2], proof, v.Roots[5]);
        Assert.Equal("The leaf index 5 is not below the tree size 5.", outOfRange.Message);

        var length = MerkleProofVerifier.VerifyInclusion(Hasher, 2, 5, v.LeafHashes[2], proof.AsSpan(0, 64), v.Roots[5]);
        Assert.Equal("The proof for leaf 2 in a tree of 5 must have 3 hashes; it has 2.", length.Message);

        var garbage = MerkleProofVerifier.VerifyInclusion(Hasher, 2, 5, v.LeafHashes[2], proof.AsSpan(0, 95), v.Roots[5]);
        Assert.Equal("The proof is 95 bytes, not a whole number of 32-byte hashes.", garbage.Message);

        var wrongRoot = MerkleProofVerifier.VerifyInclusion(Hasher, 2, 5, v.LeafHashes[2], proof, v.Roots[4]);
        Assert.Equal(MerkleProofFailure.RootMismatch, wrongRoot.Failure);
        Assert.Equal($"The proof for leaf 2 in a tree of 5 leads to root {Vectors.ToHex(v.Roots[5])}, not the expected {Vectors.ToHex(v.Roots[4])}.", wrongRoot.Message);

        var fromEmpty = MerkleProofVerifier.VerifyConsistency(Hasher, 0, 3, v.Roots[0], v.Roots[3], []);
        Assert.Equal("RFC 9162 defines no consistency proof from the empty tree (first size 0).", fromEmpty.Message);

        var shortLeaf = MerkleProofVerifier.VerifyInclusion(Hasher, 2, 5, v.LeafHashes[2].AsSpan(0, 16), proof, v.Roots[5]);
        Assert.Equal(MerkleProofFailure.HashSizeMismatch, shortLeaf.Failure);
        Assert.Equal("The leaf hash is 16 bytes; the hasher's hashes are 32.", shortLeaf.Message);
    }

    private enum TamperKind
    {
        FlipBit,
        Truncate,
        Append,
        Prepend,
        IndexPlus,
        SizePlus,
        WrongRoot,
        SwapFirstAndSecond,
    }

    private static Gen<(int Size, int Index, int Other, TamperKind Kind, int Bit)> Cases(int maxSize) =>
        from size in Gen.Choose(2, maxSize)
        from index in Gen.Choose(0, size - 1)
        from other in Gen.Choose(1, size)
        from kind in Gen.Elements(Enum.GetValues<TamperKind>())
        from bit in Gen.Choose(0, int.MaxValue)
        select (size, index, other, kind, bit);

    private static MerkleLog LogOf(MerkleTreeHasher hasher, int size)
    {
        var log = new MerkleLog(hasher);
        for (var i = 0; i < size; i++)
        {
            log.Append(BitConverter.GetBytes(i * 7919));
        }

        return log;
    }

    private static byte[] ApplyTamper(byte[] proof, TamperKind kind, int bit, byte[] filler) => kind switch
    {
        TamperKind.FlipBit when proof.Length > 0 => FlipBit(proof, bit),
        TamperKind.Truncate when proof.Length > 0 => proof[..^32],
        TamperKind.Prepend => [.. filler, .. proof],
        _ => [.. proof, .. filler],
    };

    private static byte[] FlipBit(byte[] proof, int bit)
    {
        var copy = (byte[])proof.Clone();
        var position = bit % (copy.Length * 8);
        copy[position / 8] ^= (byte)(1 << (position % 8));
        return copy;
    }

    [Property(MaxTest = 300)]
    public Property Any_tampered_inclusion_proof_fails() =>
        Prop.ForAll(Cases(70).ToArbitrary(), c =>
        {
            foreach (var hasher in new MerkleTreeHasher[] { Rfc9162TreeHasher.Sha256, KeyTransparencyLogHasher.Sha256 })
            {
                var log = LogOf(hasher, (2 * c.Size) + 1);
                var proof = log.GetInclusionProof(c.Index, c.Size);
                var leaf = log.GetLeafHash(c.Index);
                var root = log.GetRoot(c.Size);
                if (!MerkleProofVerifier.VerifyInclusion(hasher, c.Index, c.Size, leaf, proof, root).IsValid)
                {
                    return false;
                }

                var (index, size, tampered, expectedRoot) = c.Kind switch
                {
                    TamperKind.IndexPlus => ((long)((c.Index + 1 + c.Bit) % c.Size), (long)c.Size, proof, root),
                    TamperKind.SizePlus => (c.Index, (long)(c.Size + 1 + (c.Bit % c.Size)), proof, log.GetRoot(c.Size + 1 + (c.Bit % c.Size))),
                    TamperKind.WrongRoot => (c.Index, c.Size, proof, c.Other == c.Size ? leaf : log.GetRoot(c.Other)),
                    TamperKind.SwapFirstAndSecond => (c.Index, c.Size, proof, leaf),
                    _ => (c.Index, (long)c.Size, ApplyTamper(proof, c.Kind, c.Bit, log.GetLeafHash(c.Other - 1)), root),
                };

                if (index == c.Index && size == c.Size && tampered == proof && expectedRoot == root)
                {
                    continue;
                }

                // A different index can share a proof only if it is the same leaf: use the leaf of c.Index anyway.
                if (MerkleProofVerifier.VerifyInclusion(hasher, index, size, leaf, tampered, expectedRoot).IsValid)
                {
                    return false;
                }
            }

            return true;
        });

    [Property(MaxTest = 300)]
    public Property Any_tampered_consistency_proof_fails() =>
        Prop.ForAll(Cases(70).ToArbitrary(), c =>
        {
            foreach (var hasher in new MerkleTreeHasher[] { Rfc9162TreeHasher.Sha256, KeyTransparencyLogHasher.Sha256 })
            {
                var log = LogOf(hasher, (2 * c.Size) + 1);
                var first = (long)c.Other;
                var second = (long)c.Size;
                var proof = log.GetConsistencyProof(first, second);
                var r1 = log.GetRoot(first);
                var r2 = log.GetRoot(second);
                if (!MerkleProofVerifier.VerifyConsistency(hasher, first, second, r1, r2, proof).IsValid)
                {
                    return false;
                }

                if (first == second && c.Kind is TamperKind.SwapFirstAndSecond or TamperKind.IndexPlus)
                {
                    continue;
                }

                var (f, s, tampered, root1, root2) = c.Kind switch
                {
                    TamperKind.IndexPlus => (first + 1, second, proof, log.GetRoot(first + 1), r2),
                    TamperKind.SizePlus => (first, second + 1 + (c.Bit % c.Size), proof, r1, log.GetRoot(second + 1 + (c.Bit % c.Size))),
                    TamperKind.WrongRoot => (first, second, proof, r1, log.GetLeafHash(c.Index)),
                    TamperKind.SwapFirstAndSecond => (first, second, proof, r2, r1),
                    _ => (first, second, ApplyTamper(proof, c.Kind, c.Bit, log.GetLeafHash(c.Index)), r1, r2),
                };

                if (MerkleProofVerifier.VerifyConsistency(hasher, f, s, root1, root2, tampered).IsValid)
                {
                    return false;
                }
            }

            return true;
        });
}
