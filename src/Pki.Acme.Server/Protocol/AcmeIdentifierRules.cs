using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Pki.Acme;

namespace Pki.Acme.Server.Protocol;

/// <summary>The identifiers an order may name (RFC 8555 section 7.1.4 dns, RFC 8738 ip), each checked on its own.</summary>
internal static class AcmeIdentifierRules
{
    private const int MaxIdentifiers = 100;

    public static List<AcmeIdentifier> Parse(JsonElement payload)
    {
        if (!payload.TryGetProperty("identifiers", out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            throw AcmeServerProblemException.Malformed("The order must list at least one identifier in 'identifiers'.");
        }

        if (array.GetArrayLength() > MaxIdentifiers)
        {
            throw AcmeServerProblemException.Create(AcmeProblemTypes.RejectedIdentifier, $"An order may name at most {MaxIdentifiers} identifiers.");
        }

        var result = new List<AcmeIdentifier>();
        var subproblems = new List<AcmeProblem>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw AcmeServerProblemException.Malformed("Each identifier must be an object with 'type' and 'value'.");
            }

            var type = JwsMessage.OptionalString(item, "type") ?? throw AcmeServerProblemException.Malformed("An identifier lacks 'type'.");
            var value = JwsMessage.OptionalString(item, "value") ?? throw AcmeServerProblemException.Malformed("An identifier lacks 'value'.");
            var identifier = new AcmeIdentifier { Type = type, Value = value };
            var problem = type switch
            {
                AcmeIdentifier.DnsType => CheckDns(value),
                AcmeIdentifier.IpType => CheckIp(value),
                _ => (AcmeProblemTypes.UnsupportedIdentifier, $"The identifier type '{type}' is not supported; use dns or ip."),
            };
            if (problem is var (problemType, detail))
            {
                subproblems.Add(new AcmeProblem { Type = problemType, Detail = detail, Identifier = identifier });
            }
            else if (result.Contains(identifier))
            {
                subproblems.Add(new AcmeProblem { Type = AcmeProblemTypes.Malformed, Detail = $"'{value}' is listed twice.", Identifier = identifier });
            }
            else
            {
                result.Add(identifier);
            }
        }

        if (subproblems.Count > 0)
        {
            var type = subproblems.Select(p => p.Type).Distinct().Count() == 1 ? subproblems[0].Type : AcmeProblemTypes.RejectedIdentifier;
            throw AcmeServerProblemException.Create(type, $"{subproblems.Count} identifier(s) refused: {string.Join("; ", subproblems.Select(p => p.Detail))}", subproblems: subproblems);
        }

        return result;
    }

    /// <summary>A lower-case A-label host name, at most 253 characters, labels of 1-63 letters/digits/hyphens, a wildcard only as the whole first label.</summary>
    internal static (string, string)? CheckDns(string value)
    {
        var host = value.StartsWith("*.", StringComparison.Ordinal) ? value[2..] : value;
        if (value.Length > 253 || host.Length == 0)
        {
            return (AcmeProblemTypes.RejectedIdentifier, $"'{Shorten(value)}' is empty or longer than 253 characters.");
        }

        var labels = host.Split('.');
        if (labels.Length < 2)
        {
            return (AcmeProblemTypes.RejectedIdentifier, $"'{value}' is not a fully qualified domain name.");
        }

        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return (AcmeProblemTypes.RejectedIdentifier, $"'{Shorten(value)}' has the invalid label '{Shorten(label)}' (lower-case letters, digits and inner hyphens, 1-63 characters; Unicode names as A-labels).");
            }

            if (label.StartsWith("xn--", StringComparison.Ordinal) && !IdnName.TryToUnicode(label, out _))
            {
                return (AcmeProblemTypes.RejectedIdentifier, $"'{value}' has the invalid A-label '{label}'.");
            }
        }

        return labels[^1].All(char.IsAsciiDigit)
            ? (AcmeProblemTypes.RejectedIdentifier, $"'{value}' looks like an IP address; use an ip identifier.")
            : null;
    }

    internal static (string, string)? CheckIp(string value) =>
        IPAddress.TryParse(value, out var address) && address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 && !value.Contains('%', StringComparison.Ordinal) && address.ToString() == value
            ? null
            : (AcmeProblemTypes.RejectedIdentifier, $"'{Shorten(value)}' is not an IP address in its canonical text form.");

    private static string Shorten(string value) => value.Length > 80 ? value[..80] + "..." : value;
}

/// <summary>The RFC 9773 section 4.1 certificate identifier: <c>base64url(AKI keyIdentifier) "." base64url(serial DER content)</c>.</summary>
internal static class AriCertId
{
    public static string Create(byte[] authorityKeyIdentifier, byte[] serialDer) =>
        WebEncoders.Base64UrlEncode(authorityKeyIdentifier) + "." + WebEncoders.Base64UrlEncode(serialDer);

