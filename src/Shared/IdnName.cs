using System.Globalization;

namespace Pki.Shared;

/// <summary>
/// Internationalized domain names, one configuration for every package (UTS #46 / IDNA as .NET's
/// <see cref="IdnMapping"/> implements it): unassigned code points are refused, and STD3 rules are
/// off so that underscore labels (<c>_acme-challenge</c>, <c>_kt._tcp</c>) pass through; each caller
/// then checks the syntax its own use needs (LDH host names, mailbox domains). Output is lower-case
/// A-labels without the root dot.
/// </summary>
internal static class IdnName
{
    /// <summary>
    /// <paramref name="name"/> in lower-case A-labels, trimmed and without one trailing dot. ASCII input
    /// is only lower-cased (so an A-label is not re-validated here).
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid internationalized domain name; the message says why.</exception>
    public static string ToAscii(string name)
    {
        var text = TrimRoot(name);
        if (IsAscii(text))
        {
            return ToLowerAscii(text);
        }

        return ToLowerAscii(NewMapping().GetAscii(text));
    }

    /// <summary><see cref="ToAscii"/> that answers false instead of throwing.</summary>
    public static bool TryToAscii(string name, out string ascii)
    {
        try
        {
            ascii = ToAscii(name);
            return true;
        }
        catch (ArgumentException)
        {
            ascii = string.Empty;
            return false;
        }
    }

    /// <summary>The U-label form of an A-label name (for display and SmtpUTF8 mailboxes).</summary>
    /// <exception cref="ArgumentException">A label is not a valid A-label.</exception>
    public static string ToUnicode(string name) => NewMapping().GetUnicode(TrimRoot(name));

    /// <summary><see cref="ToUnicode"/> that answers false instead of throwing.</summary>
    public static bool TryToUnicode(string name, out string unicode)
    {
        try
        {
            unicode = ToUnicode(name);
            return true;
        }
        catch (ArgumentException)
        {
            unicode = string.Empty;
            return false;
        }
    }

    /// <summary>True when every character is ASCII.</summary>
    public static bool IsAscii(string text)
    {
        foreach (var ch in text)
        {
            if (ch > 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>ASCII lower-casing that leaves non-ASCII characters alone (no culture, no Turkish i).</summary>
    public static string ToLowerAscii(string text)
    {
        foreach (var ch in text)
        {
            if (ch is >= 'A' and <= 'Z')
            {
                return string.Create(text.Length, text, static (span, source) =>
                {
                    for (var i = 0; i < source.Length; i++)
                    {
                        var c = source[i];
                        span[i] = c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
                    }
                });
            }
        }

        return text;
    }

    private static string TrimRoot(string name)
    {
        var text = name.Trim();
        return text.Length > 1 && text[text.Length - 1] == '.' ? text.Substring(0, text.Length - 1) : text;
    }

    // IdnMapping instances are not documented as thread-safe; one is cheap and only non-ASCII names need it.
    private static IdnMapping NewMapping() => new() { AllowUnassigned = false, UseStd3AsciiRules = false };
}
