using System.Globalization;
using System.Text;

namespace Pki.Caa;

/// <summary>
/// One CAA resource record: a flags octet and a property (tag and value), RFC 8659 section 4.1.
/// </summary>
/// <remarks>
/// <para>Wire format of the RDATA (RFC 8659 section 4.1; bit 0 is the most significant bit):</para>
/// <code>
///   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |C|   reserved  |   Tag Length  |   C = Issuer Critical (flags value 128)
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// /              Tag              /   Tag Length octets, at least 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// /             Value             /   the rest of the RDATA (may be empty)
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// <para>
/// <see cref="Tag"/> and <see cref="Value"/> hold the octets one character each (U+0000 to U+00FF),
/// so any RDATA survives a read and a write unchanged. Every tag and value the RFCs define is ASCII,
/// where this is simply the text.
/// </para>
/// </remarks>
public sealed record CaaRecord
{
    /// <summary>The largest RDATA a resource record can carry (RDLENGTH is 16 bits).</summary>
    public const int MaxRdataLength = 65535;

    /// <summary>The longest tag the one-octet tag length allows.</summary>
    public const int MaxTagLength = 255;

    /// <summary>Creates a record; throws <see cref="CaaFormatException"/> when it cannot be encoded.</summary>
    /// <param name="flags">The flags octet; 128 is Issuer Critical.</param>
    /// <param name="tag">The property tag, 1 to 255 octets (RFC 8659: letters and digits).</param>
    /// <param name="value">The property value, one character per octet (U+0000 to U+00FF).</param>
    public CaaRecord(byte flags, string tag, string value)
    {
        ArgumentNullException.ThrowIfNull(tag);
        ArgumentNullException.ThrowIfNull(value);
        if (tag.Length is 0 or > MaxTagLength)
        {
            // RFC 8659 section 4.1: "The tag length MUST be at least 1."
            throw new CaaFormatException($"A CAA tag must be 1 to {MaxTagLength} octets long; '{tag}' has {tag.Length}.", tag, 0);
        }

        CheckOctets(tag, "tag");
        CheckOctets(value, "value");
        if (2 + tag.Length + value.Length > MaxRdataLength)
        {
            throw new CaaFormatException($"The CAA record '{tag}' is too long: its RDATA would be {2 + tag.Length + value.Length} octets, the limit is {MaxRdataLength}.", tag, 0);
        }

        Flags = flags;
        Tag = tag;
        Value = value;
    }

    /// <summary>The flags octet as on the wire: 128 is Issuer Critical (<see cref="IsCritical"/>); the other bits are reserved (RFC 8659 section 4.1), kept and ignored.</summary>
    public byte Flags { get; }

    /// <summary>The property tag as written; compare with <see cref="HasTag(string)"/>.</summary>
    public string Tag { get; }

    /// <summary>The property value, one character per octet.</summary>
    public string Value { get; }

    /// <summary>Whether the Issuer Critical flag (128) is set.</summary>
    public bool IsCritical => (Flags & CaaTags.IssuerCriticalFlag) != 0;

