using System.Formats.Asn1;
using System.Numerics;
using System.Text.RegularExpressions;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Parameters;

namespace Pki.Smime.Linting;

/// <summary>URI scheme checks of sections 7.1.2.3 (b) and (c).</summary>
internal static class Uris
{
    public static bool IsHttp(string uri) => uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The keyUsage table of section 7.1.2.3 (e), by key type and generation.</summary>
internal static class KeyUsageTable
{
    private const int DigitalSignature = 1 << 7;
    private const int NonRepudiation = 1 << 6;
    private const int KeyEncipherment = 1 << 5;
    private const int DataEncipherment = 1 << 4;
    private const int KeyAgreement = 1 << 3;
    private const int EncipherOnly = 1 << 0;
    private const int DecipherOnly = 1 << 15;

    /// <summary>Null when <paramref name="bits"/> is a row of the 7.1.2.3 (e) table, else why not.</summary>
    public static string? Problem(int bits, SmimeKeyAlgorithm key, SmimeGeneration generation)
    {
        bool Has(int bit) => (bits & bit) != 0;
        int allowed;
        switch (key)
        {
            case SmimeKeyAlgorithm.Rsa:
                allowed = DigitalSignature | NonRepudiation | KeyEncipherment | (generation == SmimeGeneration.Strict ? 0 : DataEncipherment);
                if (!Has(DigitalSignature) && !Has(KeyEncipherment))
                {
                    return "digitalSignature or keyEncipherment must be set";
                }

                if (Has(DataEncipherment) && !Has(KeyEncipherment) && (bits & ~allowed) == 0)
                {
                    return "dataEncipherment is allowed only with keyEncipherment";
                }

                break;
            case SmimeKeyAlgorithm.EcP256 or SmimeKeyAlgorithm.EcP384 or SmimeKeyAlgorithm.EcP521:
                allowed = DigitalSignature | NonRepudiation | KeyAgreement | EncipherOnly | DecipherOnly;
                if (!Has(DigitalSignature) && !Has(KeyAgreement))
                {
                    return "digitalSignature or keyAgreement must be set";
                }

                if ((Has(EncipherOnly) || Has(DecipherOnly)) && !Has(KeyAgreement))
                {
                    return "encipherOnly and decipherOnly are allowed only with keyAgreement";
                }

                if (Has(EncipherOnly) && Has(DecipherOnly))
                {
                    return "encipherOnly and decipherOnly are not both allowed";
                }

                break;
            default:
                allowed = DigitalSignature | NonRepudiation;
                if (!Has(DigitalSignature))
                {
                    return "digitalSignature must be set";
                }

                break;
        }

        if (Has(NonRepudiation) && !Has(DigitalSignature))
        {
            return "nonRepudiation is allowed only with digitalSignature";
        }

        var extra = bits & ~allowed;
        return extra != 0 ? $"the bits {Names(extra)} are not allowed in {generation}" : null;
    }

    public static string Names(int bits)
    {
        var names = new List<string>();
        void Add(int bit, string name)
        {
            if ((bits & bit) != 0)
            {
                names.Add(name);
            }
        }

        Add(DigitalSignature, "digitalSignature");
        Add(NonRepudiation, "nonRepudiation");
        Add(KeyEncipherment, "keyEncipherment");
        Add(DataEncipherment, "dataEncipherment");
        Add(KeyAgreement, "keyAgreement");
        Add(1 << 2, "keyCertSign");
        Add(1 << 1, "cRLSign");
        Add(EncipherOnly, "encipherOnly");
        Add(DecipherOnly, "decipherOnly");
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }
}

/// <summary>An organizationIdentifier of 7.1.4.2.2 (d) split into scheme and country, or the reason it does not parse.</summary>
internal sealed record OrganizationIdentifier(string Scheme, string Country, string? SyntaxProblem)
{
    // 7.1.4.2.2 (d): scheme (3), country (2), optional "+" subdivision (up to 3), optional "-" reference.
    private static readonly Regex Syntax = new(
        "^(?<scheme>[A-Z]{3})(?<country>[A-Z]{2})(?:\\+(?<subdivision>[A-Z0-9]{1,3}))?(?:-(?<reference>.+))?$",
        RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromMilliseconds(100));

    private static readonly Regex LeiSyntax = new("^[A-Z0-9]{18}[0-9]{2}$", RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromMilliseconds(100));

