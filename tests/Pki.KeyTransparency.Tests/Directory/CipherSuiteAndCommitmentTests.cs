using System.Security.Cryptography;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pki.KeyTransparency.Directory;
using Pki.KeyTransparency.TreeHeads;
using static Pki.KeyTransparency.Tests.Directory.DirectoryAssert;

namespace Pki.KeyTransparency.Tests.Directory;

/// <summary>Cipher suites (sections 5.1 and 13.1), VRF search keys (5.7) and commitments (5.5, 5.6).</summary>
public sealed class CipherSuiteAndCommitmentTests
{
    private static readonly byte[] Label = Encoding.UTF8.GetBytes("alice@example.com");

    [Fact]
    public void Registered_suites_have_the_draft_code_points_and_parameters()
    {
        var p256 = KeyTransparencyCipherSuite.FromId(1);
        Assert.Same(KeyTransparencyCipherSuite.P256, p256);
        Assert.Equal("KT_128_SHA256_P256", p256.Name);
        Assert.Equal(TreeHeadSignatureAlgorithm.EcdsaP256Sha256, p256.SignatureAlgorithm);
        Assert.Equal(81, p256.VrfProofSize);
        Assert.Equal("ECVRF-P256-SHA256-TAI", p256.CreateVrf().SuiteName);

        var ed = KeyTransparencyCipherSuite.FromId(2);
        Assert.Equal("KT_128_SHA256_Ed25519", ed.Name);
        Assert.Equal(TreeHeadSignatureAlgorithm.Ed25519, ed.SignatureAlgorithm);
        Assert.Equal(80, ed.VrfProofSize);
        Assert.Equal("ECVRF-EDWARDS25519-SHA512-TAI", ed.CreateVrf().SuiteName);

        Assert.Equal("d821f8790d97709796b4d7903357c3f5", Convert.ToHexString(KeyTransparencyCipherSuite.CommitmentKey.ToArray()).ToLowerInvariant());
        Assert.Equal(16, KeyTransparencyCipherSuite.OpeningSize);
    }

    [Theory]
    [InlineData(0x0000, "reserved")]
    [InlineData(0xF000, "private-use")]
    [InlineData(0x0003, "not registered")]
    public void Other_code_points_are_rejected(int id, string why) =>
        Throws(() => KeyTransparencyCipherSuite.FromId((ushort)id), why, DirectoryProofFailure.UnsupportedCipherSuite);

    [Fact]
    public void Vrf_input_is_the_length_prefixed_label_and_the_version()
    {
        Assert.Equal([3, (byte)'a', (byte)'b', (byte)'c', 0, 0, 1, 2], KeyTransparencyCipherSuite.EncodeVrfInput("abc"u8, 0x0102));
        Assert.Throws<ArgumentException>(() => KeyTransparencyCipherSuite.EncodeVrfInput(new byte[256], 0));
    }

    public static TheoryData<string> Suites() => new() { "P256", "Ed25519" };

    private static KeyTransparencyCipherSuite Suite(string name) => name == "P256" ? KeyTransparencyCipherSuite.P256 : KeyTransparencyCipherSuite.Ed25519;

