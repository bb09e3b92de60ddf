using System.Formats.Asn1;
using System.Text;

namespace Pki.Smime.Internal;

/// <summary>
/// Text of ASN.1 string values as the linter needs it: decoded from the content octets without
/// validating the character set (a PrintableString with an '@' is still read, so the linter can name
/// the problem instead of refusing the certificate), and type names for messages.
/// </summary>
internal static class Asn1Text
{
    private static readonly Encoding Latin1 = Encoding.GetEncoding("iso-8859-1");

    /// <summary>The tag of an encoded value.</summary>
    public static Asn1Tag TagOf(ReadOnlySpan<byte> encoded) => Asn1Tag.Decode(encoded, out _);

    /// <summary>
    /// The text of a primitive universal string value (UTF8String, PrintableString, IA5String,
    /// VisibleString, NumericString, TeletexString, BMPString, UniversalString); null for other types.
    /// </summary>
    public static string? StringValue(ReadOnlySpan<byte> encoded)
    {
        var tag = AsnDecoder.ReadEncodedValue(encoded, AsnEncodingRules.BER, out var offset, out var length, out _);
        if (tag.TagClass != TagClass.Universal || tag.IsConstructed)
        {
            return null;
        }

        var contents = encoded.Slice(offset, length).ToArray();
        return (UniversalTagNumber)tag.TagValue switch
        {
            UniversalTagNumber.UTF8String => Encoding.UTF8.GetString(contents),
            UniversalTagNumber.PrintableString or UniversalTagNumber.IA5String or UniversalTagNumber.VisibleString
                or UniversalTagNumber.NumericString or UniversalTagNumber.T61String => Latin1.GetString(contents),
            UniversalTagNumber.BMPString => Encoding.BigEndianUnicode.GetString(contents),
            UniversalTagNumber.UniversalString => new UTF32Encoding(bigEndian: true, byteOrderMark: false).GetString(contents),
            _ => null,
        };
    }

    /// <summary>The text of an IA5String under any tag (e.g. a GeneralName [1] rfc822Name), bytes read as Latin-1.</summary>
    public static string Ia5(AsnReader reader, Asn1Tag tag)
    {
        var encoded = reader.ReadEncodedValue().Span;
        var actual = AsnDecoder.ReadEncodedValue(encoded, AsnEncodingRules.DER, out var offset, out var length, out _);
        if (actual != tag)
        {
            throw new AsnContentException($"expected an IA5String with tag {tag}, found {actual}");
        }

        return Latin1.GetString(encoded.Slice(offset, length).ToArray());
    }

    /// <summary>The ASN.1 name of a tag for messages: <c>UTF8String</c>, <c>BMPString</c>, or <c>[2]</c> for context tags.</summary>
    public static string TypeName(Asn1Tag tag) => tag.TagClass switch
    {
        TagClass.Universal => ((UniversalTagNumber)tag.TagValue).ToString(),
        TagClass.ContextSpecific => $"[{tag.TagValue}]",
        _ => tag.ToString(),
    };
}
