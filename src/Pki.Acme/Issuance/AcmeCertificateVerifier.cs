using System.Formats.Asn1;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Pki.Acme.Internal;

namespace Pki.Acme;

/// <summary>
/// Checks an issued certificate chain against what was asked for, before it is stored or served.
/// <see cref="AcmeCertificateIssuer.IssueAsync"/> runs it on every chain it downloads; run it
/// yourself on chains obtained through the plumbing API or read back from storage.
/// </summary>
/// <remarks>
/// The checks, in order (the first failure is reported):
/// <list type="number">
/// <item>the leaf's SubjectPublicKeyInfo is the CSR key's (<see cref="AcmeCertificateMismatchReason.KeyMismatch"/>);</item>
/// <item>the leaf's subjectAltName dNSName and iPAddress entries are exactly the requested identifiers:
/// DNS names compared case-insensitively in A-label form, wildcards as <c>*.name</c>, addresses by value
/// (<see cref="AcmeCertificateMismatchReason.IdentifiersMismatch"/>);</item>
/// <item>each certificate is issued by the one after it: its issuer name is the next one's subject name
/// (<see cref="AcmeCertificateMismatchReason.ChainOrder"/>) and its signature verifies with the next
/// one's public key (<see cref="AcmeCertificateMismatchReason.BadSignature"/>);</item>
/// <item>every certificate is within its validity period at the given instant (RFC 5280 section 4.1.2.5:
/// "from notBefore through notAfter, inclusive"), with a tolerance for a CA clock that runs ahead
/// applied to notBefore only (<see cref="AcmeCertificateMismatchReason.NotYetValid"/>,
/// <see cref="AcmeCertificateMismatchReason.Expired"/>).</item>
/// </list>
/// Signatures are checked for RSA PKCS#1 v1.5 and RSASSA-PSS (MGF1 with the message hash and a salt as long
/// as that hash), ECDSA and Ed25519, with SHA-1, SHA-256, SHA-384 or SHA-512; a certificate signed any other
/// way is reported as <see cref="AcmeCertificateMismatchReason.BadSignature"/> naming the algorithm.
/// Whether the topmost certificate is trusted is not checked here: that is the relying party's decision.
/// </remarks>
public static class AcmeCertificateVerifier
{
    /// <summary>
    /// The tolerance on notBefore used by <see cref="AcmeCertificateIssuer.IssueAsync"/> (5 minutes):
    /// a CA whose clock runs a little ahead issues certificates that become valid moments later,
    /// which is not a reason to discard them. notAfter gets no tolerance.
    /// </summary>
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Verifies <paramref name="chain"/> with no clock tolerance; see the type's remarks for the checks.</summary>
    /// <param name="chain">The chain, leaf first.</param>
    /// <param name="subjectPublicKeyInfo">The DER SubjectPublicKeyInfo of the key the CSR was made for (<c>key.ExportSubjectPublicKeyInfo()</c>, or <see cref="GetCsrSubjectPublicKeyInfo"/>).</param>
    /// <param name="identifiers">The identifiers that were ordered.</param>
    /// <param name="now">The instant at which every certificate must be valid.</param>
    /// <exception cref="AcmeCertificateMismatchException">The chain is not what was asked for; <c>Reason</c> says how.</exception>
    /// <exception cref="ArgumentException"><paramref name="subjectPublicKeyInfo"/> is not a DER SubjectPublicKeyInfo, or no identifiers were given.</exception>
    public static void Verify(AcmeCertificateChain chain, ReadOnlySpan<byte> subjectPublicKeyInfo, IEnumerable<AcmeIdentifier> identifiers, DateTimeOffset now) =>
        Verify(chain, subjectPublicKeyInfo, identifiers, now, TimeSpan.Zero);

