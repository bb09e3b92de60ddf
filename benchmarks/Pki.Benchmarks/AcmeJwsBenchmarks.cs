using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Pki.Acme;
using Pki.Acme.Internal;

namespace Pki.Benchmarks;

/// <summary>
/// Signing a typical ACME request (a newOrder with two names, kid + nonce + url header) as a
/// flattened JWS, beside the raw signature over the very same JWS signing input.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AcmeJwsBenchmarks
{
    private static readonly Uri Url = new("https://acme-v02.api.letsencrypt.org/acme/new-order");
    private const string Kid = "https://acme-v02.api.letsencrypt.org/acme/acct/1234567890";
    private const string Nonce = "1K3jQBLYrWj0rh_v3ZfgWp4OrLPHfrIBnl5Xg1cOtLLDjtYzqlg";
    private readonly byte[] _payload = Encoding.UTF8.GetBytes("""{"identifiers":[{"type":"dns","value":"www.example.com"},{"type":"dns","value":"example.com"}]}""");
    private ECDsa _ecdsa = null!;
    private RSA _rsa = null!;
    private AcmeKey _es256 = null!;
    private AcmeKey _rs256 = null!;
    private byte[] _ecInput = null!;
    private byte[] _rsaInput = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _rsa = RSA.Create(2048);
        _es256 = AcmeKey.FromECDsa(_ecdsa);
        _rs256 = AcmeKey.FromRsa(_rsa);
        _ecInput = SigningInput(JwsWriter.Sign(_es256, Kid, Nonce, Url, _payload));
        _rsaInput = SigningInput(JwsWriter.Sign(_rs256, Kid, Nonce, Url, _payload));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ecdsa.Dispose();
        _rsa.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ECDsa.SignData (P-256)")]
    [BenchmarkCategory("ES256")]
    public byte[] RawEs256() => _ecdsa.SignData(_ecInput, HashAlgorithmName.SHA256);

    [Benchmark(Description = "JWS ES256 request")]
    [BenchmarkCategory("ES256")]
    public byte[] JwsEs256() => JwsWriter.Sign(_es256, Kid, Nonce, Url, _payload);

    [Benchmark(Baseline = true, Description = "RSA.SignData (2048, PKCS#1)")]
    [BenchmarkCategory("RS256")]
    public byte[] RawRs256() => _rsa.SignData(_rsaInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Benchmark(Description = "JWS RS256 request")]
    [BenchmarkCategory("RS256")]
    public byte[] JwsRs256() => JwsWriter.Sign(_rs256, Kid, Nonce, Url, _payload);

    private static byte[] SigningInput(byte[] jws)
    {
        using var document = JsonDocument.Parse(jws);
        return Encoding.ASCII.GetBytes(document.RootElement.GetProperty("protected").GetString() + "." + document.RootElement.GetProperty("payload").GetString());
    }
}
