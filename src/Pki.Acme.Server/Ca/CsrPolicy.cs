using System.Formats.Asn1;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pki.Acme;

namespace Pki.Acme.Server;

/// <summary>
/// The CA's checks of a finalize CSR (RFC 8555 section 7.4): a DER PKCS#10 request with a good signature,
/// a key the TLS BR 6.1.5/6.1.6 accept (RSA 2048 to 8192 bits with e = 65537, ECDSA P-256 or P-384), not the
/// account key, and exactly the order's names in its commonName and subjectAltName.
/// </summary>
internal static class CsrPolicy
{
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";
    private const string P256Oid = "1.2.840.10045.3.1.7";
    private const string P384Oid = "1.3.132.0.34";
    private const string SubjectAltNameOid = "2.5.29.17";
    private const string CommonNameOid = "2.5.4.3";

    private static readonly HashSet<string> SignatureAlgorithms = new(StringComparer.Ordinal)
    {
        "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4", // ecdsa-with-SHA256/384/512
        "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13", // sha256/384/512WithRSAEncryption
        "1.2.840.113549.1.1.10", // RSASSA-PSS
    };

    private static readonly Dictionary<string, string> KnownKeyAlgorithms = new(StringComparer.Ordinal)
    {
        ["1.3.101.112"] = "Ed25519",
        ["1.3.101.113"] = "Ed448",
        ["1.2.840.10040.4.1"] = "DSA",
        ["1.3.132.0.35"] = "ECDSA P-521",
    };

    /// <summary>Checks the CSR and returns its public key; throws <see cref="AcmeIssuanceRejectedException"/> (badCSR or badPublicKey) when it refuses.</summary>
    public static PublicKey Check(byte[] csrDer, IReadOnlyList<AcmeIdentifier> identifiers, byte[] accountKeySpki)
    {
        var (spki, signatureAlgorithm) = ReadStructure(csrDer);

        // The key as .NET re-encodes it (named curve, uncompressed point), the form the account key is stored in: a
        // differently encoded copy of the account key is still caught.
        var normalized = CheckKey(spki);
        if (normalized.AsSpan().SequenceEqual(accountKeySpki))
        {
            throw AcmeIssuanceRejectedException.BadCsr("The CSR's public key is the account key; the certificate needs a key of its own.");
        }

        if (!SignatureAlgorithms.Contains(signatureAlgorithm))
        {
            throw AcmeIssuanceRejectedException.BadCsr($"The CSR is signed with algorithm {signatureAlgorithm}; ECDSA or RSA with SHA-256, SHA-384 or SHA-512 is required.");
        }

        CertificateRequest request;
        try
        {
            var options = CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions;
            if (Pki.Acme.Server.Protocol.CsrNames.IsVerified(csrDer))
            {
                options |= CertificateRequestLoadOptions.SkipSignatureValidation;
            }

            request = CertificateRequest.LoadSigningRequest(csrDer, HashAlgorithmName.SHA256, out _, options);
        }
        catch (CryptographicException e)
        {
            throw AcmeIssuanceRejectedException.BadCsr($"The CSR's signature does not verify with its public key ({e.Message.TrimEnd('.')}).");
        }

        CheckNames(request, identifiers);
        return request.PublicKey;
    }

    private static (byte[] Spki, string SignatureAlgorithm) ReadStructure(byte[] csrDer)
    {
        try
        {
            var outer = new AsnReader(csrDer, AsnEncodingRules.DER);
            var request = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var info = request.ReadSequence();
            var algorithm = request.ReadSequence();
            var signatureAlgorithm = algorithm.ReadObjectIdentifier();
            _ = request.ReadBitString(out _);
            request.ThrowIfNotEmpty();
            if (!info.ReadInteger().IsZero)
            {
                throw AcmeIssuanceRejectedException.BadCsr("The CSR's version is not v1 (0).");
            }

            _ = info.ReadEncodedValue(); // subject
            return (info.ReadEncodedValue().ToArray(), signatureAlgorithm);
        }
        catch (AsnContentException e)
        {
            throw AcmeIssuanceRejectedException.BadCsr($"The CSR is not a DER PKCS#10 CertificationRequest: {e.Message}");
        }
    }

    private static byte[] CheckKey(byte[] spki)
    {
        string algorithm;
        string? curve = null;
        var compressed = false;
        try
        {
            var reader = new AsnReader(spki, AsnEncodingRules.DER).ReadSequence();
            var identifier = reader.ReadSequence();
            algorithm = identifier.ReadObjectIdentifier();
            if (algorithm == EcPublicKeyOid && identifier.HasData && identifier.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier))
            {
                curve = identifier.ReadObjectIdentifier();
                var point = reader.ReadBitString(out _);
                compressed = point.Length > 0 && point[0] is 0x02 or 0x03;
            }
        }
        catch (AsnContentException e)
        {
            throw AcmeIssuanceRejectedException.BadCsr($"The CSR's subjectPublicKeyInfo is malformed: {e.Message}");
        }

