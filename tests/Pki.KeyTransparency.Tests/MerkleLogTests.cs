using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pki.KeyTransparency.Merkle;

namespace Pki.KeyTransparency.Tests;

/// <summary>The fast log against the literal RFC 9162 reference (<see cref="ReferenceMerkle"/>), for both strategies.</summary>
public sealed class MerkleLogTests
{
    public static TheoryData<string> Hashers() => ["rfc9162", "keytrans"];

    private static MerkleTreeHasher HasherOf(string name) =>
        name == "rfc9162" ? Rfc9162TreeHasher.Sha256 : KeyTransparencyLogHasher.Sha256;

    private static List<byte[]> Leaves(int count, int seed)
    {
        var random = new Random(seed);
        var leaves = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var leaf = new byte[random.Next(0, 100)];
            random.NextBytes(leaf);
            leaves.Add(leaf);
        }

        return leaves;
    }

    [Theory]
    [MemberData(nameof(Hashers))]
    public void Every_root_and_proof_of_a_40_leaf_log_matches_the_reference(string name)
    {
        var hasher = HasherOf(name);
        var leaves = Leaves(40, 1);
        var log = new MerkleLog(hasher);
        log.AppendRange(leaves);
        for (var size = hasher.HasEmptyRoot ? 0 : 1; size <= leaves.Count; size++)
        {
            var prefix = leaves.Take(size).ToList();
            Assert.Equal(ReferenceMerkle.Mth(hasher, prefix), log.GetRoot(size));
            for (var index = 0; index < size; index++)
            {
                var expected = Vectors.Concat(ReferenceMerkle.Path(hasher, index, prefix));
                Assert.Equal(expected, log.GetInclusionProof(index, size));
                Assert.Equal(expected.Length / 32, MerkleProofVerifier.InclusionProofLength(index, size));
                Assert.True(MerkleProofVerifier.VerifyInclusion(hasher, index, size, hasher.HashLeaf(leaves[index]), expected, log.GetRoot(size)).IsValid);
            }

            for (var first = 1; first <= size; first++)
            {
                var expected = Vectors.Concat(ReferenceMerkle.Proof(hasher, first, prefix));
                Assert.Equal(expected, log.GetConsistencyProof(first, size));
                Assert.Equal(expected.Length / 32, MerkleProofVerifier.ConsistencyProofLength(first, size));
                var result = MerkleProofVerifier.VerifyConsistency(hasher, first, size, log.GetRoot(first), log.GetRoot(size), expected);
                Assert.True(result.IsValid, $"{first}->{size}: {result}");
            }
        }
    }

    [Property(MaxTest = 60)]
    public Property Fast_log_agrees_with_the_reference_on_random_trees() =>
        Prop.ForAll(
            (from size in Gen.Choose(1, 300)
             from seed in Gen.Choose(0, 100000)
             from index in Gen.Choose(0, size - 1)
             from first in Gen.Choose(1, size)
             from keytrans in Gen.Elements(false, true)
             select (size, seed, index, first, keytrans)).ToArbitrary(),
            c =>
            {
                var hasher = c.keytrans ? (MerkleTreeHasher)KeyTransparencyLogHasher.Sha256 : Rfc9162TreeHasher.Sha256;
                var leaves = Leaves(c.size, c.seed);
                var single = new MerkleLog(hasher);
                foreach (var leaf in leaves)
                {
                    single.Append(leaf);
                }

                var batched = new MerkleLog(hasher);
                batched.AppendRange(leaves.Take(c.first));
                batched.AppendRange(leaves.Skip(c.first));
                var root = ReferenceMerkle.Mth(hasher, leaves);
                return root.AsSpan().SequenceEqual(single.GetRoot())
                    && root.AsSpan().SequenceEqual(batched.GetRoot())
                    && Vectors.Concat(ReferenceMerkle.Path(hasher, c.index, leaves)).AsSpan().SequenceEqual(batched.GetInclusionProof(c.index, c.size))
                    && Vectors.Concat(ReferenceMerkle.Proof(hasher, c.first, leaves)).AsSpan().SequenceEqual(single.GetConsistencyProof(c.first, c.size))
                    && ReferenceMerkle.Mth(hasher, leaves.Take(c.first).ToList()).AsSpan().SequenceEqual(batched.GetRoot(c.first));
            });

    [Theory]
    [MemberData(nameof(Hashers))]
    public void Batch_and_single_appends_agree_across_chunk_boundaries(string name)
    {
        var hasher = HasherOf(name);
        var leaves = Enumerable.Range(0, 70_000).Select(i => BitConverter.GetBytes(i)).ToList();
        var single = new MerkleLog(hasher);
        foreach (var leaf in leaves)
        {
            single.AppendLeafHash(hasher.HashLeaf(leaf));
        }

        var batched = new MerkleLog(hasher);
        batched.AppendRange(leaves.Take(33_333));
        batched.AppendRange(leaves.Skip(33_333));
        Assert.Equal(single.Size, batched.Size);
        foreach (var size in new long[] { 1, 2, 7, 8, 9, 4096, 4097, 32_768, 32_769, 65_536, 65_537, 69_999, 70_000 })
        {
            Assert.Equal(single.GetRoot(size), batched.GetRoot(size));
        }

        Assert.Equal(single.GetInclusionProof(65_537, 70_000), batched.GetInclusionProof(65_537, 70_000));
        Assert.Equal(single.GetConsistencyProof(32_769, 70_000), batched.GetConsistencyProof(32_769, 70_000));
    }

    [Fact]
    public void A_million_leaves_fit_in_well_under_100_MB()
    {
        var log = new MerkleLog();
        var batch = new ReadOnlyMemory<byte>[4096];
        for (var i = 0; i < 1 << 20; i += batch.Length)
        {
            for (var j = 0; j < batch.Length; j++)
            {
                batch[j] = BitConverter.GetBytes(i + j);
            }

            log.AppendRange(batch);
        }

        Assert.Equal(1 << 20, log.Size);
        Assert.InRange(log.StorageBytes, 2L * 32 * ((1 << 20) - 1), 70L * 1024 * 1024);
        var proof = log.GetInclusionProof(123_456, log.Size);
        Assert.True(MerkleProofVerifier.VerifyInclusion(log.Hasher, 123_456, log.Size, log.GetLeafHash(123_456), proof, log.GetRoot()).IsValid);
    }

    [Fact]
    public void Keytrans_hashing_tags_children_by_kind()
    {
        var hasher = KeyTransparencyLogHasher.Sha256;
        var entries = Enumerable.Range(0, 3).Select(i => KeyTransparencyLogHasher.EncodeLogEntry((ulong)(1_700_000_000_000 + i), SHA256.HashData(new[] { (byte)i }))).ToList();
        var values = entries.Select(SHA256.HashData).ToList();
        var log = new MerkleLog(hasher);
        log.AppendRange(entries);

        // One leaf: the root is the leaf's value, Hash(LogEntry).
        Assert.Equal(values[0], log.GetRoot(1));

        // Two leaves: Hash(0x00 || v0 || 0x00 || v1).
        var two = SHA256.HashData([0x00, .. values[0], 0x00, .. values[1]]);
        Assert.Equal(two, log.GetRoot(2));

        // Three leaves: Hash(0x01 || parent(v0, v1) || 0x00 || v2).
        Assert.Equal(SHA256.HashData([0x01, .. two, 0x00, .. values[2]]), log.GetRoot(3));
        Assert.Equal(40, entries[0].Length);
        Assert.Equal([0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00], entries[0][..8]);
    }

    [Fact]
    public void Keytrans_log_has_no_empty_root()
    {
        var log = new MerkleLog(KeyTransparencyLogHasher.Sha256);
        var error = Assert.Throws<InvalidOperationException>(() => log.GetRoot());
        Assert.Equal("KeyTransparencyLogHasher defines no root for the empty tree; append a leaf first.", error.Message);
        Assert.False(KeyTransparencyLogHasher.Sha256.TryWriteEmptyRoot(new byte[32]));
    }

    [Fact]
    public void Bad_arguments_get_typed_errors_that_name_the_value()
    {
        var log = new MerkleLog();
        log.AppendRange(Enumerable.Range(0, 5).Select(i => new[] { (byte)i }));
        Assert.Equal("The tree size must be 0 to the log size 5. (Parameter 'treeSize')\nActual value was 6.", Assert.Throws<ArgumentOutOfRangeException>(() => log.GetRoot(6)).Message.ReplaceLineEndings("\n"));
        Assert.Equal("leafIndex", Assert.Throws<ArgumentOutOfRangeException>(() => log.GetInclusionProof(5, 5)).ParamName);
        Assert.Equal("firstSize", Assert.Throws<ArgumentOutOfRangeException>(() => log.GetConsistencyProof(0, 5)).ParamName);
        Assert.Equal("firstSize", Assert.Throws<ArgumentOutOfRangeException>(() => log.GetConsistencyProof(4, 3)).ParamName);
        Assert.Equal("secondSize", Assert.Throws<ArgumentOutOfRangeException>(() => log.GetConsistencyProof(1, 6)).ParamName);
        Assert.Equal("leafHash", Assert.Throws<ArgumentException>(() => log.AppendLeafHash(new byte[31])).ParamName);
        Assert.Equal("leafIndex", Assert.Throws<ArgumentOutOfRangeException>(() => log.GetLeafHash(5)).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => log.GetRoot(5, new byte[31])).ParamName);
        Assert.False(Rfc9162TreeHasher.Sha256.TryHashLeaf([1], new byte[31], out var written));
        Assert.Equal(0, written);
        Assert.Equal("left", Assert.Throws<ArgumentException>(() => Rfc9162TreeHasher.Sha256.HashChildren(new byte[31], false, new byte[32], false, new byte[32])).ParamName);
    }
}

