namespace Pki.Smime.Internal;

/// <summary>Lower-case hex for messages (netstandard2.1 lacks <c>Convert.ToHexString</c>).</summary>
internal static class HexText
{
    public static string Of(ReadOnlySpan<byte> bytes)
    {
#if NET9_0_OR_GREATER
        return Convert.ToHexStringLower(bytes);
#else
        const string Digits = "0123456789abcdef";
        var chars = new char[bytes.Length * 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[2 * i] = Digits[bytes[i] >> 4];
            chars[(2 * i) + 1] = Digits[bytes[i] & 0xF];
        }

        return new string(chars);
#endif
    }
}
