using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pki.KeyTransparency.Directory;
using Pki.KeyTransparency.Merkle;
using static Pki.KeyTransparency.Tests.Directory.DirectoryAssert;
using Bc25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace Pki.KeyTransparency.Tests.Directory;

/// <summary>Configuration, TreeHeadTBS and TreeHead (section 5.2), and the combined tree's log entries (5.7).</summary>
public sealed class TreeHeadTests
{
    private static readonly byte[] Seed = Enumerable.Range(40, 32).Select(i => (byte)i).ToArray();

    private static byte[] Ed25519PublicKey()
    {
        var publicKey = new byte[32];
        Bc25519.GeneratePublicKey(Seed, 0, publicKey, 0);
        return publicKey;
    }

    private static LogConfiguration Config(KeyTransparencyCipherSuite suite, byte[] signatureKey, DeploymentMode mode = DeploymentMode.ContactMonitoring, ulong? lifetime = null) => new()
    {
        CipherSuite = suite,
        Mode = mode,
        SignaturePublicKey = signatureKey,
        VrfPublicKey = [9, 9, 9],
        LeafPublicKey = mode == DeploymentMode.ThirdPartyManagement ? [7, 7] : null,
        AuditorPublicKey = mode == DeploymentMode.ThirdPartyAuditing ? [6] : null,
        MaxAuditorLag = mode == DeploymentMode.ThirdPartyAuditing ? 1000UL : 0,
        AuditorStartPosition = mode == DeploymentMode.ThirdPartyAuditing ? 3UL : 0,
        MaxAhead = 10_000,
        MaxBehind = 86_400_000,
        ReasonableMonitoringWindow = 604_800_000,
        MaximumLifetime = lifetime,
    };

    [Fact]
    public void Configuration_encoding_follows_the_struct_field_by_field()
    {
        var config = Config(KeyTransparencyCipherSuite.Ed25519, [1, 2], DeploymentMode.ThirdPartyAuditing, 5);
        byte[] expected =
        [
            0, 2, 3, 0, 2, 1, 2, 0, 3, 9, 9, 9,
            0, 0, 0, 0, 0, 0, 0x03, 0xE8, 0, 0, 0, 0, 0, 0, 0, 3, 0, 1, 6,
            0, 0, 0, 0, 0, 0, 0x27, 0x10, 0, 0, 0, 0, 0x05, 0x26, 0x5C, 0x00, 0, 0, 0, 0, 0x24, 0x0C, 0x84, 0x00,
            1, 0, 0, 0, 0, 0, 0, 0, 5,
        ];
        Assert.Equal(expected, config.Encode());
        var tbs = TreeHead.EncodeToBeSigned(config, 42, new byte[32]);
        Assert.Equal([.. expected, 0, 0, 0, 0, 0, 0, 0, 42, .. new byte[32]], tbs);
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(1, 123UL)]
    [InlineData(2, null)]
    [InlineData(3, ulong.MaxValue)]
    public void Configuration_round_trips_in_every_mode(int modeValue, ulong? lifetime)
    {
        var mode = (DeploymentMode)modeValue;
        var config = Config(KeyTransparencyCipherSuite.P256, [1, 2, 3], mode, lifetime);
        var decoded = LogConfiguration.Decode(config.Encode());
        Assert.Equal(config.Encode(), decoded.Encode());
        Assert.Equal(mode, decoded.Mode);
        Assert.Equal(lifetime, decoded.MaximumLifetime);
    }

    [Fact]
    public void Malformed_configurations_name_the_field()
    {
        var encoded = Config(KeyTransparencyCipherSuite.P256, [1]).Encode();
        var badPresence = (byte[])encoded.Clone();
        badPresence[^1] = 2;
        Throws(() => LogConfiguration.Decode(badPresence), "maximum_lifetime has presence octet 2", DirectoryProofFailure.Malformed);
        var badMode = (byte[])encoded.Clone();
        badMode[2] = 0;
        Throws(() => LogConfiguration.Decode(badMode), "Configuration.mode is 0", DirectoryProofFailure.Malformed);
        var badSuite = (byte[])encoded.Clone();
        badSuite[1] = 0;
        Throws(() => LogConfiguration.Decode(badSuite), "reserved", DirectoryProofFailure.UnsupportedCipherSuite);
        Throws(() => LogConfiguration.Decode(encoded.AsSpan(..^3)), "truncated", DirectoryProofFailure.Malformed);
        Throws(() => LogConfiguration.Decode([.. encoded, 1]), "trailing", DirectoryProofFailure.Malformed);
        Assert.Throws<InvalidOperationException>(() => (Config(KeyTransparencyCipherSuite.P256, [1]) with { LeafPublicKey = [1] }).Encode());
    }

