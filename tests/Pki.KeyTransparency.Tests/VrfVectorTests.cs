using Pki.KeyTransparency.Vrf;

namespace Pki.KeyTransparency.Tests;

public sealed class VrfVectorTests
{
    public static TheoryData<VrfExample> Examples() => [.. VrfExample.All];

    internal static EcVrf SuiteOf(string name) => name switch
    {
        "ECVRF-P256-SHA256-TAI" => new EcVrfP256Sha256Tai(),
        "ECVRF-EDWARDS25519-SHA512-TAI" => new EcVrfEdwards25519Sha512Tai(),
        _ => throw new ArgumentException(name),
    };

    [Fact]
    public void The_vector_file_has_three_examples_per_suite()
    {
        Assert.Equal(3, VrfExample.All.Count(e => e.Suite == "ECVRF-P256-SHA256-TAI"));
        Assert.Equal(3, VrfExample.All.Count(e => e.Suite == "ECVRF-EDWARDS25519-SHA512-TAI"));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Prove_reproduces_pi_and_every_intermediate_value(VrfExample example)
    {
        var vrf = SuiteOf(example.Suite);
        var trace = vrf.ProveWithTrace(example.Sk, example.Alpha);
        Assert.Equal(Vectors.ToHex(example.Pk), Vectors.ToHex(trace.PublicKey));
        Assert.Equal(Vectors.ToHex(example.H), Vectors.ToHex(trace.H));
        Assert.Equal(Vectors.ToHex(example.K), Vectors.ToHex(trace.K));
        Assert.Equal(Vectors.ToHex(example.U), Vectors.ToHex(trace.U));
        Assert.Equal(Vectors.ToHex(example.V), Vectors.ToHex(trace.V));
        Assert.Equal(Vectors.ToHex(example.Pi), Vectors.ToHex(trace.Proof));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Public_api_proves_verifies_and_hashes_to_beta(VrfExample example)
    {
        IVrf vrf = SuiteOf(example.Suite);
        using var key = vrf.ImportPrivateKey(example.Sk);
        Assert.Equal(example.Pk, key.PublicKey.ToArray());
        var pi = vrf.Prove(key, example.Alpha);
        Assert.Equal(Vectors.ToHex(example.Pi), Vectors.ToHex(pi));
        Assert.Equal(vrf.ProofSize, pi.Length);

        var result = vrf.Verify(example.Pk, example.Alpha, example.Pi);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(Vectors.ToHex(example.Beta), Vectors.ToHex(result.Output));
        Assert.Equal(Vectors.ToHex(example.Beta), Vectors.ToHex(vrf.ProofToHash(example.Pi)));
        Assert.Equal(vrf.OutputSize, example.Beta.Length);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Span_ladder_writes_the_same_proof(VrfExample example)
    {
        var vrf = SuiteOf(example.Suite);
        using var key = vrf.ImportPrivateKey(example.Sk);
        var buffer = new byte[vrf.ProofSize + 5];
        Assert.True(vrf.TryProve(key, example.Alpha, buffer, out var written));
        Assert.Equal(vrf.ProofSize, written);
        Assert.Equal(example.Pi, buffer[..written]);
        Assert.False(vrf.TryProve(key, example.Alpha, new byte[vrf.ProofSize - 1], out written));
        Assert.Equal(0, written);
        Assert.Equal("proof", Assert.Throws<ArgumentException>(() => vrf.Prove(key, example.Alpha, new byte[10])).ParamName);
        var beta = new byte[vrf.OutputSize];
        Assert.True(vrf.TryProofToHash(example.Pi, beta, out written));
        Assert.Equal(example.Beta, beta);
    }
}
