extern alias KeyTransparency;

using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using KeyTransparency::Pki.KeyTransparency.Vrf;

namespace Pki.Benchmarks;

/// <summary>
/// ECVRF prove and verify for both suites, each beside the signature it resembles: ECDSA P-256
/// (System.Security.Cryptography) for the P-256 suite, BouncyCastle Ed25519 for the Edwards25519 suite.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class KeyTransparencyVrfBenchmarks
{
    private static readonly byte[] Alpha = "alice@example.com"u8.ToArray();
    private readonly EcVrfP256Sha256Tai _p256 = new();
    private readonly EcVrfEdwards25519Sha512Tai _ed = new();
    private ECDsa _ecdsa = null!;
    private byte[] _ecdsaSignature = [];
    private VrfKeyPair _p256Key = null!;
    private VrfKeyPair _edKey = null!;
    private byte[] _p256Proof = [];
    private byte[] _edProof = [];
    private Ed25519PrivateKeyParameters _bcPrivate = null!;
    private Ed25519PublicKeyParameters _bcPublic = null!;
    private byte[] _bcSignature = [];

    [GlobalSetup]
    public void Setup()
    {
        _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _ecdsaSignature = _ecdsa.SignData(Alpha, HashAlgorithmName.SHA256);
        _p256Key = _p256.GenerateKeyPair();
        _edKey = _ed.GenerateKeyPair();
        _p256Proof = _p256.Prove(_p256Key, Alpha);
        _edProof = _ed.Prove(_edKey, Alpha);
        _bcPrivate = new Ed25519PrivateKeyParameters(_edKey.ExportPrivateKey());
        _bcPublic = _bcPrivate.GeneratePublicKey();
        _bcSignature = BcSign();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ecdsa.Dispose();
        _p256Key.Dispose();
        _edKey.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ECDsa P-256 SignData")]
    [BenchmarkCategory("P-256 prove")]
    public byte[] EcdsaSign() => _ecdsa.SignData(Alpha, HashAlgorithmName.SHA256);

    [Benchmark(Description = "ECVRF-P256-SHA256-TAI prove")]
    [BenchmarkCategory("P-256 prove")]
    public byte[] P256Prove() => _p256.Prove(_p256Key, Alpha);

    [Benchmark(Baseline = true, Description = "ECDsa P-256 VerifyData")]
    [BenchmarkCategory("P-256 verify")]
    public bool EcdsaVerify() => _ecdsa.VerifyData(Alpha, _ecdsaSignature, HashAlgorithmName.SHA256);

    [Benchmark(Description = "ECVRF-P256-SHA256-TAI verify")]
    [BenchmarkCategory("P-256 verify")]
    public bool P256Verify() => _p256.Verify(_p256Key.PublicKey, Alpha, _p256Proof).IsValid;

    [Benchmark(Baseline = true, Description = "BouncyCastle Ed25519 sign")]
    [BenchmarkCategory("Ed25519 prove")]
    public byte[] BcSign()
    {
        var signer = new Ed25519Signer();
        signer.Init(true, _bcPrivate);
        signer.BlockUpdate(Alpha, 0, Alpha.Length);
        return signer.GenerateSignature();
    }

    [Benchmark(Description = "ECVRF-EDWARDS25519-SHA512-TAI prove")]
    [BenchmarkCategory("Ed25519 prove")]
    public byte[] EdProve() => _ed.Prove(_edKey, Alpha);

    [Benchmark(Baseline = true, Description = "BouncyCastle Ed25519 verify")]
    [BenchmarkCategory("Ed25519 verify")]
    public bool BcVerify()
    {
        var verifier = new Ed25519Signer();
        verifier.Init(false, _bcPublic);
        verifier.BlockUpdate(Alpha, 0, Alpha.Length);
        return verifier.VerifySignature(_bcSignature);
    }

    [Benchmark(Description = "ECVRF-EDWARDS25519-SHA512-TAI verify")]
    [BenchmarkCategory("Ed25519 verify")]
    public bool EdVerify() => _ed.Verify(_edKey.PublicKey, Alpha, _edProof).IsValid;
}