    [Fact]
    public void Ed25519_tree_heads_sign_and_verify_and_round_trip()
    {
        var config = Config(KeyTransparencyCipherSuite.Ed25519, Ed25519PublicKey());
        var root = Key(3);
        var head = TreeHead.Sign(config, 10, root, Seed);
        Assert.Equal(64, head.Signature.Length);
        var decoded = TreeHead.Decode(head.Encode());
        decoded.Verify(config, root);
        Assert.Equal(10UL, decoded.TreeSize);
        Throws(() => TreeHead.Decode(head.Encode().AsSpan(..^1)), "truncated", DirectoryProofFailure.Malformed);
        Assert.Throws<ArgumentException>(() => TreeHead.Sign(config with { SignaturePublicKey = new byte[32] }, 10, root, Seed));
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Throws<ArgumentException>(() => TreeHead.Sign(config, 10, root, ecdsa));
    }

    [Fact]
    public void P256_tree_heads_sign_with_uncompressed_keys_and_r_s_signatures()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = TreeHead.EncodeP256PublicKey(key);
        Assert.Equal(65, publicKey.Length);
        Assert.Equal(4, publicKey[0]);
        var config = Config(KeyTransparencyCipherSuite.P256, publicKey);
        var head = TreeHead.Sign(config, 3, Key(4), key);
        Assert.Equal(64, head.Signature.Length);
        head.Verify(config, Key(4));
        Assert.True(key.VerifyData(TreeHead.EncodeToBeSigned(config, 3, Key(4)), head.Signature, HashAlgorithmName.SHA256));
        var offCurve = (byte[])publicKey.Clone();
        offCurve[64] ^= 1;
        Throws(() => head.Verify(config with { SignaturePublicKey = offCurve }, Key(4)), "is not a point on P-256", DirectoryProofFailure.SignatureInvalid);
        Throws(() => head.Verify(config with { SignaturePublicKey = publicKey[1..] }, Key(4)), "is not an uncompressed P-256 point", DirectoryProofFailure.SignatureInvalid);
        Throws(() => (head with { Signature = [.. head.Signature, 0] }).Verify(config, Key(4)), "this one 65", DirectoryProofFailure.SignatureInvalid);
        Throws(() => head.Verify(config, Key(5)), "does not verify under Configuration.signature_public_key", DirectoryProofFailure.SignatureInvalid);
    }

    public enum HeadTamper
    {
        SignatureBit,
        TreeSize,
        Root,
        ConfigField,
        TruncatedSignature,
    }

    [Property(MaxTest = 60)]
    public Property Any_tampered_tree_head_is_rejected() =>
        Prop.ForAll(
            Gen.Elements(Enum.GetValues<HeadTamper>()).SelectMany(k => Gen.Elements(true, false).SelectMany(p => Gen.Choose(0, int.MaxValue).Select(s => (k, p, s)))).ToArbitrary(),
            t =>
            {
                using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var config = t.p ? Config(KeyTransparencyCipherSuite.P256, TreeHead.EncodeP256PublicKey(ecdsa)) : Config(KeyTransparencyCipherSuite.Ed25519, Ed25519PublicKey());
                var root = Key(t.s);
                var head = t.p ? TreeHead.Sign(config, 99, root, ecdsa) : TreeHead.Sign(config, 99, root, Seed);
                head.Verify(config, root);
                (head, config, root) = t.k switch
                {
                    HeadTamper.SignatureBit => (head with { Signature = FlipBit(head.Signature, t.s) }, config, root),
                    HeadTamper.TreeSize => (head with { TreeSize = 100 }, config, root),
                    HeadTamper.Root => (head, config, FlipBit(root, t.s)),
                    HeadTamper.ConfigField => (head, config with { MaxBehind = config.MaxBehind + 1 }, root),
                    _ => (head with { Signature = head.Signature[..^1] }, config, root),
                };
                return Rejects(() => head.Verify(config, root), DirectoryProofFailure.SignatureInvalid);
            });

    // The combined tree (section 3.4): each log entry is a timestamp and the prefix tree root after a
    // batch; the tree head signs the log tree root over those entries.
    [Fact]
    public void Combined_tree_log_entries_chain_prefix_roots_under_a_signed_head()
    {
        var prefix = new PrefixTree();
        var log = new MerkleLog(KeyTransparencyLogHasher.Sha256);
        var config = Config(KeyTransparencyCipherSuite.Ed25519, Ed25519PublicKey());
        for (var batch = 0; batch < 5; batch++)
        {
            prefix.Insert(Enumerable.Range(batch * 10, 10).Select(i => new PrefixLeaf(Key(i), Key(i + 500))));
            log.Append(KeyTransparencyLogHasher.EncodeLogEntry((ulong)(1_700_000_000_000 + batch), prefix.GetRoot()));
        }

        var head = TreeHead.Sign(config, (ulong)log.Size, log.GetRoot(), Seed);
        var searched = Key(42);
        var prefixProof = prefix.Search([searched]);
        var prefixRoot = PrefixTree.ComputeRoot([searched], [Key(542)], prefixProof);
        var leaf = LogTree.LeafValue(1_700_000_000_004, prefixRoot);
        var logProof = LogTree.Prove(log, log.Size, [4], 0);
        var root = LogTree.ComputeRoot(log.Size, new Dictionary<long, byte[]> { [4] = leaf }, 0, [], logProof);
        head.Verify(config, root);
    }
}
