extern alias KeyTransparency;

using BenchmarkDotNet.Attributes;
using KeyTransparency::Pki.KeyTransparency.Vrf.P256;

namespace Pki.Benchmarks;

/// <summary>The P-256 building blocks the P-256 VRF spends its time in.</summary>
[MemoryDiagnoser]
public class KeyTransparencyP256Benchmarks
{
    private readonly byte[] _scalar = new byte[32];
    private readonly byte[] _other = new byte[32];
    private readonly byte[] _challenge = new byte[32];
    private readonly byte[] _encoded = new byte[P256Point.CompressedSize];
    private P256Point _point;
    private P256FieldElement _a;
    private P256FieldElement _b;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        random.NextBytes(_scalar);
        random.NextBytes(_other);
        random.NextBytes(_challenge.AsSpan(16));
        _scalar[0] &= 0x7f;
        _other[0] &= 0x7f;
        _point = P256Point.MultiplyBase(_scalar);
        _point.Compress(_encoded);
        P256Point.TryDecompress(_encoded, out _point);
        _a = _point.X;
        _b = _point.Y;
    }

    [Benchmark(Baseline = true)]
    public ulong FieldMul() => (_a * _b).L0;

    [Benchmark]
    public ulong FieldSquare() => P256FieldElement.Square(_a).L0;

    [Benchmark]
    public ulong FieldInvert() => P256FieldElement.Invert(_a).L0;

    [Benchmark]
    public ulong PointDouble() => P256Point.Double(_point).X.L0;

    [Benchmark]
    public ulong PointAdd() => P256Point.Add(_point, P256Point.Double(_point)).X.L0;

    [Benchmark]
    public ulong PointAddAffine() => P256Point.AddAffine(P256Point.Double(_point), _point.X, _point.Y).X.L0;

    [Benchmark(Description = "x P and k P (prover, constant time, comb)")]
    public ulong MultiplyTwoScalars()
    {
        P256Point.MultiplyTwoScalars(_point, _scalar, _other, out var first, out var second);
        return first.X.L0 ^ second.X.L0;
    }

    [Benchmark(Description = "k G (constant time, fixed base)")]
    public ulong MultiplyBase() => P256Point.MultiplyBase(_scalar).X.L0;

    [Benchmark(Description = "s G + c Y and s H + c Gamma (verifier)")]
    public ulong VerifierCombinations()
    {
        P256Point.VerifierCombinationsVartime(_scalar, _challenge, _point, _point, _point, out var u, out var v);
        return u.X.L0 ^ v.X.L0;
    }

    [Benchmark]
    public void Compress() => _point.Compress(_encoded);

    [Benchmark]
    public bool Decompress() => P256Point.TryDecompress(_encoded, out _);
}