    /// <summary>
    /// Whether the tag uses only the characters RFC 8659 section 4.1 allows: "Tags MAY contain ASCII
    /// characters "a" through "z", "A" through "Z", and the numbers 0 through 9. Tags MUST NOT contain
    /// any other characters."
    /// </summary>
    public bool HasWellFormedTag
    {
        get
        {
            foreach (var c in Tag)
            {
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Length of this record's RDATA in octets.</summary>
    public int RdataLength => 2 + Tag.Length + Value.Length;

    /// <summary>Whether the tag equals <paramref name="tag"/>, ignoring ASCII case (RFC 8659 section 4.1: "Matching of tags is case insensitive.").</summary>
    public bool HasTag(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        return CaaTags.AsciiEquals(Tag, tag);
    }

    /// <summary>
    /// Parses <see cref="Value"/> with the <c>issue</c> grammar (RFC 8659 section 4.2, shared by
    /// <c>issuewild</c> and RFC 9495 <c>issuemail</c>). A malformed value gives a result with
    /// <see cref="CaaIssuerValue.IsMalformed"/> set and no issuer, as the RFC requires.
    /// </summary>
    public CaaIssuerValue ParseIssuerValue() => CaaIssuerValue.Parse(Value);

    /// <summary>The value as a new array, one byte per character of <see cref="Value"/> (e.g. to decode a value that is not ASCII).</summary>
    public byte[] GetValueBytes() => ToOctets(Value);

    /// <summary>Reads a record from its RDATA; throws <see cref="CaaFormatException"/> with the offset when it is malformed.</summary>
    public static CaaRecord ReadRdata(ReadOnlySpan<byte> rdata)
    {
        if (rdata.Length < 2)
        {
            throw new CaaFormatException($"CAA RDATA is {rdata.Length} octets; at least 3 are needed (flags, tag length, tag). Data: {Hex(rdata)}.", Hex(rdata), rdata.Length);
        }

        if (rdata.Length > MaxRdataLength)
        {
            throw new CaaFormatException($"CAA RDATA is {rdata.Length} octets; the limit is {MaxRdataLength}.", null, MaxRdataLength);
        }

        var tagLength = rdata[1];
        if (tagLength == 0)
        {
            throw new CaaFormatException($"CAA RDATA has tag length 0 at offset 1; RFC 8659 section 4.1 says \"The tag length MUST be at least 1\". Data: {Hex(rdata)}.", Hex(rdata), 1);
        }

        if (2 + tagLength > rdata.Length)
        {
            throw new CaaFormatException($"CAA RDATA says the tag is {tagLength} octets but only {rdata.Length - 2} follow at offset 2. Data: {Hex(rdata)}.", Hex(rdata), 2);
        }

        return new CaaRecord(rdata[0], FromOctets(rdata.Slice(2, tagLength)), FromOctets(rdata.Slice(2 + tagLength)));
    }

    /// <summary>Reads a record from its RDATA (flags, tag length, tag, value).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="rdata"/> is null.</exception>
    /// <exception cref="CaaFormatException">The RDATA is malformed; the message has the offset and the bytes in hex.</exception>
    public static CaaRecord ReadRdata(byte[] rdata)
    {
        ArgumentNullException.ThrowIfNull(rdata);
        return ReadRdata(new ReadOnlySpan<byte>(rdata));
    }

    /// <summary>Writes the RDATA; false when <paramref name="destination"/> is shorter than <see cref="RdataLength"/>.</summary>
    public bool TryWriteRdata(Span<byte> destination, out int bytesWritten)
    {
        if (destination.Length < RdataLength)
        {
            bytesWritten = 0;
            return false;
        }

        destination[0] = Flags;
        destination[1] = (byte)Tag.Length;
        for (var i = 0; i < Tag.Length; i++)
        {
            destination[2 + i] = (byte)Tag[i];
        }

        var offset = 2 + Tag.Length;
        for (var i = 0; i < Value.Length; i++)
        {
            destination[offset + i] = (byte)Value[i];
        }

        bytesWritten = RdataLength;
        return true;
    }

    /// <summary>The RDATA as a new array of <see cref="RdataLength"/> bytes: flags, tag length, tag, value.</summary>
    public byte[] ToRdata()
    {
        var bytes = new byte[RdataLength];
        TryWriteRdata(bytes, out _);
        return bytes;
    }

    /// <summary>
    /// Parses the RDATA presentation text, RFC 8659 section 4.1.1 (<c>0 issue "ca.example"</c>), or
    /// the RFC 3597 generic form (<c>\# 6 80 03 66 6f 6f 78</c>). Quoted values may use <c>\"</c>,
    /// <c>\\</c> and <c>\DDD</c> escapes (RFC 1035 section 5.1).
    /// </summary>
    /// <exception cref="CaaFormatException">The text is not a CAA RDATA; the message has the offset.</exception>
    public static CaaRecord Parse(string presentation)
    {
        ArgumentNullException.ThrowIfNull(presentation);
        return CaaPresentation.ParseRdata(presentation);
    }

    /// <summary>Like <see cref="Parse(string)"/> but returns false (and a null <paramref name="record"/>) instead of throwing, also for null.</summary>
    public static bool TryParse(string? presentation, out CaaRecord? record)
    {
        record = null;
        if (presentation is null)
        {
            return false;
        }

        try
        {
            record = CaaPresentation.ParseRdata(presentation);
            return true;
        }
        catch (CaaFormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// The RDATA presentation text: <c>flags tag "value"</c>; a tag that cannot be written plainly
    /// falls back to the RFC 3597 generic form. <see cref="Parse(string)"/> reads it back unchanged.
    /// </summary>
    public string ToPresentation() => CaaPresentation.Format(this);

    /// <summary>The RDATA presentation text, as <see cref="ToPresentation"/>: <c>0 issue "ca.example"</c>.</summary>
    public override string ToString() => ToPresentation();

    /// <summary>
    /// Converts a DnsClient answer. DnsClient 1.8 escapes the octets it reads: octets outside
    /// 0x20-0x7E become <c>\DDD</c> and <c>"</c> becomes <c>\"</c>, while a backslash is left as is;
    /// the RDATA length of the answer tells the two readings of <c>\DDD</c> apart.
    /// </summary>
    /// <exception cref="CaaFormatException">The answer cannot be decoded to exactly its RDATA length.</exception>
    public static CaaRecord FromDnsClient(DnsClient.Protocol.CaaRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return DnsClientUnescaper.Decode(record.Flags, record.Tag, record.Value, record.RawDataLength);
    }

    internal static string FromOctets(ReadOnlySpan<byte> octets)
    {
        if (octets.IsEmpty)
        {
            return string.Empty;
        }

        var chars = new char[octets.Length];
        for (var i = 0; i < octets.Length; i++)
        {
            chars[i] = (char)octets[i];
        }

        return new string(chars);
    }

    internal static byte[] ToOctets(string text)
    {
        var bytes = new byte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            bytes[i] = (byte)text[i];
        }

        return bytes;
    }

    internal static string Hex(ReadOnlySpan<byte> data)
    {
        var sb = new StringBuilder(data.Length * 3);
        for (var i = 0; i < data.Length && i < 64; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }

            sb.Append(data[i].ToString("x2", CultureInfo.InvariantCulture));
        }

        if (data.Length > 64)
        {
            sb.Append(" ...");
        }

        return sb.ToString();
    }

    private static void CheckOctets(string text, string what)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] > 0xFF)
            {
                throw new CaaFormatException(
                    $"The CAA {what} '{text}' has character U+{(int)text[i]:X4} at position {i}; a CAA {what} holds octets, one character (U+0000 to U+00FF) each. Encode other text (e.g. UTF-8) first.",
                    text,
                    i);
            }
        }
    }
}