public sealed class MerkleLogSpanTests
{
    [Fact]
    public void Try_proof_methods_write_the_same_bytes_or_report_too_small()
    {
        var log = new MerkleLog();
        log.AppendRange(Enumerable.Range(0, 21).Select(i => new[] { (byte)i }));
        var buffer = new byte[1024];
        Assert.True(log.TryGetInclusionProof(13, 21, buffer, out var written));
        Assert.Equal(log.GetInclusionProof(13, 21), buffer[..written]);
        Assert.False(log.TryGetInclusionProof(13, 21, new byte[written - 1], out var none));
        Assert.Equal(0, none);
        Assert.True(log.TryGetConsistencyProof(6, 21, buffer, out written));
        Assert.Equal(log.GetConsistencyProof(6, 21), buffer[..written]);
        Assert.False(log.TryGetConsistencyProof(6, 21, new byte[written - 1], out none));
        Assert.True(log.TryGetConsistencyProof(21, 21, [], out written));
        Assert.Equal(0, written);
        Assert.Equal("leafIndex", Assert.Throws<ArgumentOutOfRangeException>(() => log.TryGetInclusionProof(21, 21, buffer, out _)).ParamName);
        Assert.Equal("firstSize", Assert.Throws<ArgumentOutOfRangeException>(() => log.TryGetConsistencyProof(0, 21, buffer, out _)).ParamName);
    }
}