    [Theory]
    [MemberData(nameof(Suites))]
    public void Search_keys_are_32_byte_vrf_outputs_that_verify_and_tampering_is_rejected(string name)
    {
        var suite = Suite(name);
        var vrf = suite.CreateVrf();
        using var keyPair = vrf.ImportPrivateKey(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        var (searchKey, proof) = suite.ComputeSearchKey(vrf, keyPair, Label, 7);
        Assert.Equal(32, searchKey.Length);
        Assert.Equal(suite.VrfProofSize, proof.Length);
        Assert.Equal(vrf.ProofToHash(proof).AsSpan(0, 32).ToArray(), searchKey);
        Assert.Equal(searchKey, suite.VerifySearchKey(vrf, keyPair.PublicKey, Label, 7, proof));
        Assert.NotEqual(searchKey, suite.ComputeSearchKey(vrf, keyPair, Label, 8).SearchKey);

        Throws(() => suite.VerifySearchKey(vrf, keyPair.PublicKey, Label, 8, proof), "version 8", DirectoryProofFailure.VrfProofInvalid);
        Throws(() => suite.VerifySearchKey(vrf, keyPair.PublicKey, "bob@example.com"u8, 7, proof), "does not verify", DirectoryProofFailure.VrfProofInvalid);
        Throws(() => suite.VerifySearchKey(vrf, keyPair.PublicKey, Label, 7, FlipBit(proof, 300)), "does not verify", DirectoryProofFailure.VrfProofInvalid);
        var other = (name == "P256" ? KeyTransparencyCipherSuite.Ed25519 : KeyTransparencyCipherSuite.P256).CreateVrf();
        Assert.Throws<ArgumentException>(() => suite.VerifySearchKey(other, keyPair.PublicKey, Label, 7, proof));
    }

    [Fact]
    public void Commitment_is_hmac_sha256_under_kc_of_the_commitment_value()
    {
        var opening = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        var update = new UpdateValue([0xAA, 0xBB]);
        byte[] expectedValue = [.. opening, (byte)Label.Length, .. Label, 0, 0, 0, 5, 0, 0, 0, 2, 0xAA, 0xBB];
        Assert.Equal(expectedValue, Commitment.EncodeValue(opening, Label, 5, update, DeploymentMode.ContactMonitoring));
        using var hmac = new HMACSHA256(Convert.FromHexString("d821f8790d97709796b4d7903357c3f5"));
        var expected = hmac.ComputeHash(expectedValue);
        Assert.Equal(expected, Commitment.Compute(opening, Label, 5, update, DeploymentMode.ContactMonitoring));
        Commitment.Verify(expected, opening, Label, 5, update, DeploymentMode.ContactMonitoring);

        // Third-Party Management appends the Service Operator's signature to UpdateValue.
        var managed = new UpdateValue([0xAA, 0xBB], [1, 2, 3]);
        Assert.Equal([0, 0, 0, 2, 0xAA, 0xBB, 0, 3, 1, 2, 3], managed.Encode(DeploymentMode.ThirdPartyManagement));
        Assert.Throws<InvalidOperationException>(() => managed.Encode(DeploymentMode.ContactMonitoring));
        Assert.Throws<InvalidOperationException>(() => update.Encode(DeploymentMode.ThirdPartyManagement));
        var decoded = UpdateValue.Decode(managed.Encode(DeploymentMode.ThirdPartyManagement), DeploymentMode.ThirdPartyManagement);
        Assert.Equal(managed.Value, decoded.Value);
        Assert.Equal(managed.Signature, decoded.Signature);
        Throws(() => UpdateValue.Decode([0, 0, 0, 3, 1, 2], DeploymentMode.ContactMonitoring), "truncated", DirectoryProofFailure.Malformed);
        Assert.Throws<ArgumentException>(() => Commitment.Compute(new byte[15], Label, 5, update, DeploymentMode.ContactMonitoring));
    }

    public enum CommitmentTamper
    {
        Commitment,
        Opening,
        Label,
        Version,
        Value,
    }

    [Property(MaxTest = 200)]
    public Property A_commitment_opens_only_to_its_own_opening_label_version_and_value() =>
        Prop.ForAll(
            Gen.Elements(Enum.GetValues<CommitmentTamper>()).SelectMany(k => Gen.Choose(0, int.MaxValue).Select(s => (k, s))).ToArbitrary(),
            t =>
            {
                var random = new Random(t.s);
                var opening = new byte[16];
                random.NextBytes(opening);
                var label = new byte[1 + random.Next(40)];
                random.NextBytes(label);
                var value = new byte[random.Next(100)];
                random.NextBytes(value);
                var version = (uint)random.Next();
                var commitment = Commitment.Compute(opening, label, version, new UpdateValue(value), DeploymentMode.ContactMonitoring);
                Commitment.Verify(commitment, opening, label, version, new UpdateValue(value), DeploymentMode.ContactMonitoring);
                var bit = random.Next();
                var (c, o, l, v, u) = t.k switch
                {
                    CommitmentTamper.Commitment => (FlipBit(commitment, bit), opening, label, version, value),
                    CommitmentTamper.Opening => (commitment, FlipBit(opening, bit), label, version, value),
                    CommitmentTamper.Label => (commitment, opening, FlipBit(label, bit), version, value),
                    CommitmentTamper.Version => (commitment, opening, label, version ^ (1u << (bit % 32)), value),
                    _ => (commitment, opening, label, version, value.Length == 0 ? [0] : FlipBit(value, bit)),
                };
                return Rejects(() => Commitment.Verify(c, o, l, v, new UpdateValue(u), DeploymentMode.ContactMonitoring), DirectoryProofFailure.CommitmentMismatch);
            });

    [Fact]
    public void Commitment_mismatch_and_sizes_are_reported()
    {
        var opening = new byte[16];
        var commitment = Commitment.Compute(opening, Label, 1, new UpdateValue([1]), DeploymentMode.ContactMonitoring);
        Throws(() => Commitment.Verify(commitment, opening, Label, 2, new UpdateValue([1]), DeploymentMode.ContactMonitoring), "does not open to version 2", DirectoryProofFailure.CommitmentMismatch);
        Throws(() => Commitment.Verify(commitment.AsSpan(..31), opening, Label, 1, new UpdateValue([1]), DeploymentMode.ContactMonitoring), "got 31 and 16", DirectoryProofFailure.SizeMismatch);
        Assert.Equal(16, Commitment.NewOpening().Length);
    }
}
