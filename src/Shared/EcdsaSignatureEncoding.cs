using System.Formats.Asn1;

namespace Pki.Shared;

/// <summary>
/// ECDSA signatures between the two encodings: IEEE P1363 <c>r || s</c> (what .NET's
/// <c>ECDsa.SignData</c>/<c>VerifyData</c> use on netstandard2.1, which has no
/// <c>DSASignatureFormat</c>) and the DER <c>Ecdsa-Sig-Value</c> X.509 and CMS carry:
/// <code>
/// Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }   -- RFC 3279 section 2.2.3
/// </code>
/// </summary>
internal static class EcdsaSignatureEncoding
{
    /// <summary>DER <c>Ecdsa-Sig-Value</c> of a P1363 signature (two equal halves).</summary>
    public static byte[] ToDer(ReadOnlySpan<byte> ieeeP1363)
    {
        var half = ieeeP1363.Length / 2;
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(TrimLeadingZeros(ieeeP1363.Slice(0, half)));
            writer.WriteIntegerUnsigned(TrimLeadingZeros(ieeeP1363.Slice(half, half)));
        }

        return writer.Encode();
    }

    /// <summary>
    /// P1363 <c>r || s</c>, each left-padded to <paramref name="fieldSize"/> bytes, of a DER
    /// <c>Ecdsa-Sig-Value</c>; null when the value is not two non-negative integers that fit.
    /// </summary>
    /// <exception cref="AsnContentException">The bytes are not one DER SEQUENCE of two INTEGERs.</exception>
    public static byte[]? ToP1363(ReadOnlyMemory<byte> der, int fieldSize)
    {
        var reader = new AsnReader(der, AsnEncodingRules.DER);
        var sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        var result = new byte[2 * fieldSize];
        for (var i = 0; i < 2; i++)
        {
            var integer = sequence.ReadIntegerBytes().Span;
            if (integer[0] >= 0x80)
            {
                return null;
            }

            if (integer.Length > 1 && integer[0] == 0)
            {
                integer = integer.Slice(1);
            }

            if (integer.Length > fieldSize)
            {
                return null;
            }

            integer.CopyTo(result.AsSpan(((i + 1) * fieldSize) - integer.Length));
        }

        sequence.ThrowIfNotEmpty();
        return result;
    }

    // DER INTEGERs are minimal; WriteIntegerUnsigned refuses redundant leading zero octets.
    private static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> value)
    {
        var i = 0;
        while (i < value.Length - 1 && value[i] == 0)
        {
            i++;
        }

        return value.Slice(i);
    }
}
