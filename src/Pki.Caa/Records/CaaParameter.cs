namespace Pki.Caa;

/// <summary>
/// One <c>tag=value</c> parameter of an <c>issue</c>, <c>issuewild</c> or <c>issuemail</c> value
/// (RFC 8659 section 4.2: <c>parameter = tag *WSP "=" *WSP value</c>).
/// </summary>
public sealed record CaaParameter
{
    /// <summary>RFC 8657 section 3: the ACME account URI a property is restricted to.</summary>
    public const string AccountUri = "accounturi";

    /// <summary>RFC 8657 section 4: the validation methods a property is restricted to.</summary>
    public const string ValidationMethods = "validationmethods";

    /// <summary>Creates a parameter; throws <see cref="CaaFormatException"/> when it does not match the RFC 8659 grammar.</summary>
    /// <param name="tag">Letters, digits and inner hyphens: <c>(ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT))</c>.</param>
    /// <param name="value">Printable ASCII except <c>;</c> and space: <c>*(%x21-3A / %x3C-7E)</c>.</param>
    public CaaParameter(string tag, string value)
    {
        ArgumentNullException.ThrowIfNull(tag);
        ArgumentNullException.ThrowIfNull(value);
        if (!CaaIssuerValue.IsLdhLabel(tag, 0, tag.Length))
        {
            throw new CaaFormatException($"The CAA parameter tag '{tag}' is not letters and digits with inner hyphens (RFC 8659 section 4.2).", tag, 0);
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (!CaaIssuerValue.IsParameterValueChar(value[i]))
            {
                throw new CaaFormatException(
                    $"The value '{value}' of CAA parameter '{tag}' has '{value[i]}' (U+{(int)value[i]:X4}) at position {i}; RFC 8659 section 4.2 allows printable ASCII except ';' and space.",
                    value,
                    i);
            }
        }

        Tag = tag;
        Value = value;
    }

    /// <summary>The parameter tag as written (case kept); compare with <see cref="HasTag"/>, which ignores ASCII case.</summary>
    public string Tag { get; }

    /// <summary>The value as written: printable ASCII without <c>;</c> or space, possibly empty; RFC 8657 compares it exactly (no case folding).</summary>
    public string Value { get; }

    /// <summary>Whether <see cref="Tag"/> equals <paramref name="tag"/> ignoring ASCII case.</summary>
    public bool HasTag(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        return CaaTags.AsciiEquals(Tag, tag);
    }

    /// <summary><c>tag=value</c>.</summary>
    public override string ToString() => Tag + "=" + Value;
}
