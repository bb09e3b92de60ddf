namespace Pki.Caa;

/// <summary>
/// Domain-name helpers: normalisation to lower-case A-labels without the root dot (IDN through the
/// shared <see cref="IdnName"/>), host-name syntax, parents, ASCII case-insensitive comparison.
/// </summary>
internal static class DnsName
{
    /// <summary>
    /// Lower-case A-label form without the trailing dot. Throws <see cref="CaaFormatException"/> naming
    /// <paramref name="what"/> and the value when it is not a domain name.
    /// </summary>
    public static string Normalize(string name, string what, bool allowUnderscore = true)
    {
        var text = name.Trim();
        if (text.EndsWith('.'))
        {
            text = text.Substring(0, text.Length - 1);
        }

        if (text.Length == 0)
        {
            throw new CaaFormatException($"The {what} '{name}' is empty; give a domain name such as 'example.com'.", name, 0);
        }

        if (!IdnName.IsAscii(text))
        {
            try
            {
                // RFC 9495 section 3 and IDNA 2008: U-labels are compared in their A-label form.
                // IdnName trims and drops one root dot itself, exactly as done above for this name.
                text = IdnName.ToAscii(name);
            }
            catch (ArgumentException ex)
            {
                throw new CaaFormatException($"The {what} '{name}' is not a valid internationalized domain name: {ex.Message}", name, 0);
            }
        }

        text = IdnName.ToLowerAscii(text);
        var error = Validate(text, allowUnderscore);
        if (error is not null)
        {
            throw new CaaFormatException($"The {what} '{name}' is not a valid domain name: {error}.", name, 0);
        }

        return text;
    }

    /// <summary>Why <paramref name="name"/> (ASCII, no trailing dot) is not a host name, or null when it is.</summary>
    public static string? Validate(string name, bool allowUnderscore)
    {
        if (name.Length > 253)
        {
            return $"it is {name.Length} characters long, the limit is 253";
        }

        var labelStart = 0;
        for (var i = 0; i <= name.Length; i++)
        {
            if (i < name.Length && name[i] != '.')
            {
                var c = name[i];
                var ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || (allowUnderscore && c == '_');
                if (!ok)
                {
                    return $"character '{c}' at position {i} is not a letter, digit, '-'" + (allowUnderscore ? " or '_'" : string.Empty);
                }

                continue;
            }

            var length = i - labelStart;
            if (length == 0)
            {
                return $"it has an empty label at position {i}";
            }

            if (length > 63)
            {
                return $"the label at position {labelStart} is {length} characters long, the limit is 63";
            }

            if (name[labelStart] == '-' || name[i - 1] == '-')
            {
                return $"the label at position {labelStart} starts or ends with '-'";
            }

            labelStart = i + 1;
        }

        return null;
    }

    /// <summary>The name with its leftmost label removed, or null at a top-level name (the root is never queried).</summary>
    public static string? Parent(string name)
    {
        var dot = name.IndexOf('.');
        return dot < 0 ? null : name.Substring(dot + 1);
    }

    /// <summary>Whether two names are equal ignoring ASCII case (RFC 4343); other characters compare exactly.</summary>
    public static bool EqualsIgnoreCase(string a, string b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (LowerAscii(a[i]) != LowerAscii(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static char LowerAscii(char c) => c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}