    /// <summary>Verifies <paramref name="chain"/>, accepting certificates whose notBefore is at most <paramref name="clockSkew"/> ahead of <paramref name="now"/>.</summary>
    /// <param name="chain">The chain, leaf first.</param>
    /// <param name="subjectPublicKeyInfo">The DER SubjectPublicKeyInfo of the key the CSR was made for.</param>
    /// <param name="identifiers">The identifiers that were ordered.</param>
    /// <param name="now">The instant at which every certificate must be valid.</param>
    /// <param name="clockSkew">The tolerance on notBefore (zero or positive), e.g. <see cref="DefaultClockSkew"/>.</param>
    /// <exception cref="AcmeCertificateMismatchException">The chain is not what was asked for; <c>Reason</c> says how.</exception>
    /// <exception cref="ArgumentException"><paramref name="subjectPublicKeyInfo"/> is not a DER SubjectPublicKeyInfo, no identifiers were given, or the skew is negative.</exception>
    public static void Verify(AcmeCertificateChain chain, ReadOnlySpan<byte> subjectPublicKeyInfo, IEnumerable<AcmeIdentifier> identifiers, DateTimeOffset now, TimeSpan clockSkew)
    {
        if (!TryVerify(chain, subjectPublicKeyInfo, identifiers, now, clockSkew, out var mismatch))
        {
            throw mismatch!;
        }
    }

    /// <summary>Like <see cref="Verify(AcmeCertificateChain, ReadOnlySpan{byte}, IEnumerable{AcmeIdentifier}, DateTimeOffset, TimeSpan)"/>, but returns the mismatch instead of throwing it.</summary>
    /// <returns>True when the chain passes every check; otherwise false with <paramref name="mismatch"/> saying why.</returns>
    /// <exception cref="ArgumentException"><paramref name="subjectPublicKeyInfo"/> is not a DER SubjectPublicKeyInfo, no identifiers were given, or the skew is negative.</exception>
    public static bool TryVerify(AcmeCertificateChain chain, ReadOnlySpan<byte> subjectPublicKeyInfo, IEnumerable<AcmeIdentifier> identifiers, DateTimeOffset now, TimeSpan clockSkew, out AcmeCertificateMismatchException? mismatch)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(identifiers);
        if (clockSkew < TimeSpan.Zero)
        {
            throw new ArgumentException($"The clock skew must not be negative; it is {clockSkew}.", nameof(clockSkew));
        }

        var expectedKey = ParseSubjectPublicKeyInfo(subjectPublicKeyInfo);
        var expectedNames = IdentifierKeys.SetOf(identifiers);
        if (expectedNames.Count == 0)
        {
            throw new ArgumentException("At least one identifier is needed to verify a certificate against.", nameof(identifiers));
        }

