using System.Numerics;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Pki.Shared.Edwards25519;
using BcEd25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace Pki.Tests.SharedSource;

/// <summary>The shared RFC 8032 Ed25519 signer and verifier: the RFC's vectors, BouncyCastle as an independent reference, tampering and bad input.</summary>
public class Ed25519Tests
{
    // RFC 8032 section 7.1: SECRET KEY, PUBLIC KEY, MESSAGE, SIGNATURE (hex).
    public static TheoryData<string, string, string, string, string> Rfc8032Vectors => new()
    {
        {
            "TEST 1 (empty message)",
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            string.Empty,
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        },
        {
            "TEST 2 (one octet)",
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        },
        {
            "TEST 3 (two octets)",
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        },
        {
            "TEST SHA(abc) (64 octets)",
            "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
            "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"
        },
    };

    internal static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    [Theory]
    [MemberData(nameof(Rfc8032Vectors))]
    public void Rfc8032_vectors_give_the_public_key_and_the_signature_and_verify(string name, string secret, string expectedPublic, string message, string expectedSignature)
    {
        using var key = new Ed25519PrivateKey(Convert.FromHexString(secret));
        var signature = new byte[Ed25519.SignatureSize];
        key.Sign(Convert.FromHexString(message), signature);

        Assert.True(expectedPublic == Hex(key.PublicKey), name);
        Assert.Equal(expectedSignature, Hex(signature));
        Assert.True(Ed25519.Verify(key.PublicKey, Convert.FromHexString(message), signature));
    }

    [Fact]
    public void Keys_and_signatures_match_BouncyCastle_and_each_verifies_the_other()
    {
        var random = new Random(8032);
        for (var i = 0; i < 64; i++)
        {
            var seed = new byte[32];
            var message = new byte[random.Next(0, 300)];
            random.NextBytes(seed);
            random.NextBytes(message);
            var reference = new Ed25519PrivateKeyParameters(seed);
            var referenceSignature = new byte[64];
            reference.Sign(BcEd25519.Algorithm.Ed25519, null, message, 0, message.Length, referenceSignature, 0);

            using var key = new Ed25519PrivateKey(seed);
            var signature = new byte[64];
            key.Sign(message, signature);

            Assert.Equal(reference.GeneratePublicKey().GetEncoded(), key.PublicKey.ToArray());
            Assert.Equal(referenceSignature, signature); // Ed25519 is deterministic: the same bytes
            Assert.True(reference.GeneratePublicKey().Verify(BcEd25519.Algorithm.Ed25519, null, message, 0, message.Length, signature, 0));
            Assert.True(Ed25519.Verify(key.PublicKey, message, referenceSignature));
        }
    }

    [Fact]
    public void Any_changed_bit_of_key_message_or_signature_fails_verification()
    {
        using var key = Ed25519PrivateKey.Generate();
        var message = "payload"u8.ToArray();
        var signature = new byte[64];
        key.Sign(message, signature);
        Assert.True(Ed25519.Verify(key.PublicKey, message, signature));

        for (var bit = 0; bit < 64 * 8; bit += 7)
        {
            var tampered = (byte[])signature.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Ed25519.Verify(key.PublicKey, message, tampered), $"signature bit {bit}");
        }

        for (var bit = 0; bit < 32 * 8; bit += 5)
        {
            var publicKey = key.PublicKey.ToArray();
            publicKey[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Ed25519.Verify(publicKey, message, signature), $"public key bit {bit}");
        }

        for (var i = 0; i < message.Length; i++)
        {
            var changed = (byte[])message.Clone();
            changed[i] ^= 1;
            Assert.False(Ed25519.Verify(key.PublicKey, changed, signature), $"message byte {i}");
        }

