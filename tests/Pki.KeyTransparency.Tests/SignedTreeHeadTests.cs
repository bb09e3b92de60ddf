using System.Security.Cryptography;
using Pki.KeyTransparency.Merkle;
using Pki.KeyTransparency.TreeHeads;

namespace Pki.KeyTransparency.Tests;

public sealed class SignedTreeHeadTests
{
    private static readonly byte[] Seed = Vectors.Hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    private static readonly DateTimeOffset When = new(2026, 11, 27, 8, 0, 0, 123, TimeSpan.Zero);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static byte[] Root() => MerkleVectors.Get().Roots[7];

    [Fact]
    public void Encoding_is_the_documented_layout()
    {
        using var signer = TreeHeadSigner.CreateEd25519(Seed, new FixedTime(When));
        var head = signer.Sign(7, Root());
        var encoded = head.Encode();
        var ms = When.ToUnixTimeMilliseconds();
        var expectedTbs = "01" + "02" + "0000000000000007" + ms.ToString("x16") + "20" + Vectors.ToHex(Root());
        Assert.Equal(expectedTbs + "0040" + Vectors.ToHex(head.Signature), Vectors.ToHex(encoded));
        Assert.Equal("Pki.KeyTransparency.TreeHead.v1\0"u8.ToArray().Concat(Vectors.Hex(expectedTbs)), head.CreateSignedData());
        Assert.Equal(When, head.Timestamp);
    }

    [Theory]
    [InlineData(TreeHeadSignatureAlgorithm.Ed25519)]
    [InlineData(TreeHeadSignatureAlgorithm.EcdsaP256Sha256)]
    public void Signed_heads_verify_after_a_round_trip_and_fail_when_tampered(TreeHeadSignatureAlgorithm algorithm)
    {
        using var signer = algorithm == TreeHeadSignatureAlgorithm.Ed25519
            ? TreeHeadSigner.CreateEd25519(Seed)
            : TreeHeadSigner.CreateEcdsaP256(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        using var verifier = algorithm == TreeHeadSignatureAlgorithm.Ed25519
            ? TreeHeadVerifier.CreateEd25519(signer.PublicKey)
            : TreeHeadVerifier.CreateEcdsaP256(signer.PublicKey);
        var encoded = signer.Sign(7, Root(), When).Encode();
        var decoded = SignedTreeHead.Decode(encoded);
        Assert.True(verifier.Verify(decoded).IsValid);
        Assert.Equal(7, decoded.TreeSize);
        Assert.Equal(Root(), decoded.RootHash.ToArray());

        // Flip one bit in every field except the lengths: size, timestamp, root, signature.
        foreach (var offset in new[] { 9, 17, 19, 50, encoded.Length - 1, encoded.Length - 64 })
        {
            var tampered = (byte[])encoded.Clone();
            tampered[offset] ^= 0x01;
            var result = verifier.Verify(SignedTreeHead.Decode(tampered));
            Assert.False(result.IsValid, $"offset {offset}");
            Assert.Equal(TreeHeadVerificationFailure.SignatureInvalid, result.Failure);
        }
    }

    [Fact]
    public void Another_key_or_algorithm_is_rejected()
    {
        using var signer = TreeHeadSigner.CreateEd25519(Seed);
        using var other = TreeHeadSigner.CreateEd25519(new byte[32]);
        using var otherVerifier = TreeHeadVerifier.CreateEd25519(other.PublicKey);
        var head = signer.Sign(3, Root(), When);
        var wrongKey = otherVerifier.Verify(head);
        Assert.Equal(TreeHeadVerificationFailure.SignatureInvalid, wrongKey.Failure);
        Assert.Equal("The Ed25519 signature over tree size 3 does not verify under this key.", wrongKey.Message);

        using var ecdsa = TreeHeadSigner.CreateEcdsaP256(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        using var ecdsaVerifier = TreeHeadVerifier.CreateEcdsaP256(ecdsa.PublicKey);
        var mismatch = ecdsaVerifier.Verify(head);
        Assert.Equal(TreeHeadVerificationFailure.AlgorithmMismatch, mismatch.Failure);
        Assert.Equal("The tree head is signed with Ed25519; the key is EcdsaP256Sha256.", mismatch.Message);
    }

    public static TheoryData<string, string, int> MalformedEncodings()
    {
        using var signer = TreeHeadSigner.CreateEd25519(Seed);
        var good = Vectors.ToHex(signer.Sign(7, Root(), When).Encode());
        return new TheoryData<string, string, int>
        {
            { "truncated-header", good[..20], 10 },
            { "bad-version", "02" + good[2..], 0 },
            { "unknown-algorithm", good[..2] + "07" + good[4..], 1 },
            { "empty-root", good[..36] + "00" + good[38..], 18 },
            { "truncated-signature", good[..^2], 116 },
            { "trailing-garbage", good + "00", 117 },
            { "size-above-int64", good[..4] + "8000000000000000" + good[20..], 2 },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedEncodings))]
    public void Malformed_encodings_fail_with_the_offset(string name, string hex, int offset)
    {
        var error = Assert.Throws<SignedTreeHeadFormatException>(() => SignedTreeHead.Decode(Vectors.Hex(hex)));
        Assert.Equal(offset, error.Offset);
        Assert.False(string.IsNullOrEmpty(error.Message), name);
    }

    [Fact]
    public void Bad_keys_are_rejected_with_clear_messages()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var curve = Assert.Throws<ArgumentException>(() => TreeHeadSigner.CreateEcdsaP256(p384));
        Assert.StartsWith("The ECDSA key must be on P-256; it is on", curve.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TreeHeadVerifier.CreateEcdsaP256(p384.ExportSubjectPublicKeyInfo()));
        Assert.Equal("An Ed25519 private key is 32 bytes; got 31. (Parameter 'seed')", Assert.Throws<ArgumentException>(() => TreeHeadSigner.CreateEd25519(new byte[31])).Message);
        Assert.Equal("The Ed25519 public key is a point of small order. (Parameter 'publicKey')", Assert.Throws<ArgumentException>(() => TreeHeadVerifier.CreateEd25519(Vectors.Hex("0100000000000000000000000000000000000000000000000000000000000000"))).Message);
        Assert.StartsWith("The Ed25519 public key does not decode", Assert.Throws<ArgumentException>(() => TreeHeadVerifier.CreateEd25519(Vectors.Hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"))).Message, StringComparison.Ordinal);
        Assert.StartsWith("The bytes are not a DER SubjectPublicKeyInfo", Assert.Throws<ArgumentException>(() => TreeHeadVerifier.CreateEcdsaP256(new byte[] { 0x30, 0x03, 0x01 })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_parts_and_disposed_signers_are_rejected()
    {
        var signer = TreeHeadSigner.CreateEd25519(Seed);
        Assert.Equal("treeSize", Assert.Throws<ArgumentOutOfRangeException>(() => signer.Sign(-1, Root(), When)).ParamName);
        Assert.Equal("rootHash", Assert.Throws<ArgumentException>(() => signer.Sign(1, [], When)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => signer.Sign(1, Root(), new DateTimeOffset(1969, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        signer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => signer.Sign(1, Root(), When));
    }
}