        switch (algorithm)
        {
            case RsaEncryptionOid:
                return CheckRsa(spki);
            case EcPublicKeyOid when compressed:
                throw AcmeIssuanceRejectedException.BadPublicKey("The CSR's ECDSA public key is a compressed point; send the uncompressed form (04 || X || Y, RFC 5480 section 2.2).");
            case EcPublicKeyOid when curve is P256Oid or P384Oid:
                using (var ec = ECDsa.Create())
                {
                    try
                    {
                        ec.ImportSubjectPublicKeyInfo(spki, out _);
                        return ec.ExportSubjectPublicKeyInfo();
                    }
                    catch (CryptographicException)
                    {
                        throw AcmeIssuanceRejectedException.BadPublicKey("The CSR's ECDSA public key is not a valid point on its curve.");
                    }
                }

            case EcPublicKeyOid:
                throw AcmeIssuanceRejectedException.BadPublicKey($"The CSR's ECDSA key is on curve {Describe(curve ?? "(explicit parameters)")}; only P-256 and P-384 are accepted.");
            default:
                throw AcmeIssuanceRejectedException.BadPublicKey($"The CSR's key algorithm {Describe(algorithm)} is not accepted; use ECDSA P-256 or P-384, or RSA of 2048 to 8192 bits.");
        }
    }

    private static byte[] CheckRsa(byte[] spki)
    {
        using var rsa = RSA.Create();
        RSAParameters parameters;
        try
        {
            rsa.ImportSubjectPublicKeyInfo(spki, out _);
            parameters = rsa.ExportParameters(false);
        }
        catch (CryptographicException)
        {
            throw AcmeIssuanceRejectedException.BadPublicKey("The CSR's RSA public key cannot be read.");
        }

        var bits = rsa.KeySize;
        if (bits < 2048 || bits > 8192 || bits % 8 != 0)
        {
            throw AcmeIssuanceRejectedException.BadPublicKey($"The CSR's RSA key has {bits} bits; 2048 to 8192 bits, a multiple of 8, are accepted (CA/Browser Forum TLS BR 6.1.5).");
        }

        if (!parameters.Exponent.AsSpan().SequenceEqual(new byte[] { 1, 0, 1 }))
        {
            throw AcmeIssuanceRejectedException.BadPublicKey("The CSR's RSA public exponent is not 65537.");
        }

        return rsa.ExportSubjectPublicKeyInfo();
    }

    private static void CheckNames(CertificateRequest request, IReadOnlyList<AcmeIdentifier> identifiers)
    {
        var wanted = new HashSet<string>(identifiers.Select(i => Normalize(i.Type, i.Value)), StringComparer.Ordinal);
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rdn in request.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == CommonNameOid && rdn.GetSingleElementValue() is { } commonName)
            {
                found.Add(Normalize(IPAddress.TryParse(commonName, out _) ? AcmeIdentifier.IpType : AcmeIdentifier.DnsType, commonName));
            }
        }

        foreach (var extension in request.CertificateExtensions.Where(e => e.Oid?.Value == SubjectAltNameOid))
        {
            ReadSubjectAltNames(extension.RawData, found);
        }

        if (found.Count == 0)
        {
            throw AcmeIssuanceRejectedException.BadCsr("The CSR names no identifier (no commonName and no subjectAltName dNSName or iPAddress).");
        }

        var extra = found.Except(wanted).Order(StringComparer.Ordinal).ToList();
        var missing = wanted.Except(found).Order(StringComparer.Ordinal).ToList();
        if (extra.Count > 0 || missing.Count > 0)
        {
            throw AcmeIssuanceRejectedException.BadCsr(
                "The CSR's names do not match the order's identifiers:"
                + (extra.Count > 0 ? $" not in the order: {string.Join(", ", extra)};" : string.Empty)
                + (missing.Count > 0 ? $" missing from the CSR: {string.Join(", ", missing)};" : string.Empty));
        }
    }

    private static void ReadSubjectAltNames(byte[] der, HashSet<string> names)
    {
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            while (reader.HasData)
            {
                var tag = reader.PeekTag();
                if (tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 2)))
                {
                    names.Add(Normalize(AcmeIdentifier.DnsType, reader.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 2))));
                }
                else if (tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 7)))
                {
                    var bytes = reader.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 7));
                    if (bytes.Length is not (4 or 16))
                    {
                        throw AcmeIssuanceRejectedException.BadCsr($"The CSR's subjectAltName has an iPAddress of {bytes.Length} bytes.");
                    }

                    names.Add(new IPAddress(bytes).ToString());
                }
                else
                {
                    throw AcmeIssuanceRejectedException.BadCsr($"The CSR's subjectAltName has a name of type [{tag.TagValue}]; only dNSName and iPAddress are issued.");
                }
            }
        }
        catch (AsnContentException e)
        {
            throw AcmeIssuanceRejectedException.BadCsr($"The CSR's subjectAltName extension is malformed: {e.Message}");
        }
    }

    private static string Normalize(string type, string value)
        => type == AcmeIdentifier.IpType && IPAddress.TryParse(value, out var address)
            ? address.ToString()
            : value.TrimEnd('.').ToLowerInvariant();

    private static string Describe(string oid)
        => KnownKeyAlgorithms.TryGetValue(oid, out var name) ? $"{name} ({oid})" : oid.ToString(CultureInfo.InvariantCulture);
}