        using var other = Ed25519PrivateKey.Generate();
        Assert.False(Ed25519.Verify(other.PublicKey, message, signature));
    }

    [Fact]
    public void A_non_canonical_S_is_refused_as_RFC_8032_section_5_1_7_requires()
    {
        using var key = new Ed25519PrivateKey(new byte[32]);
        var message = new byte[] { 1, 2, 3 };
        var signature = new byte[64];
        key.Sign(message, signature);

        // S + L encodes the same scalar mod L but is not below L: malleability the RFC forbids.
        var order = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493", System.Globalization.CultureInfo.InvariantCulture);
        var s = new BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: false) + order;
        var malleable = (byte[])signature.Clone();
        Assert.True(s.TryWriteBytes(malleable.AsSpan(32), out _, isUnsigned: true, isBigEndian: false));

        Assert.False(Ed25519.Verify(key.PublicKey, message, malleable));
        Assert.False(new Ed25519PublicKeyParameters(key.PublicKey.ToArray()).Verify(BcEd25519.Algorithm.Ed25519, null, message, 0, message.Length, malleable, 0));
    }

    [Fact]
    public void Wrong_lengths_and_undecodable_keys_are_invalid_not_exceptions()
    {
        using var key = Ed25519PrivateKey.Generate();
        var signature = new byte[64];
        key.Sign([], signature);

        Assert.False(Ed25519.Verify(key.PublicKey[..31], [], signature));
        Assert.False(Ed25519.Verify(key.PublicKey, [], signature.AsSpan(0, 63)));
        Assert.False(Ed25519.Verify(key.PublicKey, [], new byte[65]));

        // y = p (2^255 - 19) is not a canonical field element, so the key does not decode.
        var notCanonical = Convert.FromHexString("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
        Assert.False(Ed25519.Verify(notCanonical, [], signature));
    }

    [Fact]
    public void Bad_arguments_are_typed_errors_and_a_disposed_key_cannot_sign()
    {
        Assert.Equal("seed", Assert.Throws<ArgumentException>(() => new Ed25519PrivateKey(new byte[31])).ParamName);
        var key = Ed25519PrivateKey.Generate();
        Assert.Equal("signature", Assert.Throws<ArgumentException>(() => key.Sign([], new byte[63])).ParamName);

        var seed = new byte[32];
        key.ExportSeed(seed);
        using (var again = new Ed25519PrivateKey(seed))
        {
            Assert.Equal(key.PublicKey.ToArray(), again.PublicKey.ToArray());
        }

        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.Sign([], new byte[64]));
        Assert.Throws<ObjectDisposedException>(() => key.ExportSeed(seed));
    }
}

/// <summary>PKCS#8 Ed25519 keys (RFC 8410 section 7) in <see cref="PrivateKeyCodec"/>.</summary>
public class Ed25519Pkcs8Tests
{
    // RFC 8410 section 10.3: the example private key and the public key of section 10.1.
    private const string Rfc8410Key = "MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC";
    private const string Rfc8410PublicKey = "19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1";

    [Fact]
    public void The_rfc_8410_example_key_reads_to_its_seed_and_public_key()
    {
        var seed = new byte[32];
        Assert.Null(PrivateKeyCodec.ReadEd25519Seed(Convert.FromBase64String(Rfc8410Key), seed));
        using var key = new Ed25519PrivateKey(seed);

        Assert.Equal(Rfc8410PublicKey, Ed25519Tests.Hex(key.PublicKey));
        Assert.Equal(Convert.FromBase64String(Rfc8410Key), PrivateKeyCodec.WriteEd25519(seed, []));
    }

    [Fact]
    public void Written_keys_are_BouncyCastles_bytes_and_read_back_both_ways()
    {
        using var key = Ed25519PrivateKey.Generate();
        var seed = new byte[32];
        key.ExportSeed(seed);
        var der = PrivateKeyCodec.WriteEd25519(seed, key.PublicKey);

        var reference = PrivateKeyInfoFactory.CreatePrivateKeyInfo(new Ed25519PrivateKeyParameters(seed)).GetDerEncoded();
        Assert.Equal(reference, der);
        Assert.Equal(PrivateKeyCodec.Ed25519Oid, PrivateKeyCodec.ReadAlgorithm(der));

        var back = new byte[32];
        Assert.Equal(key.PublicKey.ToArray(), PrivateKeyCodec.ReadEd25519Seed(der, back));
        Assert.Equal(seed, back);
    }

    [Theory]
    [InlineData("3030020100300706032b6570050004220420" + "d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842", "parameters")]
    [InlineData("302d020100300506032b65700421041f" + "d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f447558", "has 31")]
    [InlineData("302e020100300506032b657004220420" + "d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f447558", "not a DER")]
    [InlineData("302e020100300506032b656e04220420" + "d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842", "1.3.101.110")]
    [InlineData("302e020102300506032b657004220420" + "d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842", "version")]
    [InlineData("3030020100300506032b657004220420" + "d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842" + "0500", "not a DER")]
    [InlineData("3030020100300506032b657004240420" + "d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842" + "0000", "CurvePrivateKey")]
    [InlineData("3032020100300506032b657004220420" + "d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842" + "81020000", "v2")]
    public void Malformed_keys_are_typed_errors_that_name_the_problem_not_the_key(string hex, string expected)
    {
        var seed = new byte[32];
        var ex = Assert.Throws<PrivateKeyFormatException>(() => PrivateKeyCodec.ReadEd25519Seed(Convert.FromHexString(hex), seed));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("d4ee72", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(new byte[32], seed);
    }

    [Fact]
    public void Writing_refuses_a_seed_that_is_not_32_bytes() =>
        Assert.Equal("seed", Assert.Throws<ArgumentException>(() => PrivateKeyCodec.WriteEd25519(new byte[33], [])).ParamName);
}