    /// <summary>Parses the value; <see cref="SyntaxProblem"/> is the finding message when the syntax or scheme is wrong.</summary>
    public static OrganizationIdentifier Parse(string value)
    {
        var match = Syntax.Match(value);
        if (!match.Success)
        {
            return new(string.Empty, string.Empty, $"organizationIdentifier '{value}' is not scheme + country [+ subdivision] - reference.");
        }

        var scheme = match.Groups["scheme"].Value;
        var country = match.Groups["country"].Value;
        var reference = match.Groups["reference"].Success ? match.Groups["reference"].Value : null;
        var subdivision = match.Groups["subdivision"].Success;
        string? problem = scheme switch
        {
            "NTR" or "VAT" or "PSD" or "LEI" when reference is null => $"the {scheme} scheme needs a registration reference after '-'",
            "VAT" or "PSD" or "LEI" when subdivision => $"the {scheme} scheme has no subdivision form",
            "INT" when reference is not null || subdivision => "the INT scheme is exactly 'INTXG'",
            "PSD" when !reference!.Contains('-') => "PSD references are the NCA identifier, '-', and the authorization number (ETSI TS 119 495)",
            "LEI" when !LeiSyntax.IsMatch(reference!) => "an LEI is 18 letters or digits followed by 2 check digits (ISO 17442)",
            "NTR" or "VAT" or "PSD" or "LEI" or "GOV" or "INT" => null,
            _ => $"'{scheme}' is not a registration scheme of Appendix A (NTR, VAT, PSD, LEI) or GOV/INT",
        };
        return new(scheme, country, problem is null ? null : $"organizationIdentifier '{value}': {problem}.");
    }
}

/// <summary>
/// The subject public key checked once per certificate (6.1.5, 6.1.6): the RSA modulus size and exponent,
/// or why the key is not a valid RSAPublicKey or curve point (null when it is, or when the algorithm is not allowed).
/// </summary>
internal sealed record SubjectKeyFacts(int? RsaModulusBits, BigInteger? RsaExponent, string? Problem)
{
    private static readonly Lazy<X9ECParameters> P256 = new(() => ECNamedCurveTable.GetByName("P-256"));
    private static readonly Lazy<X9ECParameters> P384 = new(() => ECNamedCurveTable.GetByName("P-384"));
    private static readonly Lazy<X9ECParameters> P521 = new(() => ECNamedCurveTable.GetByName("P-521"));

    public static SubjectKeyFacts Of(SmimeKeyAlgorithm? algorithm, byte[] key)
    {
        try
        {
            switch (algorithm)
            {
                case null:
                    return new(null, null, null);
                case SmimeKeyAlgorithm.Rsa:
                    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 A.1.1)
                    var reader = new AsnReader(key, AsnEncodingRules.DER);
                    var rsa = reader.ReadSequence();
                    reader.ThrowIfNotEmpty();
                    var modulus = rsa.ReadInteger();
                    var exponent = rsa.ReadInteger();
                    rsa.ThrowIfNotEmpty();
                    if (modulus.Sign <= 0 || exponent.Sign <= 0)
                    {
                        return new(null, null, modulus.Sign <= 0 ? "Not a valid RSA modulus" : "Not a valid RSA public exponent");
                    }

                    return new(LintContext.BitLength(modulus), exponent, null);
                case SmimeKeyAlgorithm.EcP256 or SmimeKeyAlgorithm.EcP384 or SmimeKeyAlgorithm.EcP521:
                    // EC point crypto stays with BouncyCastle (.NET has no public point validation).
                    var curve = algorithm switch
                    {
                        SmimeKeyAlgorithm.EcP256 => P256.Value,
                        SmimeKeyAlgorithm.EcP384 => P384.Value,
                        _ => P521.Value,
                    };
                    var point = curve.Curve.DecodePoint(key);
                    return point.IsInfinity || !point.IsValid() ? new(null, null, "the point is not on the curve") : new(null, null, null);
                case SmimeKeyAlgorithm.Ed25519:
                    _ = new Ed25519PublicKeyParameters(key);
                    return new(null, null, null);
                default:
                    _ = new Ed448PublicKeyParameters(key);
                    return new(null, null, null);
            }
        }
        catch (Exception ex) when (ex is AsnContentException or ArgumentException or IOException or InvalidCastException or InvalidOperationException or FormatException)
        {
            return new(null, null, ex.Message);
        }
    }
}
