using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Pki.Acme.Internal;

/// <summary>
/// Builds the flattened JWS JSON serialization ACME requests use (RFC 8555 section 6.2):
/// <code>
/// { "protected": BASE64URL(header), "payload": BASE64URL(payload), "signature": BASE64URL(sig) }
/// </code>
/// The header carries <c>alg</c>, exactly one of <c>jwk</c> / <c>kid</c>, <c>nonce</c> and <c>url</c>.
/// POST-as-GET (section 6.3) sends an empty payload string. One allocation per request: the result.
/// </summary>
internal static class JwsWriter
{
    private static readonly byte[] Prefix = Encoding.ASCII.GetBytes("{\"protected\":\"");
    private static readonly byte[] PayloadMember = Encoding.ASCII.GetBytes("\",\"payload\":\"");
    private static readonly byte[] SignatureMember = Encoding.ASCII.GetBytes("\",\"signature\":\"");
    private static readonly byte[] Suffix = Encoding.ASCII.GetBytes("\"}");

    [ThreadStatic]
    private static MemoryStream? t_headerStream;

    [ThreadStatic]
    private static Utf8JsonWriter? t_headerWriter;

    /// <summary>A request signed by <paramref name="key"/>, identified by <paramref name="kid"/> or, when null, by its embedded JWK.</summary>
    public static byte[] Sign(AcmeKey key, string? kid, string? nonce, Uri url, ReadOnlySpan<byte> payload, bool postAsGet = false)
    {
        var (stream, writer) = RentHeaderWriter();
        writer.WriteStartObject();
        writer.WriteString("alg", key.Algorithm);
        if (kid is null)
        {
            writer.WritePropertyName("jwk");
            writer.WriteRawValue(key.JwkJson.Span, skipInputValidation: true);
        }
        else
        {
            writer.WriteString("kid", kid);
        }

        if (nonce is not null)
        {
            writer.WriteString("nonce", nonce);
        }

        writer.WriteString("url", url.AbsoluteUri);
        writer.WriteEndObject();
        writer.Flush();
        var header = new ReadOnlySpan<byte>(stream.GetBuffer(), 0, (int)stream.Length);
        return Assemble(header, postAsGet ? default : payload, key.MaxSignatureSize, (data, destination) => key.Sign(data, destination));
    }

    /// <summary>
    /// The External Account Binding JWS (section 7.3.4): HS256 over the account's JWK, with the
    /// CA-issued key id, the newAccount URL and no nonce. The MAC key is zeroed by the caller.
    /// </summary>
    public static byte[] SignExternalAccountBinding(string keyId, ReadOnlySpan<byte> macKey, Uri newAccountUrl, ReadOnlySpan<byte> accountJwk)
    {
        var (stream, writer) = RentHeaderWriter();
        writer.WriteStartObject();
        writer.WriteString("alg", "HS256");
        writer.WriteString("kid", keyId);
        writer.WriteString("url", newAccountUrl.AbsoluteUri);
        writer.WriteEndObject();
        writer.Flush();
        var header = new ReadOnlySpan<byte>(stream.GetBuffer(), 0, (int)stream.Length);
        var keyCopy = macKey.ToArray();
        try
        {
            using var hmac = new HMACSHA256(keyCopy);
            return Assemble(header, accountJwk, 32, (data, destination) =>
            {
                hmac.TryComputeHash(data, destination, out var written);
                return written;
            });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyCopy);
        }
    }

    private delegate int SignSpan(ReadOnlySpan<byte> data, Span<byte> destination);

    private static byte[] Assemble(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, int maxSignatureSize, SignSpan sign)
    {
        var headerLength = Base64Url.GetEncodedLength(header.Length);
        var payloadLength = Base64Url.GetEncodedLength(payload.Length);
        var inputLength = headerLength + 1 + payloadLength;
        var rented = ArrayPool<byte>.Shared.Rent(inputLength + maxSignatureSize);
        try
        {
            // JWS Signing Input: ASCII(BASE64URL(UTF8(header)) || '.' || BASE64URL(payload)) (RFC 7515 section 5.1).
            var input = rented.AsSpan(0, inputLength);
            Base64Url.EncodeToUtf8(header, input);
            input[headerLength] = (byte)'.';
            Base64Url.EncodeToUtf8(payload, input[(headerLength + 1)..]);

            var signature = rented.AsSpan(inputLength, maxSignatureSize);
            var signatureLength = sign(input, signature);
            signature = signature[..signatureLength];
            var signatureB64Length = Base64Url.GetEncodedLength(signatureLength);

            var result = new byte[Prefix.Length + headerLength + PayloadMember.Length + payloadLength + SignatureMember.Length + signatureB64Length + Suffix.Length];
            var output = result.AsSpan();
            Prefix.CopyTo(output);
            output = output[Prefix.Length..];
            input[..headerLength].CopyTo(output);
            output = output[headerLength..];
            PayloadMember.CopyTo(output);
            output = output[PayloadMember.Length..];
            input[(headerLength + 1)..].CopyTo(output);
            output = output[payloadLength..];
            SignatureMember.CopyTo(output);
            output = output[SignatureMember.Length..];
            Base64Url.EncodeToUtf8(signature, output);
            output = output[signatureB64Length..];
            Suffix.CopyTo(output);
            return result;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }
    }

    private static (MemoryStream Stream, Utf8JsonWriter Writer) RentHeaderWriter()
    {
        var stream = t_headerStream ??= new MemoryStream(512);
        stream.SetLength(0);
        var writer = t_headerWriter;
        if (writer is null)
        {
            writer = t_headerWriter = new Utf8JsonWriter(stream);
        }
        else
        {
            writer.Reset(stream);
        }

        return (stream, writer);
    }
}