    /// <summary>Checks the shape (two base64url parts) and strips padding; malformed otherwise.</summary>
    public static string Normalize(string certId)
    {
        var parts = certId.Split('.');
        if (certId.Length > 512 || parts.Length != 2 || parts.Any(p => p.TrimEnd('=').Length == 0 || !p.TrimEnd('=').All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw AcmeServerProblemException.Malformed($"'{(certId.Length > 80 ? certId[..80] : certId)}' is not an ARI certificate identifier (base64url(AKI).base64url(serial), RFC 9773 section 4.1).");
        }

        return parts[0].TrimEnd('=') + "." + parts[1].TrimEnd('=');
    }

    /// <summary>Upper-case hex without separators, as <see cref="X509Certificate2.SerialNumber"/> prints it.</summary>
    public static string NormalizeSerial(string serial) =>
        serial.Replace(":", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
}

/// <summary>Loads an X.509 certificate on both target frameworks.</summary>
internal static class CertificateLoading
{
    public static X509Certificate2 Load(byte[] der) =>
#if NET9_0_OR_GREATER
        X509CertificateLoader.LoadCertificate(der);
#else
        new(der);
#endif
}

/// <summary>RFC 8555 section 7.4: the CSR names exactly the order's identifiers.</summary>
internal static class CsrNames
{
    // The CSR arrays whose signature CheckMatches verified: finalize hands the same array to the embedded CA, whose
    // own checks then skip a second verification (a key import and a verify, a tenth of the server's CPU per
    // certificate). Weak keys: an entry lives as long as the array.
    private static readonly ConditionalWeakTable<byte[], object> Verified = new();

    private static readonly object Marker = new();

    /// <summary>Whether <see cref="CheckMatches"/> verified the signature of this very array.</summary>
    public static bool IsVerified(byte[] csrDer) => Verified.TryGetValue(csrDer, out _);

    public static void CheckMatches(byte[] csrDer, IReadOnlyList<AcmeIdentifier> identifiers)
    {
        CertificateRequest request;
        try
        {
            request = CertificateRequest.LoadSigningRequest(csrDer, HashAlgorithmName.SHA256, out var consumed, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
            if (consumed != csrDer.Length)
            {
                throw AcmeServerProblemException.Create(AcmeProblemTypes.BadCsr, "The CSR has trailing bytes.");
            }
        }
        catch (CryptographicException ex)
        {
            throw AcmeServerProblemException.Create(AcmeProblemTypes.BadCsr, $"The CSR cannot be parsed or its signature does not verify: {ex.Message}");
        }

        Verified.AddOrUpdate(csrDer, Marker);

        var names = new HashSet<AcmeIdentifier>();
        foreach (var extension in request.CertificateExtensions)
        {
            if (extension.Oid?.Value == "2.5.29.17")
            {
                var san = new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
                foreach (var dns in san.EnumerateDnsNames())
                {
                    names.Add(new AcmeIdentifier { Type = AcmeIdentifier.DnsType, Value = dns.ToLowerInvariant() });
                }

                foreach (var ip in san.EnumerateIPAddresses())
                {
                    names.Add(new AcmeIdentifier { Type = AcmeIdentifier.IpType, Value = ip.ToString() });
                }
            }
        }

        var cn = request.SubjectName.EnumerateRelativeDistinguishedNames().Where(r => r.GetSingleElementType().Value == "2.5.4.3").Select(r => r.GetSingleElementValue()).FirstOrDefault();
        if (cn is not null && !names.Contains(new AcmeIdentifier { Type = AcmeIdentifier.DnsType, Value = cn.ToLowerInvariant() }) && !names.Contains(new AcmeIdentifier { Type = AcmeIdentifier.IpType, Value = cn }))
        {
            throw AcmeServerProblemException.Create(AcmeProblemTypes.BadCsr, $"The CSR's common name '{cn}' is not among its subjectAltNames.");
        }

        var expected = identifiers.ToHashSet();
        var extra = names.Except(expected).Select(i => i.Value).ToList();
        var missing = expected.Except(names).Select(i => i.Value).ToList();
        if (extra.Count > 0 || missing.Count > 0)
        {
            throw AcmeServerProblemException.Create(
                AcmeProblemTypes.BadCsr,
                string.Create(CultureInfo.InvariantCulture, $"The CSR must name exactly the order's identifiers; extra: [{string.Join(", ", extra)}], missing: [{string.Join(", ", missing)}]."));
        }
    }
}
