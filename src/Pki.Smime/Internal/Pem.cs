using System.Text;
using Pki.Shared;

namespace Pki.Smime.Internal;

/// <summary>
/// PEM input of this package on the shared RFC 7468 codec (<see cref="PemCodec"/>): a block is accepted
/// under any of several labels, DER passes through unchanged, and codec errors become
/// <see cref="SmimeFormatException"/> naming what was being read. Output uses <see cref="PemCodec.Encode"/> directly.
/// </summary>
internal static class Pem
{
    /// <summary>Decodes the first block whose label is one of <paramref name="labels"/>.</summary>
    /// <exception cref="SmimeFormatException">No such block, or a block without END line or with invalid base64.</exception>
    public static byte[] Decode(string text, string what, params string[] labels)
    {
        foreach (var label in labels)
        {
            List<byte[]> blocks;
            try
            {
                blocks = PemCodec.DecodeAll(text, label);
            }
            catch (PemFormatException ex)
            {
                throw new SmimeFormatException($"The {what} PEM block '{label}' {(ex.MissingEnd ? "has no END line" : "is not valid base64")}.", ex);
            }

            if (blocks.Count > 0)
            {
                return blocks[0];
            }
        }

        throw new SmimeFormatException($"The {what} text has no PEM block labelled {string.Join(" or ", labels.Select(l => $"'{l}'"))}.");
    }

    /// <summary>Decodes PEM bytes or returns DER bytes unchanged.</summary>
    public static byte[] DerOrPem(ReadOnlySpan<byte> data, string what, params string[] labels) =>
        PemCodec.LooksLikePem(data) ? Decode(Encoding.UTF8.GetString(data.ToArray()), what, labels) : data.ToArray();
}
