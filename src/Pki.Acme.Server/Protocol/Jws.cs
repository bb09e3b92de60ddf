using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Pki.Acme;
using Pki.Shared.Edwards25519;

namespace Pki.Acme.Server.Protocol;

/// <summary>
/// A public JWK (RFC 7517) of an account or certificate key: canonical form, RFC 7638 thumbprint, SPKI, verification.
/// </summary>
/// <remarks>
/// Importing a public key into OpenSSL checks the point (a scalar multiplication, dearer than the verification
/// itself), so a parsed key keeps the instances it imported in a small pool for its later verifications, and the
/// account keys read back from the store (<see cref="FromCanonical"/>) are kept in a bounded cache keyed by their
/// canonical JSON: a request signed with a known account key imports nothing.
/// </remarks>
internal sealed class Jwk
{
    // Account keys in use at once; beyond this the cache starts again (a parse is the only cost of a miss).
    private const int CacheCapacity = 4096;

    // Verifiers kept per key: as many as requests of one account usually verify at the same moment.
    private const int PoolSize = 4;

    private static readonly ConcurrentDictionary<string, Jwk> Cache = new(StringComparer.Ordinal);

    private readonly ConcurrentQueue<AsymmetricAlgorithm> _verifiers = new();

    private Jwk(string kty, string canonical, byte[] spki, string? curve, AsymmetricAlgorithm? verifier)
    {
        Kty = kty;
        Canonical = canonical;
        Spki = spki;
        Curve = curve;
        Thumbprint = WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
        if (verifier is not null)
        {
            _verifiers.Enqueue(verifier);
        }
    }

    public string Kty { get; }

    public string? Curve { get; }

    /// <summary>The RFC 7638 canonical JSON: required members only, sorted, no whitespace.</summary>
    public string Canonical { get; }

    public string Thumbprint { get; }

    /// <summary>The DER SubjectPublicKeyInfo.</summary>
    public byte[] Spki { get; }

    private static readonly byte[] Ed25519SpkiPrefix = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

    /// <summary>Parses a public JWK; throws malformed for anything else (private members, unknown curves, bad encodings).</summary>
    public static Jwk Parse(JsonElement jwk)
    {
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            throw AcmeServerProblemException.Malformed("The jwk header must be a JSON object.");
        }

        if (jwk.TryGetProperty("d", out _) || jwk.TryGetProperty("p", out _))
        {
            throw AcmeServerProblemException.Malformed("The jwk carries private key members; send the public key only.");
        }

