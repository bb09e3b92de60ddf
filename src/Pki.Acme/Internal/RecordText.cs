using System.Security.Cryptography;
using System.Text;

namespace Pki.Acme.Internal;

/// <summary>
/// Pieces of the records' <c>PrintMembers</c>: lists item by item (a record would print the
/// collection's type name), keys by type and size only, delegates as set or not. Nothing here ever
/// prints key material.
/// </summary>
internal static class RecordText
{
    /// <summary>Appends <c>Name = value</c>, with a separator before every member but the first.</summary>
    public static StringBuilder Member(this StringBuilder builder, string name, object? value, bool first = false)
    {
        if (!first)
        {
            builder.Append(", ");
        }

        return builder.Append(name).Append(" = ").Append(value);
    }

    /// <summary><c>[a, b]</c>, or nothing for null.</summary>
    public static string? List<T>(IEnumerable<T>? items) => items is null ? null : "[" + string.Join(", ", items) + "]";

    /// <summary>The algorithm and size of a key, e.g. <c>ECDSA 256-bit</c>, never its value.</summary>
    public static string? Key(AsymmetricAlgorithm? key) => key switch
    {
        null => null,
        ECDsa => $"ECDSA {key.KeySize}-bit",
        RSA => $"RSA {key.KeySize}-bit",
        _ => $"{key.GetType().Name} {key.KeySize}-bit",
    };

    /// <summary><c>(set)</c> for a callback that is set, nothing otherwise (a delegate prints its generic type name).</summary>
    public static string? Set(object? callback) => callback is null ? null : "(set)";
}
