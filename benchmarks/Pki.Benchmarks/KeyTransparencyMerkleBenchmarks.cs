extern alias KeyTransparency;

using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using KeyTransparency::Pki.KeyTransparency.Merkle;

namespace Pki.Benchmarks;

/// <summary>
/// Building a 2^20-leaf RFC 9162 tree: <see cref="MerkleLog.AppendRange(ReadOnlySpan{ReadOnlyMemory{byte}})"/>
/// (batched, multi-buffer SIMD SHA-256) beside the straightforward build that calls
/// <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> once per leaf and once per node.
/// Times are per leaf (OperationsPerInvoke = 2^20).
/// </summary>
[MemoryDiagnoser]
public class KeyTransparencyTreeBuildBenchmarks
{
    private const int Leaves = 1 << 20;
    private ReadOnlyMemory<byte>[] _leaves = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _leaves = new ReadOnlyMemory<byte>[Leaves];
        for (var i = 0; i < Leaves; i++)
        {
            var leaf = new byte[32];
            random.NextBytes(leaf);
            _leaves[i] = leaf;
        }

        if (!Naive().AsSpan().SequenceEqual(Batched()))
        {
            throw new InvalidOperationException("The two builds disagree.");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Leaves, Description = "naive: SHA256.HashData per node")]
    public byte[] Naive()
    {
        // Leaf hashes, then each level from the one below (the tree is a power of two).
        var level = new byte[Leaves * 32];
        Span<byte> message = stackalloc byte[65];
        for (var i = 0; i < Leaves; i++)
        {
            var leaf = _leaves[i].Span;
            message[0] = 0x00;
            leaf.CopyTo(message[1..]);
            SHA256.HashData(message[..(1 + leaf.Length)], level.AsSpan(i * 32, 32));
        }

        message[0] = 0x01;
        for (var count = Leaves / 2; count >= 1; count /= 2)
        {
            var next = new byte[count * 32];
            for (var i = 0; i < count; i++)
            {
                level.AsSpan(i * 64, 64).CopyTo(message[1..]);
                SHA256.HashData(message, next.AsSpan(i * 32, 32));
            }

            level = next;
        }

        return level;
    }

    [Benchmark(OperationsPerInvoke = Leaves, Description = "MerkleLog.AppendRange (multi-buffer)")]
    public byte[] Batched()
    {
        var log = new MerkleLog();
        log.AppendRange(_leaves);
        return log.GetRoot();
    }
}

/// <summary>Proof generation and verification in a 2^20-leaf log, beside one SHA-256 node hash (the raw primitive they repeat).</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class KeyTransparencyProofBenchmarks
{
    private const int Leaves = 1 << 20;
    private readonly byte[] _node = new byte[65];
    private readonly byte[] _digest = new byte[32];
    private readonly byte[] _pairs = new byte[8 * 64];
    private readonly byte[] _parents = new byte[8 * 32];
    private MerkleLog _log = null!;
    private byte[] _root = [];
    private byte[] _leafHash = [];
    private byte[] _inclusion = [];
    private byte[] _consistency = [];
    private byte[] _firstRoot = [];

    private static long Index => 654_321;

    private static long FirstSize => 333_333;

    [GlobalSetup]
    public void Setup()
    {
        _log = new MerkleLog();
        _log.AppendRange(Enumerable.Range(0, Leaves).Select(i => BitConverter.GetBytes((long)i)));
        _root = _log.GetRoot();
        _leafHash = _log.GetLeafHash(Index);
        _inclusion = _log.GetInclusionProof(Index, Leaves);
        _consistency = _log.GetConsistencyProof(FirstSize, Leaves);
        _firstRoot = _log.GetRoot(FirstSize);
        new Random(2).NextBytes(_pairs);
    }

    [Benchmark(Baseline = true, Description = "SHA256.HashData(65-byte node)")]
    [BenchmarkCategory("node")]
    public byte[] NodeHashData()
    {
        SHA256.HashData(_node, _digest);
        return _digest;
    }

    [Benchmark(OperationsPerInvoke = 8, Description = "8 nodes batched (multi-buffer), per node")]
    [BenchmarkCategory("node")]
    public byte[] NodeBatched()
    {
        Rfc9162TreeHasher.Sha256.HashChildrenBatchCore(_pairs, 8, false, _parents);
        return _parents;
    }

    [Benchmark(Baseline = true, Description = "SHA256.HashData(65-byte node)")]
    [BenchmarkCategory("proofs")]
    public byte[] ProofsBaseline() => NodeHashData();

    [Benchmark(Description = "inclusion proof, generate")]
    [BenchmarkCategory("proofs")]
    public byte[] InclusionGenerate() => _log.GetInclusionProof(Index, Leaves);

    [Benchmark(Description = "inclusion proof, verify")]
    [BenchmarkCategory("proofs")]
    public bool InclusionVerify() => MerkleProofVerifier.VerifyInclusion(_log.Hasher, Index, Leaves, _leafHash, _inclusion, _root).IsValid;

    [Benchmark(Description = "consistency proof, generate")]
    [BenchmarkCategory("proofs")]
    public byte[] ConsistencyGenerate() => _log.GetConsistencyProof(FirstSize, Leaves);

    [Benchmark(Description = "consistency proof, verify")]
    [BenchmarkCategory("proofs")]
    public bool ConsistencyVerify() => MerkleProofVerifier.VerifyConsistency(_log.Hasher, FirstSize, Leaves, _firstRoot, _root, _consistency).IsValid;
}
