using Pki.KeyTransparency.Merkle;

namespace Pki.KeyTransparency.Tests;

public sealed class MerkleVectorTests
{
    private static readonly MerkleTreeHasher Hasher = Rfc9162TreeHasher.Sha256;

    public static TheoryData<long> RootSizes() => [.. MerkleVectors.Get().Roots.Keys];

    public static TheoryData<long, long> InclusionCases()
    {
        var data = new TheoryData<long, long>();
        foreach (var c in MerkleVectors.Get().Inclusion)
        {
            data.Add(c.Index, c.Size);
        }

        return data;
    }

    public static TheoryData<long, long> ConsistencyCases()
    {
        var data = new TheoryData<long, long>();
        foreach (var c in MerkleVectors.Get().Consistency)
        {
            data.Add(c.First, c.Second);
        }

        return data;
    }

    private static MerkleLog BuildVectorLog()
    {
        var log = new MerkleLog();
        foreach (var leaf in MerkleVectors.Get().LeafInputs)
        {
            log.Append(leaf);
        }

        return log;
    }

    [Fact]
    public void Leaf_hashes_match_the_vectors()
    {
        var v = MerkleVectors.Get();
        Assert.Equal(8, v.LeafInputs.Count);
        for (var i = 0; i < v.LeafInputs.Count; i++)
        {
            Assert.Equal(Vectors.ToHex(v.LeafHashes[i]), Vectors.ToHex(Hasher.HashLeaf(v.LeafInputs[i])));
        }
    }

    [Theory]
    [MemberData(nameof(RootSizes))]
    public void Root_at_every_size_matches_the_vector(long size)
    {
        var log = BuildVectorLog();
        Assert.Equal(Vectors.ToHex(MerkleVectors.Get().Roots[size]), Vectors.ToHex(log.GetRoot(size)));
    }

    [Theory]
    [MemberData(nameof(RootSizes))]
    public void Root_of_a_log_built_in_one_batch_matches_the_vector(long size)
    {
        var log = new MerkleLog();
        log.AppendRange(MerkleVectors.Get().LeafInputs.Take((int)size));
        Assert.Equal(Vectors.ToHex(MerkleVectors.Get().Roots[size]), Vectors.ToHex(log.GetRoot()));
    }

    [Theory]
    [MemberData(nameof(InclusionCases))]
    public void Inclusion_proof_matches_the_vector_and_verifies(long index, long size)
    {
        var v = MerkleVectors.Get();
        var expected = Vectors.Concat(v.Inclusion.Single(c => c.Index == index && c.Size == size).Proof);
        var proof = BuildVectorLog().GetInclusionProof(index, size);
        Assert.Equal(Vectors.ToHex(expected), Vectors.ToHex(proof));

        var result = MerkleProofVerifier.VerifyInclusion(Hasher, index, size, v.LeafHashes[(int)index], expected, v.Roots[size]);
        Assert.True(result.IsValid, result.ToString());
    }

    [Theory]
    [MemberData(nameof(ConsistencyCases))]
    public void Consistency_proof_matches_the_vector_and_verifies(long first, long second)
    {
        var v = MerkleVectors.Get();
        var expected = Vectors.Concat(v.Consistency.Single(c => c.First == first && c.Second == second).Proof);
        var proof = BuildVectorLog().GetConsistencyProof(first, second);
        Assert.Equal(Vectors.ToHex(expected), Vectors.ToHex(proof));

        var result = MerkleProofVerifier.VerifyConsistency(Hasher, first, second, v.Roots[first], v.Roots[second], expected);
        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void Empty_tree_root_is_the_hash_of_the_empty_string()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Vectors.ToHex(new MerkleLog().GetRoot()));
    }

    [Fact]
    public void Internal_nodes_of_the_eight_leaf_tree_match_the_vectors()
    {
        var log = BuildVectorLog();

        // L1/1 is the second hash of leaf 0's proof at size 4; L2/1 the third at size 8.
        Assert.Equal("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", Vectors.ToHex(log.GetInclusionProof(0, 4).AsSpan(32, 32)));
        Assert.Equal("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4", Vectors.ToHex(log.GetInclusionProof(0, 8).AsSpan(64, 32)));
    }
}