        var certificates = Parse(chain);
        mismatch = CheckKey(chain, certificates[0], subjectPublicKeyInfo, expectedKey)
            ?? CheckNames(chain, certificates[0], expectedNames)
            ?? CheckOrder(chain, certificates)
            ?? CheckValidity(chain, certificates, now, clockSkew);
        return mismatch is null;
    }

    /// <summary>The DER SubjectPublicKeyInfo of a PKCS#10 certificate signing request (what the CA is asked to certify).</summary>
    /// <exception cref="AcmeConfigurationException">The bytes are not a DER PKCS#10 request.</exception>
    public static byte[] GetCsrSubjectPublicKeyInfo(ReadOnlySpan<byte> csrDer)
    {
        // CertificationRequest ::= SEQUENCE { certificationRequestInfo SEQUENCE { version INTEGER, subject Name,
        //     subjectPKInfo SubjectPublicKeyInfo, attributes [0] IMPLICIT SET OF Attribute }, signatureAlgorithm, signature BIT STRING }
        // (RFC 2986 section 4).
        try
        {
            var reader = new AsnReader(csrDer.ToArray(), AsnEncodingRules.DER);
            var request = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var info = request.ReadSequence();
            _ = info.ReadIntegerBytes();
            _ = X509Names.Read(info.ReadEncodedValue());
            var subjectPublicKeyInfo = PublicKeyInfo.Read(info.ReadEncodedValue());
            _ = info.ReadSetOf(skipSortOrderValidation: true, new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
            info.ThrowIfNotEmpty();
            _ = request.ReadSequence();
            _ = request.ReadBitString(out _);
            request.ThrowIfNotEmpty();
            return subjectPublicKeyInfo.Encoded.ToArray();
        }
        catch (AsnContentException ex)
        {
            throw new AcmeConfigurationException($"The CSR ({csrDer.Length} bytes) is not a DER PKCS#10 certification request: {ex.Message}", ex);
        }
    }

    /// <summary>The name used for a key in messages: <c>SHA-256:</c> and the lower-case hex SHA-256 of its DER SubjectPublicKeyInfo.</summary>
    public static string GetKeyFingerprint(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        "SHA-256:" + string.Concat(SHA256.HashData(subjectPublicKeyInfo).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    private static PublicKeyInfo ParseSubjectPublicKeyInfo(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        try
        {
            return PublicKeyInfo.Read(subjectPublicKeyInfo.ToArray());
        }
        catch (AsnContentException ex)
        {
            throw new ArgumentException($"The expected key ({subjectPublicKeyInfo.Length} bytes) is not a DER SubjectPublicKeyInfo: {ex.Message}", nameof(subjectPublicKeyInfo), ex);
        }
    }

    private static List<ParsedCertificate> Parse(AcmeCertificateChain chain)
    {
        var certificates = new List<ParsedCertificate>(chain.Certificates.Count);
        for (var i = 0; i < chain.Certificates.Count; i++)
        {
            try
            {
                certificates.Add(ParsedCertificate.Parse(chain.Certificates[i]));
            }
            catch (AsnContentException ex)
            {
                throw new AcmeProtocolException(AcmeProtocolError.MalformedCertificate, chain.Source, $"Certificate {i} of the chain cannot be read: {ex.Message}", ex);
            }
        }

        return certificates;
    }

    private static AcmeCertificateMismatchException? CheckKey(AcmeCertificateChain chain, ParsedCertificate leaf, ReadOnlySpan<byte> expectedDer, PublicKeyInfo expected)
    {
        var actualDer = leaf.SubjectPublicKeyInfo.Span;
        if (actualDer.SequenceEqual(expectedDer) || expected.SameKey(PublicKeyInfo.Read(leaf.SubjectPublicKeyInfo)))
        {
            return null;
        }

        var want = GetKeyFingerprint(expectedDer);
        var got = GetKeyFingerprint(actualDer);
        return Mismatch(chain, AcmeCertificateMismatchReason.KeyMismatch, 0, want, got, $"the leaf certificate is for another key: the CSR key is {want}, the leaf's is {got}");
    }

    private static AcmeCertificateMismatchException? CheckNames(AcmeCertificateChain chain, ParsedCertificate leaf, SortedSet<string> expected)
    {
        var actual = new SortedSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var (dnsName, ipAddress) in leaf.ReadSubjectAltNames())
            {
                if (dnsName is not null)
                {
                    actual.Add(IdentifierKeys.Dns(IdentifierKeys.Printable(dnsName, 253)));
                }
                else if (ipAddress is not null)
                {
                    actual.Add(ipAddress.Length is 4 or 16 ? IdentifierKeys.Ip(new IPAddress(ipAddress)) : "ip:(" + ipAddress.Length + " bytes)");
                }
            }
        }
        catch (AsnContentException ex)
        {
            return Mismatch(chain, AcmeCertificateMismatchReason.IdentifiersMismatch, 0, IdentifierKeys.Describe(expected), "(unreadable)", "the leaf certificate's subjectAltName cannot be read: " + ex.Message);
        }

        if (expected.SetEquals(actual))
        {
            return null;
        }

        var missing = expected.Except(actual).ToList();
        var extra = actual.Except(expected).ToList();
        var detail = (missing.Count > 0 ? "missing " + IdentifierKeys.Describe(missing) : string.Empty)
            + (missing.Count > 0 && extra.Count > 0 ? ", " : string.Empty)
            + (extra.Count > 0 ? "not requested " + IdentifierKeys.Describe(extra) : string.Empty);
        return Mismatch(chain, AcmeCertificateMismatchReason.IdentifiersMismatch, 0, IdentifierKeys.Describe(expected), IdentifierKeys.Describe(actual), "the leaf certificate's subjectAltName differs from the requested identifiers: " + detail);
    }

    private static AcmeCertificateMismatchException? CheckOrder(AcmeCertificateChain chain, List<ParsedCertificate> certificates)
    {
        for (var i = 0; i + 1 < certificates.Count; i++)
        {
            var certificate = certificates[i];
            var next = certificates[i + 1];
            var issuer = Describe(certificate.Issuer);
            var nextSubject = Describe(next.Subject);
            if (!X509Names.Equivalent(certificate.Issuer, next.Subject))
            {
                return Mismatch(chain, AcmeCertificateMismatchReason.ChainOrder, i, nextSubject, issuer, $"certificate {i} is issued by '{issuer}', but certificate {i + 1} is '{nextSubject}': the chain is out of order or incomplete");
            }

            // RFC 5280 section 4.1.1.2: signatureAlgorithm MUST be the TBSCertificate's signature field.
            var failure = certificate.SignatureAlgorithm.Span.SequenceEqual(certificate.TbsSignatureAlgorithm.Span)
                ? PublicKeyInfo.Read(next.SubjectPublicKeyInfo).VerifySignature(certificate.TbsCertificate.Span, certificate.SignatureAlgorithm, certificate.Signature)
                : "the signature algorithm in the TBSCertificate is not the certificate's signatureAlgorithm";
            if (failure is not null)
            {
                return Mismatch(chain, AcmeCertificateMismatchReason.BadSignature, i, $"a signature by the key of certificate {i + 1} ('{nextSubject}')", failure, $"the signature of certificate {i} ('{Describe(certificate.Subject)}') does not verify with the public key of certificate {i + 1} ('{nextSubject}'): {failure}");
            }
        }

        return null;
    }

    private static AcmeCertificateMismatchException? CheckValidity(AcmeCertificateChain chain, List<ParsedCertificate> certificates, DateTimeOffset now, TimeSpan clockSkew)
    {
        var instant = now.UtcDateTime;
        for (var i = 0; i < certificates.Count; i++)
        {
            var certificate = certificates[i];
            var notBefore = certificate.NotBefore;
            var notAfter = certificate.NotAfter;
            if (notBefore - clockSkew > instant)
            {
                return Mismatch(chain, AcmeCertificateMismatchReason.NotYetValid, i, $"notBefore at or before {Format(instant + clockSkew)}", $"notBefore {Format(notBefore)}", $"certificate {i} ('{Describe(certificate.Subject)}') is not valid before {Format(notBefore)}; it is {Format(instant)}");
            }

            if (notAfter < instant)
            {
                return Mismatch(chain, AcmeCertificateMismatchReason.Expired, i, $"notAfter at or after {Format(instant)}", $"notAfter {Format(notAfter)}", $"certificate {i} ('{Describe(certificate.Subject)}') expired at {Format(notAfter)}; it is {Format(instant)}");
            }
        }

        return null;
    }

    // RFC 4514 order (most specific first), as X500DistinguishedName.Name shows it.
    private static string Describe(ReadOnlyMemory<byte> name) => IdentifierKeys.Printable(X509Names.Describe(name), 200);

    private static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static AcmeCertificateMismatchException Mismatch(AcmeCertificateChain chain, AcmeCertificateMismatchReason reason, int index, string expected, string actual, string detail) =>
        new(reason, index, expected, actual, chain.Source, $"The certificate chain from {chain.Source} is not what was ordered ({reason}): {detail}.");
}
