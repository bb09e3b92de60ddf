using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Pki.Smime;
using Pki.Smime.Testing;

namespace Pki.Benchmarks;

/// <summary>
/// Issuing a Strict Mailbox-validated P-256 certificate (build, pre-issuance lint, sign) beside the raw
/// ECDSA P-256 signature over the same to-be-signed bytes, and linting one issued certificate.
/// </summary>
/// <remarks>
/// Measured with tiered compilation off (a mutator, so it applies to whatever job the command line picks):
/// on a loaded 2-core machine the background tier-1 compiler is starved during a short run and the
/// managed paths would be measured at tier 0 while the baseline runs in native OpenSSL code.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(SteadyStateConfig))]
public class SmimeBenchmarks
{
    private SmimeTestHierarchy _hierarchy = null!;
    private SmimeKeyPair _subscriber = null!;
    private ECDsa _rawKey = null!;
    private SmimeCertificateBuilder _builder = null!;
    private SmimeCertificateRequest _request = null!;
    private byte[] _tbs = [];
    private byte[] _certificate = [];

    [GlobalSetup]
    public void Setup()
    {
        _hierarchy = SmimeTestHierarchy.Create(SmimeKeyAlgorithm.EcP256);
        _subscriber = SmimeKeyPair.Generate(SmimeKeyAlgorithm.EcP256);
        _rawKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _builder = new SmimeCertificateBuilder();
        _request = new SmimeCertificateRequest
        {
            Profile = new SmimeProfile(SmimeValidationType.Mailbox, SmimeGeneration.Strict),
            Mailboxes = ["alice@example.test"],
            Subject = new SmimeSubject { CommonName = "alice@example.test" },
            PublicKey = _subscriber.PublicKey,
        };
        _tbs = _builder.CreateDraft(_request, _hierarchy.IssuingCa).EncodeTbs();
        _certificate = _builder.Build(_request, _hierarchy.IssuingCa).RawData.ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _rawKey.Dispose();
        _subscriber.Dispose();
        _hierarchy.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ECDsa.SignData (P-256, TBS bytes)")]
    public byte[] RawSignature() => _rawKey.SignData(_tbs, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    [Benchmark(Description = "Issue Strict Mailbox P-256 (build + lint + sign)")]
    public SmimeCertificate Issue() => _builder.Build(_request, _hierarchy.IssuingCa);

    [Benchmark(Description = "Lint one certificate")]
    public SmimeLintReport Lint() => SmimeLinter.Lint(_certificate);

    /// <summary>Runs every job fully optimized from the first call (DOTNET_TieredCompilation=0).</summary>
    private sealed class SteadyStateConfig : ManualConfig
    {
        public SteadyStateConfig() =>
            AddJob(Job.Default.WithEnvironmentVariable("DOTNET_TieredCompilation", "0").AsMutator());
    }
}
