extern alias KeyTransparency;

using BenchmarkDotNet.Attributes;
using KeyTransparency::Pki.Shared.Edwards25519;

namespace Pki.Benchmarks;

/// <summary>The edwards25519 building blocks the Edwards25519 VRF spends its time in.</summary>
[MemoryDiagnoser]
public class KeyTransparencyEdwardsBenchmarks
{
    private readonly byte[] _scalar = new byte[32];
    private readonly byte[] _encoded = new byte[32];
    private EdwardsPoint _point;
    private FieldElement _a;
    private FieldElement _b;

    [GlobalSetup]
    public void Setup()
    {
        new Random(5).NextBytes(_scalar);
        _scalar[31] &= 0x0f;
        _point = EdwardsPoint.MultiplyBase(_scalar);
        _point.Encode(_encoded);
        _a = _point.X;
        _b = _point.Y;
    }

    [Benchmark(Baseline = true)]
    public ulong FieldMul() => (_a * _b).L0;

    [Benchmark]
    public ulong FieldSquare() => FieldElement.Square(_a).L0;

    [Benchmark]
    public ulong PointDouble() => EdwardsPoint.Double(_point).X.L0;

    [Benchmark]
    public ulong PointAdd() => EdwardsPoint.Add(_point, _point).X.L0;

    [Benchmark]
    public ulong ScalarMultiply() => EdwardsPoint.Multiply(_point, _scalar).X.L0;

    [Benchmark]
    public ulong ScalarMultiplyBase() => EdwardsPoint.MultiplyBase(_scalar).X.L0;

    [Benchmark]
    public byte[] Encode() => _point.Encode();

    [Benchmark]
    public bool Decode() => EdwardsPoint.TryDecode(_encoded, out _);
}
