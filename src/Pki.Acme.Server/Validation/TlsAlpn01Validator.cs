using System.Formats.Asn1;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Pki.Acme.Server;

/// <summary>
/// tls-alpn-01 (RFC 8737): TLS to {address}:{TlsAlpn01Port} with SNI the name (for an ip identifier its reverse
/// name, RFC 8738 section 6) offering only ALPN <c>acme-tls/1</c>. Any certificate is accepted for the handshake, then
/// it must have exactly one subjectAltName, equal to the identifier, and a critical id-pe-acmeIdentifier extension whose
/// OCTET STRING is SHA-256(key authorization). Not for wildcards.
/// </summary>
internal sealed class TlsAlpn01Validator : AcmeChallengeValidatorBase
{
    private static readonly SslApplicationProtocol AcmeTls = new(TlsAlpn01Certificate.AlpnProtocol);
    private static readonly Asn1Tag DnsNameTag = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag IpAddressTag = new(TagClass.ContextSpecific, 7);

    public TlsAlpn01Validator(AcmeServerValidationOptions options, AcmeValidationDns dns, TimeProvider time, ILogger logger)
        : base(options, dns, time, logger)
    {
    }

    public override string Type => "tls-alpn-01";

    public override bool Supports(AcmeIdentifier identifier) =>
        identifier is not null && identifier.Type is AcmeIdentifier.DnsType or AcmeIdentifier.IpType && !identifier.IsWildcard;

    /// <summary>Checks the certificate a responder presented; throws <see cref="AcmeValidationFailure"/> (incorrectResponse) naming what is wrong.</summary>
    public static void CheckCertificate(X509Certificate2 certificate, AcmeIdentifier identifier, string keyAuthorization)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(identifier);
        CheckSubjectAltName(certificate, identifier);
        var extension = certificate.Extensions[TlsAlpn01Certificate.AcmeIdentifierOid]
            ?? throw AcmeValidationFailure.IncorrectResponse($"The tls-alpn-01 certificate for {identifier.Value} has no acmeIdentifier extension ({TlsAlpn01Certificate.AcmeIdentifierOid}).");
        if (!extension.Critical)
        {
            throw AcmeValidationFailure.IncorrectResponse($"The acmeIdentifier extension of the tls-alpn-01 certificate for {identifier.Value} is not critical (RFC 8737 section 3).");
        }

        byte[] digest;
        try
        {
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
            digest = reader.ReadOctetString();
            reader.ThrowIfNotEmpty();
        }
        catch (AsnContentException ex)
        {
            throw AcmeValidationFailure.IncorrectResponse($"The acmeIdentifier extension of the tls-alpn-01 certificate for {identifier.Value} is not a DER OCTET STRING: {ex.Message}");
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(keyAuthorization));
        if (digest.Length != expected.Length || !CryptographicOperations.FixedTimeEquals(digest, expected))
        {
            throw AcmeValidationFailure.IncorrectResponse($"The acmeIdentifier extension of the tls-alpn-01 certificate for {identifier.Value} is {Convert.ToHexString(digest)}, expected SHA-256 of the key authorization {Convert.ToHexString(expected)}.");
        }
    }

    protected override async Task AttemptAsync(AcmeIdentifier identifier, string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        IReadOnlyList<IPAddress> addresses;
        string serverName;
        if (identifier.Type == AcmeIdentifier.IpType)
        {
            var address = IPAddress.Parse(identifier.Value);
            addresses = [address];
            serverName = ReverseDnsName.For(address);
        }
        else
        {
            serverName = AcmeValidationDns.ToAsciiName(identifier.Value);
            addresses = await Dns.ResolveAsync(serverName, cancellationToken).ConfigureAwait(false);
        }

        var stream = await AcmeValidationDns.ConnectAsync(serverName, addresses, Options.TlsAlpn01Port, cancellationToken).ConfigureAwait(false);
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        await using (tls.ConfigureAwait(false))
        {
            var options = new SslClientAuthenticationOptions
            {
                TargetHost = serverName,
                ApplicationProtocols = [AcmeTls],
#pragma warning disable CA5359 // The validator checks the proof, not trust in the certificate (RFC 8737 section 3; https after an http-01 redirect).
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
#pragma warning restore CA5359
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            };
            try
            {
                await tls.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (AuthenticationException ex)
            {
                throw AcmeValidationFailure.Tls($"The TLS handshake with {serverName} on port {Options.TlsAlpn01Port} offering ALPN {TlsAlpn01Certificate.AlpnProtocol} failed: {AcmeValidationFailure.Innermost(ex).Message}");
            }
            catch (IOException ex)
            {
                throw AcmeValidationFailure.Tls($"The TLS connection to {serverName} on port {Options.TlsAlpn01Port} broke during the handshake: {ex.Message}", isRetryable: true);
            }

            if (tls.NegotiatedApplicationProtocol != AcmeTls)
            {
                throw AcmeValidationFailure.Tls($"The TLS server for {serverName} on port {Options.TlsAlpn01Port} did not negotiate ALPN {TlsAlpn01Certificate.AlpnProtocol}.");
            }

            if (tls.RemoteCertificate is not X509Certificate2 certificate)
            {
                throw AcmeValidationFailure.Tls($"The TLS server for {serverName} on port {Options.TlsAlpn01Port} presented no certificate.");
            }

            CheckCertificate(certificate, identifier, keyAuthorization);
        }
    }

    private static void CheckSubjectAltName(X509Certificate2 certificate, AcmeIdentifier identifier)
    {
        var san = certificate.Extensions["2.5.29.17"]
            ?? throw AcmeValidationFailure.IncorrectResponse($"The tls-alpn-01 certificate for {identifier.Value} has no subjectAltName extension.");
        var names = new List<string>();
        var matches = false;
        try
        {
            var reader = new AsnReader(san.RawData, AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            while (sequence.HasData)
            {
                var tag = sequence.PeekTag();
                if (tag.HasSameClassAndValue(DnsNameTag))
                {
                    var name = sequence.ReadCharacterString(UniversalTagNumber.IA5String, DnsNameTag);
                    names.Add("DNS:" + name);
                    matches |= identifier.Type == AcmeIdentifier.DnsType && string.Equals(name.TrimEnd('.'), AcmeValidationDns.ToAsciiName(identifier.Value), StringComparison.OrdinalIgnoreCase);
                }
                else if (tag.HasSameClassAndValue(IpAddressTag))
                {
                    var bytes = sequence.ReadOctetString(IpAddressTag);
                    var text = bytes.Length is 4 or 16 ? new IPAddress(bytes).ToString() : Convert.ToHexString(bytes);
                    names.Add("IP:" + text);
                    matches |= identifier.Type == AcmeIdentifier.IpType && bytes.AsSpan().SequenceEqual(IPAddress.Parse(identifier.Value).GetAddressBytes());
                }
                else
                {
                    sequence.ReadEncodedValue();
                    names.Add("other:" + tag.TagValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
        catch (AsnContentException ex)
        {
            throw AcmeValidationFailure.IncorrectResponse($"The subjectAltName of the tls-alpn-01 certificate for {identifier.Value} cannot be read: {ex.Message}");
        }

        if (names.Count != 1 || !matches)
        {
            throw AcmeValidationFailure.IncorrectResponse($"The tls-alpn-01 certificate must have exactly one subjectAltName, {identifier.Value}; it has {string.Join(", ", names)}.");
        }
    }
}