        var kty = Member(jwk, "kty");
        try
        {
            switch (kty)
            {
                case "EC":
                {
                    var crv = Member(jwk, "crv");
                    var x = Member(jwk, "x");
                    var y = Member(jwk, "y");
                    var (curve, size) = crv switch
                    {
                        "P-256" => (ECCurve.NamedCurves.nistP256, 32),
                        "P-384" => (ECCurve.NamedCurves.nistP384, 48),
                        _ => throw AcmeServerProblemException.Create(AcmeProblemTypes.BadPublicKey, $"The EC curve '{crv}' is not supported; use P-256 or P-384."),
                    };
                    var xb = WebEncoders.Base64UrlDecode(x);
                    var yb = WebEncoders.Base64UrlDecode(y);
                    if (xb.Length != size || yb.Length != size)
                    {
                        throw AcmeServerProblemException.Malformed($"The {crv} jwk coordinates must be {size} bytes each.");
                    }

                    var ecdsa = ECDsa.Create(new ECParameters { Curve = curve, Q = new ECPoint { X = xb, Y = yb } });
                    return new Jwk("EC", $"{{\"crv\":\"{crv}\",\"kty\":\"EC\",\"x\":\"{x}\",\"y\":\"{y}\"}}", ecdsa.ExportSubjectPublicKeyInfo(), crv, ecdsa);
                }

                case "RSA":
                {
                    var n = Member(jwk, "n");
                    var e = Member(jwk, "e");
                    var nb = WebEncoders.Base64UrlDecode(n);
                    if (nb.Length < 256 || nb.Length > 512 || nb[0] == 0)
                    {
                        throw AcmeServerProblemException.Create(AcmeProblemTypes.BadPublicKey, "The RSA key must be 2048 to 4096 bits, its modulus without leading zero bytes.");
                    }

                    var rsa = RSA.Create(new RSAParameters { Modulus = nb, Exponent = WebEncoders.Base64UrlDecode(e) });
                    return new Jwk("RSA", $"{{\"e\":\"{e}\",\"kty\":\"RSA\",\"n\":\"{n}\"}}", rsa.ExportSubjectPublicKeyInfo(), null, rsa);
                }

                case "OKP":
                {
                    var crv = Member(jwk, "crv");
                    if (crv != "Ed25519")
                    {
                        throw AcmeServerProblemException.Create(AcmeProblemTypes.BadPublicKey, $"The OKP curve '{crv}' is not supported; use Ed25519.");
                    }

                    var x = Member(jwk, "x");
                    var xb = WebEncoders.Base64UrlDecode(x);
                    if (xb.Length != 32)
                    {
                        throw AcmeServerProblemException.Malformed("The Ed25519 jwk x must be 32 bytes.");
                    }

                    return new Jwk("OKP", $"{{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"{x}\"}}", [.. Ed25519SpkiPrefix, .. xb], crv, null);
                }

                default:
                    throw AcmeServerProblemException.Create(AcmeProblemTypes.BadPublicKey, $"The key type '{kty}' is not supported; use EC, RSA or OKP.");
            }
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            throw AcmeServerProblemException.Malformed($"The {kty} jwk is not a valid public key: {ex.Message}");
        }
    }

    /// <summary>Parses the canonical JSON this type produced (as stored), or returns the key parsed from it before.</summary>
    public static Jwk FromCanonical(string canonical)
    {
        if (Cache.TryGetValue(canonical, out var cached))
        {
            return cached;
        }

        Jwk key;
        using (var document = JsonDocument.Parse(canonical))
        {
            key = Parse(document.RootElement);
        }

        if (Cache.Count >= CacheCapacity)
        {
            Cache.Clear();
        }

        return Cache.GetOrAdd(canonical, key);
    }

    /// <summary>Whether <paramref name="alg"/> fits this key.</summary>
    public bool Fits(string alg) => (alg, Kty, Curve) switch
    {
        ("ES256", "EC", "P-256") => true,
        ("ES384", "EC", "P-384") => true,
        ("RS256", "RSA", _) => true,
        ("EdDSA", "OKP", "Ed25519") => true,
        _ => false,
    };

    public bool Verify(string alg, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        try
        {
            switch (Kty)
            {
                case "EC":
                {
                    var ecdsa = (ECDsa)Rent();
                    try
                    {
                        var hash = alg == "ES384" ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
                        return ecdsa.VerifyData(signingInput, signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
                    }
                    finally
                    {
                        Return(ecdsa);
                    }
                }

                case "RSA":
                {
                    var rsa = (RSA)Rent();
                    try
                    {
                        return rsa.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                    }
                    finally
                    {
                        Return(rsa);
                    }
                }

                case "OKP":
                    return signature.Length == 64 && Ed25519.Verify(Spki.AsSpan(Ed25519SpkiPrefix.Length), signingInput, signature);

                default:
                    return false;
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    // An instance is used by one verification at a time: .NET does not promise that concurrent calls on one are safe.
    private AsymmetricAlgorithm Rent()
    {
        if (_verifiers.TryDequeue(out var verifier))
        {
            return verifier;
        }

        AsymmetricAlgorithm created = Kty == "EC" ? ECDsa.Create() : RSA.Create();
        created.ImportSubjectPublicKeyInfo(Spki, out _);
        return created;
    }

    private void Return(AsymmetricAlgorithm verifier)
    {
        if (_verifiers.Count < PoolSize)
        {
            _verifiers.Enqueue(verifier);
        }
        else
        {
            verifier.Dispose();
        }
    }

    private static string Member(JsonElement jwk, string name) =>
        jwk.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw AcmeServerProblemException.Malformed($"The jwk lacks the string member '{name}'.");
}

/// <summary>A parsed flattened JWS (RFC 7515 section 7.2.2) as ACME sends it (RFC 8555 section 6.2), before the signature is checked.</summary>
internal sealed class JwsMessage
{
    public static readonly IReadOnlyList<string> Algorithms = ["ES256", "ES384", "RS256", "EdDSA"];

    private JwsMessage(string alg, JsonElement? jwk, string? kid, string? nonce, string? url, byte[] payload, byte[] signingInput, byte[] signature, JsonElement header)
    {
        Alg = alg;
        JwkElement = jwk;
        Kid = kid;
        Nonce = nonce;
        Url = url;
        Payload = payload;
        SigningInput = signingInput;
        Signature = signature;
        Header = header;
    }

    public string Alg { get; }

    public JsonElement? JwkElement { get; }

    public string? Kid { get; }

    public string? Nonce { get; }

    public string? Url { get; }

    /// <summary>The decoded payload; empty for POST-as-GET.</summary>
    public byte[] Payload { get; }

    public bool IsPostAsGet => Payload.Length == 0;

    public byte[] SigningInput { get; }

    public byte[] Signature { get; }

    public JsonElement Header { get; }

    /// <summary>Parses the body; every structural fault is malformed, an algorithm outside the list badSignatureAlgorithm.</summary>
    public static JwsMessage Parse(ReadOnlySpan<byte> body, bool macAllowed = false)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(body.ToArray()).RootElement;
        }
        catch (JsonException ex)
        {
            throw AcmeServerProblemException.Malformed($"The request body is not JSON: {ex.Message}");
        }

        return Parse(root, macAllowed);
    }

    public static JwsMessage Parse(JsonElement root, bool macAllowed)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw AcmeServerProblemException.Malformed("The request body must be a flattened JWS JSON object (RFC 7515 section 7.2.2).");
        }

        if (root.TryGetProperty("signatures", out _) || root.TryGetProperty("header", out _))
        {
            throw AcmeServerProblemException.Malformed("Only the flattened JWS serialization with a protected header is accepted (RFC 8555 section 6.2).");
        }

        var protectedText = StringMember(root, "protected");
        var payloadText = StringMember(root, "payload", allowEmpty: true);
        var signatureText = StringMember(root, "signature");
        byte[] headerBytes, payload, signature;
        try
        {
            headerBytes = WebEncoders.Base64UrlDecode(protectedText);
            payload = WebEncoders.Base64UrlDecode(payloadText);
            signature = WebEncoders.Base64UrlDecode(signatureText);
        }
        catch (FormatException)
        {
            throw AcmeServerProblemException.Malformed("The protected header, payload and signature must be base64url.");
        }

        JsonElement header;
        try
        {
            header = JsonDocument.Parse(headerBytes).RootElement;
        }
        catch (JsonException ex)
        {
            throw AcmeServerProblemException.Malformed($"The protected header is not JSON: {ex.Message}");
        }

        if (header.ValueKind != JsonValueKind.Object)
        {
            throw AcmeServerProblemException.Malformed("The protected header must be a JSON object.");
        }

        var alg = OptionalString(header, "alg") ?? throw AcmeServerProblemException.Malformed("The protected header lacks 'alg'.");
        if (alg == "none" || (alg == "HS256" ? !macAllowed : !Algorithms.Contains(alg)))
        {
            throw AcmeServerProblemException.Create(AcmeProblemTypes.BadSignatureAlgorithm, $"The signature algorithm '{alg}' is not supported.", algorithms: Algorithms);
        }

        JsonElement? jwk = header.TryGetProperty("jwk", out var j) ? j : null;
        var kid = OptionalString(header, "kid");
        if (!macAllowed && (jwk is null) == (kid is null))
        {
            throw AcmeServerProblemException.Malformed("The protected header must carry exactly one of 'jwk' and 'kid' (RFC 8555 section 6.2).");
        }

        var signingInput = Encoding.ASCII.GetBytes(protectedText + "." + payloadText);
        return new JwsMessage(alg, jwk, kid, OptionalString(header, "nonce"), OptionalString(header, "url"), payload, signingInput, signature, header);
    }

    /// <summary>The payload as a JSON object; malformed when it is not one.</summary>
    public JsonElement PayloadObject()
    {
        if (Payload.Length == 0)
        {
            throw AcmeServerProblemException.Malformed("This request needs a JSON payload, not POST-as-GET.");
        }

        try
        {
            var element = JsonDocument.Parse(Payload).RootElement;
            return element.ValueKind == JsonValueKind.Object ? element : throw AcmeServerProblemException.Malformed("The payload must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw AcmeServerProblemException.Malformed($"The payload is not JSON: {ex.Message}");
        }
    }

    private static string StringMember(JsonElement root, string name, bool allowEmpty = false) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && (allowEmpty || value.GetString()!.Length > 0)
            ? value.GetString()!
            : throw AcmeServerProblemException.Malformed($"The JWS lacks the string member '{name}'.");

    internal static string? OptionalString(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw AcmeServerProblemException.Malformed($"'{name}' must be a string.");
    }
}
