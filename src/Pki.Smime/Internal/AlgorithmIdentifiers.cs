namespace Pki.Smime.Internal;

/// <summary>
/// The byte-exact <c>AlgorithmIdentifier</c> encodings of S/MIME BR section 7.1.3: "No other encodings
/// are permitted."
/// </summary>
internal static class AlgorithmIdentifiers
{
    // 7.1.3.1 SubjectPublicKeyInfo.
    public static readonly byte[] RsaEncryption = Hex("300d06092a864886f70d0101010500");
    public static readonly byte[] EcP256 = Hex("301306072a8648ce3d020106082a8648ce3d030107");
    public static readonly byte[] EcP384 = Hex("301006072a8648ce3d020106052b81040022");
    public static readonly byte[] EcP521 = Hex("301006072a8648ce3d020106052b81040023");
    public static readonly byte[] Ed25519 = Hex("300506032b6570");
    public static readonly byte[] Ed448 = Hex("300506032b6571");

    // 7.1.3.2 Signature AlgorithmIdentifier.
    public static readonly byte[] RsaPkcs1Sha256 = Hex("300d06092a864886f70d01010b0500");
    public static readonly byte[] RsaPkcs1Sha384 = Hex("300d06092a864886f70d01010c0500");
    public static readonly byte[] RsaPkcs1Sha512 = Hex("300d06092a864886f70d01010d0500");
    public static readonly byte[] RsaPssSha256 = Hex(
        "304106092a864886f70d01010a3034a00f300d0609608648016503040201" +
        "0500a11c301a06092a864886f70d010108300d0609608648016503040201" +
        "0500a203020120");
    public static readonly byte[] RsaPssSha384 = Hex(
        "304106092a864886f70d01010a3034a00f300d0609608648016503040202" +
        "0500a11c301a06092a864886f70d010108300d0609608648016503040202" +
        "0500a203020130");
    public static readonly byte[] RsaPssSha512 = Hex(
        "304106092a864886f70d01010a3034a00f300d0609608648016503040203" +
        "0500a11c301a06092a864886f70d010108300d0609608648016503040203" +
        "0500a203020140");
    public static readonly byte[] EcdsaSha256 = Hex("300a06082a8648ce3d040302");
    public static readonly byte[] EcdsaSha384 = Hex("300a06082a8648ce3d040303");
    public static readonly byte[] EcdsaSha512 = Hex("300a06082a8648ce3d040304");

    /// <summary>The signature algorithms of section 7.1.3.2, each with the key type that may use it.</summary>
    public static readonly (byte[] Encoding, SmimeKeyAlgorithm? Key)[] Signature =
    [
        (RsaPkcs1Sha256, null), (RsaPkcs1Sha384, null), (RsaPkcs1Sha512, null),
        (RsaPssSha256, null), (RsaPssSha384, null), (RsaPssSha512, null),
        (EcdsaSha256, SmimeKeyAlgorithm.EcP256), (EcdsaSha384, SmimeKeyAlgorithm.EcP384), (EcdsaSha512, SmimeKeyAlgorithm.EcP521),
        (Ed25519, SmimeKeyAlgorithm.Ed25519), (Ed448, SmimeKeyAlgorithm.Ed448),
    ];

    /// <summary>The key algorithm a section 7.1.3.1 encoding names, or null when it is not one of them.</summary>
    public static SmimeKeyAlgorithm? KeyAlgorithmOf(ReadOnlySpan<byte> algorithmIdentifier)
    {
        if (algorithmIdentifier.SequenceEqual(RsaEncryption))
        {
            return SmimeKeyAlgorithm.Rsa;
        }

        if (algorithmIdentifier.SequenceEqual(EcP256))
        {
            return SmimeKeyAlgorithm.EcP256;
        }

        if (algorithmIdentifier.SequenceEqual(EcP384))
        {
            return SmimeKeyAlgorithm.EcP384;
        }

        if (algorithmIdentifier.SequenceEqual(EcP521))
        {
            return SmimeKeyAlgorithm.EcP521;
        }

        if (algorithmIdentifier.SequenceEqual(Ed25519))
        {
            return SmimeKeyAlgorithm.Ed25519;
        }

        return algorithmIdentifier.SequenceEqual(Ed448) ? SmimeKeyAlgorithm.Ed448 : null;
    }

    /// <summary>Whether <paramref name="signatureAlgorithm"/> is a section 7.1.3.2 encoding usable with <paramref name="issuerKey"/>.</summary>
    public static bool IsSignatureAllowed(ReadOnlySpan<byte> signatureAlgorithm, out bool matchesIssuerKey, SmimeKeyAlgorithm? issuerKey)
    {
        foreach (var (encoding, key) in Signature)
        {
            if (signatureAlgorithm.SequenceEqual(encoding))
            {
                matchesIssuerKey = issuerKey is null || (key ?? SmimeKeyAlgorithm.Rsa) == issuerKey;
                return true;
            }
        }

        matchesIssuerKey = false;
        return false;
    }

    private static byte[] Hex(string hex)
    {
        var bytes = new byte[hex.Length / 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = Convert.ToByte(hex.Substring(2 * i, 2), 16);
        }

        return bytes;
    }
}
